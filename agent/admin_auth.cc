#include "agent/admin_auth.h"

#include <cctype>

namespace sluice::agent {

bool IsOpenEndpoint(std::string_view path) { return path == "/health" || path == "/ready"; }

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Every byte of `a` is compared (with a byte of `b`, or a fixed one past its end), and the
  // result is folded without branching on the data.
  volatile unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) {
    unsigned char other = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff = diff | (static_cast<unsigned char>(a[i]) ^ other);
  }
  return diff == 0;
}

bool BearerTokenMatches(std::string_view authorization, std::string_view token) {
  if (token.empty()) return false;
  constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size()) return false;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return false;
  }
  std::string_view credential = authorization.substr(kScheme.size());
  if (credential.front() != ' ') return false;
  size_t start = credential.find_first_not_of(' ');
  if (start == std::string_view::npos) return false;
  credential = credential.substr(start, credential.find_last_not_of(' ') - start + 1);
  return ConstantTimeEquals(credential, token);
}

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "::1" ||
         (host.starts_with("127.") && host.find_first_not_of("0123456789.") == host.npos);
}

std::string ClientToken(const std::string& flag, const config::AdminOptions& admin) {
  return flag.empty() ? admin.BearerToken() : flag;
}

std::string AuthorizationFor(std::string_view token) { return "Bearer " + std::string(token); }

}  // namespace sluice::agent
