// S3Client's pure parts: the body digests S3 checks, and how results read in logs. The requests
// themselves are covered through BucketStore (s3_bucket_store_test.cc) and the integration tests.
#include "plugins/common/aws/s3_client.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::common {
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
}  // namespace sluice::common

namespace sluice::common {
namespace {

// A ListObjectsV2 answer as S3 writes it: entities in keys, a truncated page with its token.
TEST(S3ListingTest, ParsesKeysSizesEtagsAndTheNextPage) {
  const std::string xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>logs</Name><Prefix>j-1/</Prefix>
<KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>
<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
<Contents><Key>j-1/containers/a&amp;b/stderr.gz</Key><LastModified>2017-06-09T20:10:40.000Z</LastModified>
<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>1024</Size><StorageClass>STANDARD</StorageClass></Contents>
<Contents><Key>j-1/containers/c/stdout</Key><LastModified>2017-06-09T20:11:00.000Z</LastModified>
<ETag>"abc"</ETag><Size>7</Size></Contents></ListBucketResult>)";
  S3Listing listing;
  ASSERT_TRUE(S3Listing::Parse(xml, &listing));
  ASSERT_EQ(listing.objects.size(), 2u);
  EXPECT_EQ(listing.objects[0].key, "j-1/containers/a&b/stderr.gz");
  EXPECT_EQ(listing.objects[0].size, 1024u);
  EXPECT_EQ(listing.objects[0].etag, "\"9b2cf535f27731c974343645a3985328\"");
  EXPECT_EQ(listing.objects[1].key, "j-1/containers/c/stdout");
  EXPECT_TRUE(listing.truncated);
  EXPECT_EQ(listing.next_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");

  ASSERT_TRUE(
      S3Listing::Parse("<ListBucketResult><IsTruncated>false</IsTruncated>"
                       "</ListBucketResult>",
                       &listing));
  EXPECT_TRUE(listing.objects.empty());
  EXPECT_FALSE(listing.truncated);
  EXPECT_FALSE(S3Listing::Parse("<Error><Code>AccessDenied</Code></Error>", &listing));
  EXPECT_FALSE(
      S3Listing::Parse("<ListBucketResult><IsTruncated>true</IsTruncated>"
                       "</ListBucketResult>",
                       &listing))
      << "a truncated page without a token cannot be continued";
}

}  // namespace
}  // namespace sluice::common
