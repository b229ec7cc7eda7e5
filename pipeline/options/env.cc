#include "pipeline/options/env.h"

#include <cctype>
#include <cstdlib>

namespace sluice::config {

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<std::string> SubstituteEnv(std::string_view text, const EnvLookup& env) {
  if (text.find('$') == std::string_view::npos) return std::string(text);
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i++];
      continue;
    }
    // The matching '}': braces inside a default balance (`${LOGS:-/var/log/std{out,err}}`).
    size_t close = std::string_view::npos;
    for (size_t j = i + 2, depth = 0; j < text.size(); ++j) {
      if (text[j] == '{') ++depth;
      if (text[j] != '}') continue;
      if (depth == 0) {
        close = j;
        break;
      }
      --depth;
    }
    if (close == std::string_view::npos) {
      return InvalidArgument("unclosed '${' in '" + std::string(text) +
                             "'; write $${ for a literal ${");
    }
    std::string_view body = text.substr(i + 2, close - i - 2);
    size_t name_end = 0;
    while (name_end < body.size() &&
           (std::isalnum(static_cast<unsigned char>(body[name_end])) || body[name_end] == '_')) {
      ++name_end;
    }
    std::string name(body.substr(0, name_end));
    std::string_view rest = body.substr(name_end);
    if (name.empty() || (!rest.empty() && !rest.starts_with(":-") && !rest.starts_with(":?"))) {
      return InvalidArgument("bad variable reference '${" + std::string(body) +
                             "}': expected ${NAME}, ${NAME:-default} or ${NAME:?message}");
    }
    std::optional<std::string> value = env(name);
    if (rest.starts_with(":-")) {
      out += value && !value->empty() ? *value : std::string(rest.substr(2));
    } else if (rest.starts_with(":?")) {
      if (!value || value->empty()) {
        std::string message(rest.substr(2));
        return InvalidArgument("environment variable " + name + " is required" +
                               (message.empty() ? std::string() : ": " + message));
      }
      out += *value;
    } else {
      if (!value) {
        return InvalidArgument("environment variable " + name +
                               " is not set; set it, or give a default with ${" + name +
                               ":-default}");
      }
      out += *value;
    }
    i = close + 1;
  }
  return out;
}

}  // namespace sluice::config
