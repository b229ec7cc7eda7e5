#include "plugins/outputs/s3/s3_bucket_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

namespace sluice::outputs::s3 {

namespace {

// Reads `size` bytes at `offset` of `path` into `out`.
bool ReadRange(const std::string& path, uint64_t offset, uint64_t size, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  in.seekg(static_cast<std::streamoff>(offset));
  out.resize(size);
  in.read(out.data(), static_cast<std::streamsize>(size));
  return static_cast<uint64_t>(in.gcount()) == size;
}

S3Result LocalError(const std::string& path) {
  S3Result r;
  r.message = fmt::format("cannot read the staging file {}", path);
  return r;
}

}  // namespace

BucketStore::BucketStore(BucketStoreOptions options, common::AwsCredentialsChain* credentials)
    : client_(std::move(options.client), credentials),
      part_size_(options.part_size),
      headers_(std::move(options.headers)) {}

S3Result BucketStore::Put(const std::string& key, const std::string& path, uint64_t size) {
  std::string body;
  if (size <= part_size_) {
    if (!ReadRange(path, 0, size, body)) return LocalError(path);
    return client_.PutObject(key, body, headers_);
  }
  std::string upload_id;
  S3Result r = client_.CreateMultipartUpload(key, headers_, &upload_id);
  if (!r.ok()) return r;
  std::vector<std::string> etags;
  for (uint64_t at = 0; at < size; at += part_size_) {
    uint64_t n = std::min<uint64_t>(part_size_, size - at);
    if (!ReadRange(path, at, n, body)) r = LocalError(path);
    std::string etag;
    if (r.ok())
      r = client_.UploadPart(key, upload_id, static_cast<int>(etags.size() + 1), body, &etag);
    if (!r.ok()) {
      (void)client_.AbortMultipartUpload(key, upload_id);  // best effort: no orphaned parts
      return r;
    }
    etags.push_back(etag);
  }
  r = client_.CompleteMultipartUpload(key, upload_id, etags);
  if (!r.ok()) (void)client_.AbortMultipartUpload(key, upload_id);
  return r;
}

S3Result BucketStore::PutText(const std::string& key, const std::string& text) {
  return client_.PutObject(key, text, {"Content-Type: text/plain"});
}

S3Result BucketStore::Get(const std::string& key, std::string* body) {
  return client_.GetObject(key, body);
}

S3Result BucketStore::Check() { return client_.HeadBucket(); }

std::string BucketStore::Describe(const std::string& key) const { return client_.Describe(key); }

}  // namespace sluice::outputs::s3
