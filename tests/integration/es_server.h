// EsServer: tests/tools/es_test_server, the Elasticsearch bulk-API stand-in (no real
// Elasticsearch can be installed here), run as a process for integration tests; Command() sends
// it a fault command (see its header).
// Thread-safety: none; used by the test's thread.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "tests/integration/command_process.h"
#include "tests/integration/http_get.h"

namespace sluice::testing {

// The Elasticsearch stand-in as a process; Command() sends a fault command (see its header).
class EsServer : public CommandProcess {
 public:
  EsServer(const std::filesystem::path& dir, const std::vector<std::string>& extra = {})
      : CommandProcess(Args(extra), dir, "port=(\\d+)") {}
  std::string url() const { return "http://127.0.0.1:" + announced(); }
  // A counter of `stats` (docs, created, updated, conflicts, rejected, ...).
  int64_t Stat(const std::string& name) {
    std::string line = Command("stats");
    std::smatch m;
    std::regex re(" " + name + "=(\\d+)");
    return std::regex_search(line, m, re) ? std::stoll(m[1]) : -1;
  }
  // The body of GET PATH; a test failure when the server does not answer.
  std::string Get(const std::string& path, const httplib::Headers& headers = {}) {
    auto r = HttpGet(std::stoi(announced()), path, headers);
    if (!r) ADD_FAILURE() << "GET " << path << ": " << httplib::to_string(r.error());
    return r ? r->body : "";
  }

 private:
  static std::vector<std::string> Args(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {SLUICE_ES_TEST_SERVER};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
};

}  // namespace sluice::testing
