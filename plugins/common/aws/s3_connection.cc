#include "plugins/common/aws/s3_connection.h"

#include <cstdlib>

namespace sluice::common {

std::string S3Connection::EffectiveRegion() const {
  if (!region.empty()) return region;
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return value;
  }
  return "us-east-1";
}

S3ClientOptions S3Connection::ClientOptions(const std::string& effective_region) const {
  return {.bucket = bucket,
          .region = effective_region,
          .endpoint = endpoint,
          .force_path_style = force_path_style,
          .http = {.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(timeout.value),
                   .ca_file = ca_file,
                   .verify = verify}};
}

AwsCredentialsOptions S3Connection::CredentialsOptions(const std::string& effective_region) const {
  return {.access_key_id = access_key_id,
          .secret_access_key = secret_access_key,
          .session_token = session_token,
          .profile = profile,
          .region = effective_region};
}

std::string S3Connection::Check(bool allow_file) const {
  if (access_key_id.empty() != secret_access_key.empty()) {
    return "access_key_id and secret_access_key go together";
  }
  if (!endpoint.empty() && !endpoint.starts_with("http://") && !endpoint.starts_with("https://") &&
      !(allow_file && endpoint.starts_with("file://"))) {
    return allow_file ? "endpoint must start with http://, https:// or file://"
                      : "endpoint must start with http:// or https://";
  }
  return "";
}

}  // namespace sluice::common
