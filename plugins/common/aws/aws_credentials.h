// AWS credentials for SigV4, from the chain the AWS SDKs use, first match wins:
//   1. the plugin's options (access_key_id / secret_access_key / session_token);
//   2. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN;
//   3. the shared credentials file (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials), profile
//      `profile` or AWS_PROFILE or "default";
//   4. EKS IRSA: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN → STS AssumeRoleWithWebIdentity
//      (an unsigned call: the token is the proof);
//   5. the EC2 instance profile through IMDSv2 (PUT a session token, then GET the role's keys).
// Temporary credentials (4, 5) are refreshed 5 minutes before they expire.
// Thread-safety: Get() may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "pipeline/status.h"

namespace sluice::common {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  int64_t expires_unix = 0;  // 0: does not expire
  std::string source;        // "options", "environment", "profile default", "web identity", "imds"
};

struct AwsCredentialsOptions {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  std::string profile;
  std::string region = "us-east-1";
  // Overrides (tests, private endpoints); empty: AWS_ENDPOINT_URL_STS or sts.REGION.amazonaws.com,
  // and AWS_EC2_METADATA_SERVICE_ENDPOINT or http://169.254.169.254.
  std::string sts_endpoint;
  std::string imds_endpoint;
};

class AwsCredentialsChain {
 public:
  using Getenv = std::function<std::optional<std::string>(const std::string&)>;
  // `getenv` reads the environment (tests pass their own).
  explicit AwsCredentialsChain(AwsCredentialsOptions options, Getenv getenv = nullptr);

  // The current credentials; an error says which sources were tried and why each failed.
  Result<AwsCredentials> Get();

 private:
  Result<AwsCredentials> Resolve();
  std::optional<AwsCredentials> FromProfile(std::string* why);
  std::optional<AwsCredentials> FromWebIdentity(std::string* why);
  std::optional<AwsCredentials> FromImds(std::string* why);
  std::optional<std::string> Env(const std::string& name) const;

  AwsCredentialsOptions options_;
  Getenv getenv_;
  std::mutex mu_;
  std::optional<AwsCredentials> cached_;
};

// Seconds since the epoch of an ISO 8601 UTC time (`2026-12-02T07:00:00Z`), 0 when unreadable.
int64_t ParseIsoTime(const std::string& text);
// The text of the first <tag>…</tag> in `xml` (entities &amp; &lt; &gt; &quot; &apos; decoded),
// or nullopt. Enough for the flat answers of S3 and STS.
std::optional<std::string> XmlTag(std::string_view xml, std::string_view tag);

}  // namespace sluice::common
