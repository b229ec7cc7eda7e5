// SluiceProcessTest: a fixture for tests that run the sluice binary: a test directory (kept when
// the test fails), config files with their own data_dir and an admin API on a free port, runs in
// directories of their own, and reads of the admin API (/metrics, /ready).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string>

#include "tests/integration/http_get.h"
#include "tests/integration/subprocess.h"

namespace sluice::testing {

class SluiceProcessTest : public ::testing::Test {
 protected:
  // Makes the test's directory, /tmp/PREFIX_PID_TESTNAME (SetUp calls it).
  void MakeDir(const std::string& prefix) { dir_ = FreshTestDir(prefix); }
  void TearDown() override {
    if (!HasFailure() && !dir_.empty()) std::filesystem::remove_all(dir_);
  }
  // A config file NAME.yaml with its own data_dir and an admin API on a free port.
  std::string WriteConfig(const std::string& name, const std::string& yaml) {
    std::string path = (dir_ / (name + ".yaml")).string();
    std::ofstream(path) << "data_dir: " << (dir_ / (name + "-data")).string()
                        << "\nadmin: {listen: '127.0.0.1:0'}\ncheckpoint_interval: 200ms\n"
                        << yaml;
    return path;
  }
  std::unique_ptr<Subprocess> Run(const std::string& config, const std::string& name) {
    std::filesystem::path run_dir = dir_ / ("run-" + name + "-" + std::to_string(runs_++));
    std::filesystem::create_directories(run_dir);
    return std::make_unique<Subprocess>(
        std::vector<std::string>{SLUICE_BINARY, "run", "-c", config}, run_dir);
  }
  static int AdminPort(const Subprocess& p) {
    std::smatch m;
    std::string err = p.Stderr();
    static const std::regex re("admin API on http://127\\.0\\.0\\.1:(\\d+)");
    return std::regex_search(err, m, re) ? std::stoi(m[1]) : -1;
  }
  // The value of a metric series (exact name with labels) from the process's /metrics; -1 when
  // absent or the admin API does not answer.
  static double Metric(const Subprocess& p, const std::string& series) {
    int port = AdminPort(p);
    if (port < 0) return -1;
    auto r = HttpGet(port, "/metrics");
    if (!r) return -1;
    size_t at = r->body.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(r->body.substr(at + series.size() + 2));
  }
  static int ReadyStatus(const Subprocess& p) {
    int port = AdminPort(p);
    if (port < 0) return -1;
    auto r = HttpGet(port, "/ready");
    return r ? r->status : -1;
  }
  static std::string OutputSent(const std::string& pipeline, const std::string& type) {
    return "sluice_component_sent_events_total{pipeline=\"" + pipeline +
           "\",kind=\"output\",type=\"" + type + "\",id=\"" + type + "\"}";
  }

  std::filesystem::path dir_;
  int runs_ = 0;
};

}  // namespace sluice::testing
