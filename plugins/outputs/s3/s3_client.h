// S3Client: the S3 REST calls the s3 output makes (PutObject, the multipart upload calls,
// GetObject, HeadBucket), signed with SigV4 by libcurl (CURLOPT_AWS_SIGV4). What Debian 12's
// libcurl 7.88 leaves to the caller is done here: the x-amz-content-sha256 header (the body's
// SHA-256, which S3 requires), query parameters in sorted order, and `?uploads=` (libcurl signs a
// bare `?uploads` wrongly). Bodies carry Content-MD5, which S3 checks.
// Thread-safety: one client per thread (it owns one libcurl handle).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "plugins/common/aws/aws_credentials.h"
#include "plugins/common/http_client.h"

namespace sluice::outputs::s3 {

struct S3ClientOptions {
  std::string bucket;
  std::string region = "us-east-1";
  // Empty: https://s3.REGION.amazonaws.com. Otherwise an S3-compatible store (MinIO, s3rver).
  std::string endpoint;
  bool force_path_style = false;  // https://host/bucket/key instead of https://bucket.host/key
  common::HttpClientOptions http;
};

struct S3Result {
  long status = 0;   // HTTP status; 0 when no answer came (see message)
  std::string code;  // S3's error code (SignatureDoesNotMatch, NoSuchBucket, SlowDown...)
  std::string message;
  double seconds = 0;
  bool ok() const { return status >= 200 && status < 300; }
  // Credentials, permissions or a missing bucket: retrying without a fix does not help.
  bool setup_error() const;
  std::string ToString() const;
};

class S3Client {
 public:
  S3Client(S3ClientOptions options, common::AwsCredentialsChain* credentials);

  S3Result PutObject(const std::string& key, std::string_view body,
                     const std::vector<std::string>& headers);
  S3Result CreateMultipartUpload(const std::string& key, const std::vector<std::string>& headers,
                                 std::string* upload_id);
  S3Result UploadPart(const std::string& key, const std::string& upload_id, int part_number,
                      std::string_view body, std::string* etag);
  S3Result CompleteMultipartUpload(const std::string& key, const std::string& upload_id,
                                   const std::vector<std::string>& etags);
  S3Result AbortMultipartUpload(const std::string& key, const std::string& upload_id);
  // 404 (NoSuchKey) is a result like any other: check status.
  S3Result GetObject(const std::string& key, std::string* body);
  S3Result HeadBucket();

  // s3://bucket/key, for logs.
  std::string Describe(const std::string& key) const;

 private:
  // `query`: already sorted and encoded ("partNumber=1&uploadId=..."), or empty.
  S3Result Call(const std::string& method, const std::string& key, const std::string& query,
                std::string_view body, std::vector<std::string> headers, std::string* out_body,
                std::string* out_etag);
  std::string Url(const std::string& key, const std::string& query) const;

  S3ClientOptions options_;
  common::AwsCredentialsChain* credentials_;
  common::HttpClient http_;
  std::string base_;  // scheme://host[:port] (path style) or scheme://bucket.host
};

// Hex SHA-256 and base64 MD5 of `data` (OpenSSL).
std::string Sha256Hex(std::string_view data);
std::string Md5Base64(std::string_view data);

}  // namespace sluice::outputs::s3
