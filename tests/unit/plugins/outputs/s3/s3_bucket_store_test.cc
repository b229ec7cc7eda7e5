// BucketStore: how objects and markers become S3 requests (PutObject, the multipart calls, the
// abort after a failure), against a fake S3 on 127.0.0.1.
#include "plugins/outputs/s3/s3_bucket_store.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/unit/test_util.h"

namespace sluice::outputs::s3 {
namespace {

namespace fs = std::filesystem;

// What the fake S3 was asked: "METHOD key?query" lines, and the bodies and headers by key.
class FakeS3 {
 public:
  FakeS3() {
    auto handle = [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); };
    server_.Put("/lake/(.*)", handle);
    server_.Post("/lake/(.*)", handle);
    server_.Get("/lake/(.*)", handle);
    server_.Delete("/lake/(.*)", handle);
    server_.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
      if (req.method != "HEAD") return httplib::Server::HandlerResponse::Unhandled;
      res.status = req.path == "/lake/" || req.path == "/lake" ? 200 : 404;
      return httplib::Server::HandlerResponse::Handled;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the loop runs would be lost (and join() would hang): wait for it.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeS3() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<std::string> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  std::string object(const std::string& key) {
    std::lock_guard lock(mu_);
    return objects_[key];
  }
  std::string header(const std::string& key, const std::string& name) {
    std::lock_guard lock(mu_);
    return headers_[key][name];
  }
  std::string completion() {
    std::lock_guard lock(mu_);
    return completion_;
  }
  void FailPart(int part) { fail_part_ = part; }

 private:
  void Handle(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu_);
    const std::string key = req.matches[1];
    std::string call = req.method + " " + key;
    if (req.has_param("uploads")) call += "?uploads";
    if (req.has_param("partNumber")) call += "?partNumber=" + req.get_param_value("partNumber");
    if (req.has_param("uploadId") && !req.has_param("partNumber")) call += "?uploadId";
    calls_.push_back(call);
    if (req.method == "POST" && req.has_param("uploads")) {
      for (const char* name : {"Content-Type", "Content-Encoding", "x-amz-storage-class"}) {
        headers_[key][name] = req.get_header_value(name);
      }
      res.set_content(
          "<InitiateMultipartUploadResult><UploadId>up+1</UploadId>"
          "</InitiateMultipartUploadResult>",
          "application/xml");
    } else if (req.method == "PUT" && req.has_param("partNumber")) {
      int part = std::stoi(req.get_param_value("partNumber"));
      if (part == fail_part_ || req.get_param_value("uploadId") != "up+1") {
        res.status = 500;
        res.set_content("<Error><Code>InternalError</Code><Message>try again</Message></Error>",
                        "application/xml");
        return;
      }
      parts_[part] = req.body;
      res.set_header("ETag", "\"etag-" + std::to_string(part) + "\"");
    } else if (req.method == "POST") {
      completion_ = req.body;
      std::string whole;
      for (const auto& [n, body] : parts_) whole += body;
      objects_[key] = whole;
      res.set_content("<CompleteMultipartUploadResult></CompleteMultipartUploadResult>",
                      "application/xml");
    } else if (req.method == "PUT") {
      objects_[key] = req.body;
      for (const char* name : {"Content-Type", "Content-Encoding", "x-amz-storage-class"}) {
        headers_[key][name] = req.get_header_value(name);
      }
      res.set_header("ETag", "\"etag\"");
    } else if (req.method == "GET") {
      auto it = objects_.find(key);
      if (it == objects_.end()) {
        res.status = 404;
        res.set_content("<Error><Code>NoSuchKey</Code><Message>none</Message></Error>",
                        "application/xml");
        return;
      }
      res.set_content(it->second, "application/octet-stream");
    } else if (req.method == "DELETE") {
      res.status = 204;
    }
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> calls_;
  std::map<std::string, std::string> objects_;
  std::map<std::string, std::map<std::string, std::string>> headers_;
  std::map<int, std::string> parts_;
  std::string completion_;
  int fail_part_ = 0;
};

class BucketStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::FreshTestDir("sluice_s3_bucket_store"); }
  void TearDown() override { fs::remove_all(dir_); }
  // The objects say zstd, not gzip: cpp-httplib's server would gunzip a gzip-labelled body (and
  // refuse these test bytes, which are not gzip); it passes zstd through.
  std::unique_ptr<BucketStore> Make(uint64_t part_size) {
    return std::make_unique<BucketStore>(
        BucketStoreOptions{
            .client = {.bucket = "lake",
                       .region = "eu-west-1",
                       .endpoint = s3_.url(),
                       .force_path_style = true},
            .part_size = part_size,
            .headers = {"Content-Type: application/x-ndjson", "Content-Encoding: zstd",
                        "x-amz-storage-class: STANDARD_IA"}},
        &credentials_);
  }
  std::string Staging(const std::string& content) {
    std::ofstream(dir_ / "staging", std::ios::binary | std::ios::trunc) << content;
    return (dir_ / "staging").string();
  }
  fs::path dir_;
  FakeS3 s3_;
  common::AwsCredentialsChain credentials_{
      common::AwsCredentialsOptions{.access_key_id = "AK", .secret_access_key = "secret"},
      [](const std::string&) -> std::optional<std::string> { return std::nullopt; }};
};

// Up to part_size: one PutObject with the object headers; a marker is text/plain and reads back.
TEST_F(BucketStoreTest, ASmallObjectIsOnePutObject) {
  auto store = Make(16);
  ASSERT_TRUE(store->Check().ok());
  S3Result r = store->Put("p/o.ndjson.zst", Staging("0123456789abcdef"), 16);
  ASSERT_TRUE(r.ok()) << r.ToString();
  EXPECT_EQ(s3_.object("p/o.ndjson.zst"), "0123456789abcdef");
  EXPECT_EQ(s3_.header("p/o.ndjson.zst", "Content-Type"), "application/x-ndjson");
  EXPECT_EQ(s3_.header("p/o.ndjson.zst", "Content-Encoding"), "zstd");
  EXPECT_EQ(s3_.header("p/o.ndjson.zst", "x-amz-storage-class"), "STANDARD_IA");
  ASSERT_TRUE(store->PutText("_sluice/offsets/spark+3", "1099\n").ok());
  EXPECT_EQ(s3_.header("_sluice/offsets/spark+3", "Content-Type"), "text/plain");
  std::string body;
  ASSERT_TRUE(store->Get("_sluice/offsets/spark+3", &body).ok());
  EXPECT_EQ(body, "1099\n");
  S3Result missing = store->Get("_sluice/offsets/spark+4", &body);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.code, "NoSuchKey");
  EXPECT_EQ(s3_.calls(), (std::vector<std::string>{
                             "PUT p/o.ndjson.zst", "PUT _sluice/offsets/spark+3",
                             "GET _sluice/offsets/spark+3", "GET _sluice/offsets/spark+4"}));
  EXPECT_EQ(store->Describe("p/o.ndjson.zst"), "s3://lake/p/o.ndjson.zst");
}

// Above part_size: a multipart upload in parts of part_size (the last one shorter), completed
// with the parts' ETags in order.
TEST_F(BucketStoreTest, ALargeObjectGoesInParts) {
  auto store = Make(4);
  S3Result r = store->Put("p/o.ndjson.zst", Staging("abcdefghij"), 10);
  ASSERT_TRUE(r.ok()) << r.ToString();
  EXPECT_EQ(s3_.calls(), (std::vector<std::string>{
                             "POST p/o.ndjson.zst?uploads", "PUT p/o.ndjson.zst?partNumber=1",
                             "PUT p/o.ndjson.zst?partNumber=2", "PUT p/o.ndjson.zst?partNumber=3",
                             "POST p/o.ndjson.zst?uploadId"}));
  EXPECT_EQ(s3_.object("p/o.ndjson.zst"), "abcdefghij");
  EXPECT_EQ(s3_.header("p/o.ndjson.zst", "Content-Encoding"), "zstd");
  EXPECT_EQ(s3_.completion(),
            "<CompleteMultipartUpload>"
            "<Part><PartNumber>1</PartNumber><ETag>\"etag-1\"</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>\"etag-2\"</ETag></Part>"
            "<Part><PartNumber>3</PartNumber><ETag>\"etag-3\"</ETag></Part>"
            "</CompleteMultipartUpload>");
}

// A failed part aborts the upload (no orphaned parts) and is the answer; nothing is completed.
TEST_F(BucketStoreTest, AFailedPartAbortsTheUpload) {
  auto store = Make(4);
  s3_.FailPart(2);
  S3Result r = store->Put("p/o.ndjson.zst", Staging("abcdefghij"), 10);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.code, "InternalError");
  EXPECT_EQ(s3_.calls(), (std::vector<std::string>{
                             "POST p/o.ndjson.zst?uploads", "PUT p/o.ndjson.zst?partNumber=1",
                             "PUT p/o.ndjson.zst?partNumber=2", "DELETE p/o.ndjson.zst?uploadId"}));
}

// A staging file that cannot be read fails without a request (status 0, naming the file).
TEST_F(BucketStoreTest, AnUnreadableStagingFileSendsNothing) {
  auto store = Make(16);
  S3Result r = store->Put("p/o.ndjson.zst", (dir_ / "gone").string(), 10);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.message, "cannot read the staging file " + (dir_ / "gone").string());
  EXPECT_TRUE(s3_.calls().empty());
}

}  // namespace
}  // namespace sluice::outputs::s3
