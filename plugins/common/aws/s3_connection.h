// S3Connection: what both S3 plugins (the s3 output, the s3 input) need to reach a bucket: its
// name, region, endpoint, addressing, credentials and TLS settings. A plugin's Options derive from
// it and its schema calls AddS3ConnectionOptions(), so that each of these keys is declared, checked
// and documented once.
// Thread-safety: plain data.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "pipeline/options/option_schema.h"
#include "pipeline/units.h"
#include "plugins/common/aws/aws_credentials.h"
#include "plugins/common/aws/s3_client.h"

namespace sluice::common {

struct S3Connection {
  std::string bucket;
  std::string region;
  std::string endpoint;
  bool force_path_style = false;
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  std::string profile;
  std::string ca_file;
  bool verify = true;
  Duration timeout{std::chrono::seconds(60)};

  // `region`, else AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1.
  std::string EffectiveRegion() const;
  S3ClientOptions ClientOptions(const std::string& region) const;
  AwsCredentialsOptions CredentialsOptions(const std::string& region) const;
  // What is wrong with the options together ("" when nothing): keys without their secret, an
  // endpoint that is not a URL (`file://` too when `allow_file`).
  std::string Check(bool allow_file) const;
};

// Adds the S3Connection keys to the schema of `Options` (which derives from S3Connection).
// `endpoint_doc`: the plugin's words for `endpoint`.
template <typename Options>
void AddS3ConnectionOptions(config::OptionSchema<Options>& s, std::string endpoint_doc) {
  s.template Add<std::string>("bucket", &Options::bucket, "Bucket name.",
                              {.required = true, .example = "bronze"})
      .template Add<std::string>("region", &Options::region,
                                 "AWS region (signing and the default endpoint). Default: "
                                 "AWS_REGION, AWS_DEFAULT_REGION, or us-east-1.",
                                 {.example = "eu-west-1"})
      .template Add<std::string>("endpoint", &Options::endpoint, std::move(endpoint_doc),
                                 {.example = "http://127.0.0.1:9000"})
      .template Add<bool>("force_path_style", &Options::force_path_style,
                          "Address the bucket in the path (`http://host/bucket/key`), as most "
                          "S3-compatible stores need.")
      .template Add<std::string>("access_key_id", &Options::access_key_id,
                                 "Static credentials (prefer the chain: environment, profile, "
                                 "IRSA, instance profile).",
                                 {.example = "${AWS_ACCESS_KEY_ID}"})
      .template Add<std::string>("secret_access_key", &Options::secret_access_key,
                                 "Secret of `access_key_id`.",
                                 {.example = "${AWS_SECRET_ACCESS_KEY}", .secret = true})
      .template Add<std::string>("session_token", &Options::session_token,
                                 "Session token of temporary keys.", {.secret = true})
      .template Add<std::string>("profile", &Options::profile,
                                 "Profile of the shared credentials file. Default: AWS_PROFILE "
                                 "or `default`.")
      .template Add<std::string>("ca_file", &Options::ca_file,
                                 "PEM CA bundle for the endpoint's TLS certificate.")
      .template Add<bool>("verify", &Options::verify,
                          "Verify the endpoint's TLS certificate. `false` only for tests; it is "
                          "logged as a warning.")
      .template Add<Duration>("timeout", &Options::timeout, "Timeout of one S3 request.");
}

}  // namespace sluice::common
