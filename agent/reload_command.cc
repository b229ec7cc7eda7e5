#include "agent/reload_command.h"

#include <simdjson.h>

#include <cstdio>
#include <string>
#include <vector>

#include "agent/cli.h"

namespace sluice::agent {
namespace {

std::vector<std::string> Strings(simdjson::dom::element doc, const char* key) {
  std::vector<std::string> out;
  simdjson::dom::array array;
  if (doc[key].get(array) != simdjson::SUCCESS) return out;
  for (simdjson::dom::element item : array) {
    std::string_view text;
    if (item.get(text) == simdjson::SUCCESS) out.emplace_back(text);
  }
  return out;
}

}  // namespace

int ReloadCommand(const AdminClientFlags& flags, std::chrono::seconds timeout) {
  auto client = AdminClient::Resolve(flags);
  if (!client.ok()) {
    std::fprintf(stderr, "error: %s\n", client.status().message().c_str());
    return kExitUsage;
  }
  auto answer = client.value().Post("/api/v1/reload", timeout);
  if (!answer) {
    std::fprintf(stderr, "error: %s\n", client.value().NoAnswer(answer.error()).c_str());
    return kExitRuntime;
  }
  if (answer->status == 401) {
    std::fprintf(stderr, "error: %s\n", client.value().TokenRefused().c_str());
    return kExitRuntime;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  bool ok = false;
  bool rejected = false;
  if (parser.parse(answer->body).get(doc) != simdjson::SUCCESS ||
      doc["ok"].get(ok) != simdjson::SUCCESS) {
    std::fprintf(stderr, "error: %s answered HTTP %d: %s\n", client.value().Url().c_str(),
                 answer->status, answer->body.c_str());
    return kExitRuntime;
  }
  if (doc["rejected"].get(rejected) != simdjson::SUCCESS) rejected = false;
  for (const std::string& w : Strings(doc, "warnings")) {
    std::fprintf(stderr, "warning: %s\n", w.c_str());
  }
  if (rejected) {
    std::vector<std::string> errors = Strings(doc, "config_errors");
    std::fprintf(stderr, "reload rejected: the config has %zu error(s); nothing changed:\n",
                 errors.size());
    for (const std::string& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
    return kExitConfigInvalid;
  }
  std::string_view summary;
  if (doc["summary"].get(summary) != simdjson::SUCCESS) summary = "(no summary)";
  std::printf("%s: %.*s\n", ok ? "reloaded" : "reloaded with errors",
              static_cast<int>(summary.size()), summary.data());
  for (const std::string& e : Strings(doc, "errors")) {
    std::fprintf(stderr, "error: %s\n", e.c_str());
  }
  return ok ? kExitOk : kExitRuntime;
}

}  // namespace sluice::agent
