// BucketStore: the s3 output's objects in S3 (or an S3-compatible store: MinIO, Ceph, s3rver).
// An object up to `part_size` is one PutObject; a larger one a multipart upload in parts of
// `part_size`, aborted when a part or the completion fails (no orphaned parts: the caller retries
// the whole object). Every object carries `headers`; offset markers are text/plain.
// Thread-safety: one store per thread (it owns one S3Client, so one libcurl handle); the
// credentials chain is shared.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plugins/common/aws/aws_credentials.h"
#include "plugins/common/aws/s3_client.h"
#include "plugins/outputs/s3/s3_object_store.h"

namespace sluice::outputs::s3 {

struct BucketStoreOptions {
  S3ClientOptions client;
  uint64_t part_size = 16ull << 20;  // larger objects go in parts of this size
  // Of every object (`Content-Type: application/x-ndjson`, Content-Encoding, storage class, SSE).
  std::vector<std::string> headers;
};

class BucketStore final : public ObjectStore {
 public:
  // `credentials` must outlive the store.
  BucketStore(BucketStoreOptions options, common::AwsCredentialsChain* credentials);

  // s3::ObjectStore. Put fails with status 0 when the staging file cannot be read (before any
  // request for a PutObject; a multipart upload already begun is aborted).
  S3Result Put(const std::string& key, const std::string& path, uint64_t size) override;
  S3Result PutText(const std::string& key, const std::string& text) override;
  S3Result Get(const std::string& key, std::string* body) override;
  S3Result Check() override;  // HeadBucket
  std::string Describe(const std::string& key) const override;

 private:
  S3Client client_;
  uint64_t part_size_;
  std::vector<std::string> headers_;
};

}  // namespace sluice::outputs::s3
