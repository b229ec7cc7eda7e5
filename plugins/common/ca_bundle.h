// The system's CA bundle, for TLS to Kafka, S3 and Elasticsearch when the config names no
// `ca_file`. The packaged binary links OpenSSL statically, so OpenSSL's compiled-in default
// (Debian's /usr/lib/ssl) is wrong on RHEL and Amazon Linux: the bundle is looked up where each
// distribution keeps it instead, as Go's crypto/x509 does.
// Thread-safety: SystemCaBundle() is computed once, on first use, and then only read.
#pragma once

#include <string>
#include <vector>

namespace sluice::common {

// The first of `candidates` that is a readable regular file; "" when none is.
std::string FindCaBundle(const std::vector<std::string>& candidates);

// $SSL_CERT_FILE when set, else the first bundle found among the distributions' places
// (Debian/Ubuntu, RHEL/Amazon Linux/Fedora, SUSE, Alpine); "" when none exists (TLS libraries
// then fall back to their own default).
const std::string& SystemCaBundle();

}  // namespace sluice::common
