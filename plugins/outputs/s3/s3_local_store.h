// LocalStore: "local bronze", the s3 output's `endpoint: file://DIR`: objects and markers are files
// DIR/BUCKET/KEY (directories made as needed), the same layout as in the bucket. Each is written
// to KEY.tmp, fsynced, renamed into place and its directory fsynced, so a reader never sees a
// partial object and a stored one survives a crash.
// Thread-safety: one store per thread. Stores over the same directory may run at once (the
// output's thread reads markers while its upload thread writes), but not write the same key at
// once (they would share KEY.tmp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "plugins/outputs/s3/s3_object_store.h"

namespace sluice::outputs::s3 {

class LocalStore final : public ObjectStore {
 public:
  // Objects go under `dir`/`bucket`/; nothing is touched before a call.
  LocalStore(std::string dir, const std::string& bucket);

  // s3::ObjectStore. Failures have status 0 and a message naming the file; Get of a missing key is
  // 404 NoSuchKey; Check makes DIR/BUCKET.
  S3Result Put(const std::string& key, const std::string& path, uint64_t size) override;
  S3Result PutText(const std::string& key, const std::string& text) override;
  S3Result Get(const std::string& key, std::string* body) override;
  S3Result Check() override;
  std::string Describe(const std::string& key) const override;  // DIR/BUCKET/KEY

 private:
  std::filesystem::path root_;
};

}  // namespace sluice::outputs::s3
