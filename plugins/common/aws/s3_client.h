// S3Client: the S3 REST calls of the s3 output (PutObject, the multipart upload calls, GetObject,
// HeadBucket) and of the s3 input (ListObjectsV2, GetObject), signed with SigV4 by libcurl
// (CURLOPT_AWS_SIGV4). What Debian 12's libcurl 7.88 leaves to the caller is done here: the
// x-amz-content-sha256 header (the body's SHA-256, which S3 requires), query parameters in sorted
// order, and `?uploads=` (libcurl signs a bare `?uploads` wrongly). Bodies carry Content-MD5, which
// S3 checks. Thread-safety: one client per thread (it owns one libcurl handle).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "plugins/common/aws/aws_credentials.h"
#include "plugins/common/http_client.h"

namespace sluice::common {

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

// One object of a listing.
struct S3ObjectInfo {
  std::string key;
  uint64_t size = 0;
  std::string etag;           // as S3 gives it, quotes included
  std::string last_modified;  // ISO 8601
};

// One page of ListObjectsV2.
struct S3Listing {
  std::vector<S3ObjectInfo> objects;  // in key order
  bool truncated = false;             // more pages follow: ask again with next_token
  std::string next_token;
  // Reads a ListBucketResult document; false when it is not one.
  static bool Parse(std::string_view xml, S3Listing* out);
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
  // One page (up to 1,000 keys, in key order) of the keys under `prefix`; `continuation`: the
  // previous page's next_token, empty for the first.
  S3Result ListObjects(const std::string& prefix, const std::string& continuation, S3Listing* out);

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

}  // namespace sluice::common
