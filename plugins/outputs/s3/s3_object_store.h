// ObjectStore: where the s3 output's objects and offset markers go: an S3 bucket (BucketStore,
// s3_bucket_store.h) or a local directory laid out like one (LocalStore, s3_local_store.h).
// Every call answers with an S3Result: ok() when done; otherwise status 0 for a failure without an
// answer (a connection error, a local I/O error: message says what), or S3's HTTP status and code.
// A key that does not exist is status 404.
// Thread-safety: one store per thread (the output gives its thread and its upload thread one each).
#pragma once

#include <cstdint>
#include <string>

#include "plugins/common/aws/s3_client.h"

namespace sluice::outputs::s3 {

using common::S3Client;
using common::S3ClientOptions;
using common::S3Result;

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Stores the staging file `path` (`size` bytes: all of it) under `key`, replacing what is there.
  virtual S3Result Put(const std::string& key, const std::string& path, uint64_t size) = 0;
  // Stores `text` (an offset marker) under `key`, replacing what is there.
  virtual S3Result PutText(const std::string& key, const std::string& text) = 0;
  // The content of `key` into `body`; 404 when there is none.
  virtual S3Result Get(const std::string& key, std::string* body) = 0;
  // Whether objects can be stored at all (the bucket exists and answers, or the directory exists or
  // could be made).
  virtual S3Result Check() = 0;
  // Where `key` goes, for logs (`s3://bucket/key`, or a local path).
  virtual std::string Describe(const std::string& key) const = 0;
};

}  // namespace sluice::outputs::s3
