#include "agent/tap_command.h"

#include <simdjson.h>

#include <fmt/format.h>

#include <cstdio>

#include "agent/cli.h"

namespace sluice::agent {
namespace {

// `spark.grok filter  MESSAGE` from a sample line; the line itself when it is not one.
std::string AsText(simdjson::dom::parser& parser, const std::string& line) {
  simdjson::dom::element doc;
  std::string_view component, kind, message;
  if (parser.parse(line).get(doc) != simdjson::SUCCESS ||
      doc["component"].get(component) != simdjson::SUCCESS ||
      doc["kind"].get(kind) != simdjson::SUCCESS) {
    return line;
  }
  if (doc["event"]["message"].get(message) != simdjson::SUCCESS) message = "(no message)";
  return std::string(component) + " " + std::string(kind) + "  " + std::string(message);
}

}  // namespace

int TapCommand(const AdminClientFlags& admin, const TapFlags& flags) {
  auto client = AdminClient::Resolve(admin);
  if (!client.ok()) {
    std::fprintf(stderr, "error: %s\n", client.status().message().c_str());
    return kExitUsage;
  }
  httplib::Params params;
  for (const std::string& p : flags.patterns) params.emplace("pattern", p);
  params.emplace("rate", fmt::format("{}", flags.rate));
  const std::string path = httplib::append_query_params("/api/v1/tap", params);

  simdjson::dom::parser parser;
  std::string pending;  // a line not complete yet
  size_t printed = 0;
  int status = 0;
  std::string error_body;
  auto on_line = [&](const std::string& line) {
    if (line.rfind("{\"missed\":", 0) == 0) {
      std::fprintf(stderr, "tap: %s sample(s) missed (the rate, or a slow reader)\n",
                   line.substr(10, line.size() - 11).c_str());
      return true;
    }
    std::string shown = flags.format == "text" ? AsText(parser, line) : line;
    std::fwrite(shown.data(), 1, shown.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
    return flags.limit == 0 || ++printed < flags.limit;
  };
  auto answer = client.value().Stream(
      path,
      [&](const httplib::Response& r) {
        status = r.status;
        return true;
      },
      [&](const char* data, size_t size) {
        if (status != 200) {
          error_body.append(data, size);
          return true;
        }
        pending.append(data, size);
        size_t start = 0;
        for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
          if (!on_line(pending.substr(start, nl - start))) return false;
        }
        pending.erase(0, start);
        return true;
      });
  if (flags.limit > 0 && printed >= flags.limit) return kExitOk;
  if (status == 401) {
    std::fprintf(stderr, "error: %s\n", client.value().TokenRefused().c_str());
    return kExitRuntime;
  }
  if (status != 0 && status != 200) {
    simdjson::dom::element doc;
    std::string_view message = error_body;
    if (parser.parse(error_body).get(doc) == simdjson::SUCCESS) {
      if (doc["error"].get(message) != simdjson::SUCCESS) message = error_body;
    }
    std::fprintf(stderr, "error: %.*s\n", static_cast<int>(message.size()), message.data());
    return status == 404 ? kExitConfigInvalid : kExitRuntime;
  }
  if (!answer) {
    std::fprintf(stderr, "error: the tap of %s ended (%s)\n", client.value().Url().c_str(),
                 httplib::to_string(answer.error()).c_str());
    return kExitRuntime;
  }
  return kExitOk;
}

}  // namespace sluice::agent
