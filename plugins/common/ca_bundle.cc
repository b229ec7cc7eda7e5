#include "plugins/common/ca_bundle.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace sluice::common {

std::string FindCaBundle(const std::vector<std::string>& candidates) {
  for (const auto& path : candidates) {
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(path.c_str(), R_OK) == 0) {
      return path;
    }
  }
  return "";
}

const std::string& SystemCaBundle() {
  static const std::string bundle = [] {
    const char* env = std::getenv("SSL_CERT_FILE");
    if (env != nullptr && *env != '\0') return std::string(env);
    return FindCaBundle({
        "/etc/ssl/certs/ca-certificates.crt",                 // Debian, Ubuntu
        "/etc/pki/tls/certs/ca-bundle.crt",                   // RHEL, Amazon Linux, Fedora
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  // RHEL (the source of the above)
        "/etc/ssl/ca-bundle.pem",                             // SUSE
        "/etc/ssl/cert.pem",                                  // Alpine
    });
  }();
  return bundle;
}

}  // namespace sluice::common
