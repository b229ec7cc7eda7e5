// S3Client's pure parts: the body digests S3 checks, and how results read in logs. The requests
// themselves are covered through BucketStore (s3_bucket_store_test.cc) and the integration tests.
#include "plugins/outputs/s3/s3_client.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::outputs::s3 {
namespace {

// SHA-256 (hex, x-amz-content-sha256) and MD5 (base64, Content-MD5) of known bodies.
TEST(S3ClientTest, BodyDigests) {
  struct Digests {
    std::string body;
    std::string sha256_hex;
    std::string md5_base64;
  };
  for (const Digests& d : std::vector<Digests>{
           {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "1B2M2Y8AsgTpgAmY7PhCfg=="},
           {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "kAFQmDzST7DWlj99KOF/cg=="},
       }) {
    SCOPED_TRACE(d.body);
    EXPECT_EQ(Sha256Hex(d.body), d.sha256_hex);
    EXPECT_EQ(Md5Base64(d.body), d.md5_base64);
  }
}

TEST(S3ClientTest, ResultsSayWhatHappenedAndWhetherAFixIsNeeded) {
  S3Result none{.status = 0, .message = "Connection refused"};
  EXPECT_FALSE(none.ok());
  EXPECT_EQ(none.ToString(), "Connection refused");
  EXPECT_FALSE(none.setup_error());
  S3Result busy{.status = 503, .code = "SlowDown", .message = "Reduce your request rate."};
  EXPECT_EQ(busy.ToString(), "HTTP 503 SlowDown: Reduce your request rate.");
  EXPECT_FALSE(busy.setup_error());
  EXPECT_EQ(S3Result{.status = 502}.ToString(), "HTTP 502");
  S3Result denied{.status = 403, .code = "AccessDenied"};
  EXPECT_TRUE(denied.setup_error());
  S3Result no_bucket{.status = 404, .code = "NoSuchBucket"};
  EXPECT_TRUE(no_bucket.setup_error());
  S3Result no_key{.status = 404, .code = "NoSuchKey"};
  EXPECT_FALSE(no_key.setup_error());
  EXPECT_TRUE(S3Result{.status = 200}.ok());
}

TEST(S3ClientTest, DescribeNamesTheBucketWhateverTheEndpoint) {
  common::AwsCredentialsChain credentials({.access_key_id = "AK", .secret_access_key = "s"});
  S3Client client({.bucket = "lake", .endpoint = "http://127.0.0.1:9", .force_path_style = true},
                  &credentials);
  EXPECT_EQ(client.Describe("spark/o.ndjson.gz"), "s3://lake/spark/o.ndjson.gz");
}

}  // namespace
}  // namespace sluice::outputs::s3
