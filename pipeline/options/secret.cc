#include "pipeline/options/secret.h"

#include <algorithm>
#include <cctype>

namespace sluice::config {

bool NamesASecret(std::string_view key) {
  std::string lower(key);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::string_view word : {"password", "secret", "token", "credential", "api_key", "apikey",
                                "private", "jaas", "oauthbearer.config"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return lower.ends_with("key.pem");
}

std::string MaskUrlPasswords(std::string_view text) {
  std::string out;
  size_t done = 0;  // text[0, done) is in `out`
  for (size_t scheme = text.find("://"); scheme != std::string_view::npos;
       scheme = text.find("://", scheme + 3)) {
    size_t start = scheme + 3;
    size_t end = text.find_first_of("/?# ,", start);  // the authority (a list: up to a comma)
    if (end == std::string_view::npos) end = text.size();
    std::string_view authority = text.substr(start, end - start);
    size_t at = authority.rfind('@');
    if (at == std::string_view::npos) continue;
    size_t colon = authority.substr(0, at).find(':');
    if (colon == std::string_view::npos) continue;
    out.append(text.substr(done, start + colon + 1 - done));
    out.append(kSecretMask);
    done = start + at;
  }
  out.append(text.substr(done));
  return out;
}

bool IsLiteralSecret(std::string_view raw) {
  if (raw.empty()) return false;
  for (size_t i = raw.find("${"); i != std::string_view::npos; i = raw.find("${", i + 2)) {
    if (i == 0 || raw[i - 1] != '$') return false;  // a reference, not `$${`
  }
  return true;
}

}  // namespace sluice::config
