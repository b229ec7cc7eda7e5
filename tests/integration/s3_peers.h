// S3 protocol peers for integration tests: moto_server (Python's moto, with IAM auth so that it
// checks SigV4 signatures), s3rver (npm, no signature checks), and Debian's awscli as the outside
// client that creates buckets, uploads fixtures and reads back what Sluice wrote.
// Thread-safety: none; used by the test's thread.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/free_port.h"
#include "tests/integration/subprocess.h"

namespace sluice::testing {

inline constexpr char kAws[] = "/usr/bin/aws";
inline constexpr char kS3rverKeys[] = "AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER";

inline std::string FindInPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    std::filesystem::path p = std::filesystem::path(dir) / name;
    if (::access(p.c_str(), X_OK) == 0) return p.string();
  }
  return "";
}

// /usr/bin/aws, its output files in `dir`.
struct AwsCli {
  std::filesystem::path dir;
  // Runs /usr/bin/aws with `env` ("KEY=value ...") against `endpoint`; returns its stdout (a
  // failure fails the test).
  std::string Run(const std::string& env, const std::string& endpoint,
                  const std::string& args) const {
    std::filesystem::path out = dir / "aws.out", err = dir / "aws.err";
    std::string cmd = "env AWS_DEFAULT_REGION=us-east-1 " + env + " " + kAws + " --endpoint-url " +
                      endpoint + " " + args + " >" + out.string() + " 2>" + err.string();
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd << ": " << ReadFile(err);
    return ReadFile(out);
  }
};

// moto_server with IAM auth: a user and its access key, made by the first unchecked calls (the
// readiness probe and three IAM calls).
class Moto {
 public:
  Moto(const AwsCli& aws, const std::filesystem::path& dir) : port_(FreePort()) {
    std::string moto = FindInPath("moto_server");
    if (moto.empty()) return;
    std::filesystem::create_directories(dir);
    process_ = std::make_unique<Subprocess>(
        std::vector<std::string>{"/usr/bin/env", "INITIAL_NO_AUTH_ACTION_COUNT=4", moto, "-H",
                                 "127.0.0.1", "-p", std::to_string(port_)},
        dir);
    httplib::Client client("127.0.0.1", port_);
    EXPECT_TRUE(
        WaitUntil([&] { return static_cast<bool>(client.Get("/")); }, std::chrono::seconds(30)))
        << process_->Stderr();
    const std::string boot = "AWS_ACCESS_KEY_ID=boot AWS_SECRET_ACCESS_KEY=boot";
    aws.Run(boot, endpoint(), "iam create-user --user-name sluice");
    aws.Run(boot, endpoint(),
            "iam put-user-policy --user-name sluice --policy-name all --policy-document "
            "'{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\","
            "\"Resource\":\"*\"}]}'");
    std::string key = aws.Run(boot, endpoint(),
                              "iam create-access-key --user-name sluice --query "
                              "'AccessKey.[AccessKeyId,SecretAccessKey]' --output text");
    std::stringstream in(key);
    in >> key_ >> secret_;
    aws.Run(env(), endpoint(), "s3 mb s3://bronze");
  }
  bool available() const { return process_ != nullptr; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string env() const {
    return "AWS_ACCESS_KEY_ID=" + key_ + " AWS_SECRET_ACCESS_KEY=" + secret_;
  }
  const std::string& key() const { return key_; }
  const std::string& secret() const { return secret_; }

 private:
  int port_;
  std::unique_ptr<Subprocess> process_;
  std::string key_, secret_;
};

// s3rver (npm; scripts/deps.sh installs it under tests/tools/s3rver): an S3 protocol server that
// does not check signatures (access key S3RVER), with bucket `lake`, stopped and started again on
// the same port and data directory.
class S3rver {
 public:
  explicit S3rver(const std::filesystem::path& dir) : dir_(dir), port_(FreePort()) {
    if (std::filesystem::exists(Binary())) Start();
  }
  static std::string Binary() {
    return std::string(SLUICE_SOURCE_DIR) + "/tests/tools/s3rver/node_modules/.bin/s3rver";
  }
  bool available() const { return process_ != nullptr; }
  void Start() {
    std::filesystem::create_directories(dir_ / "data");
    process_ = std::make_unique<Subprocess>(
        // OpenSSL 3 leaves out DES, which s3rver 3.7 uses for ListObjectsV2 continuation tokens:
        // without the legacy provider, a listing of more than one page fails with 500.
        std::vector<std::string>{"/usr/bin/env", "NODE_OPTIONS=--openssl-legacy-provider", Binary(),
                                 "-d", (dir_ / "data").string(), "-a", "127.0.0.1", "-p",
                                 std::to_string(port_), "--configure-bucket", "lake", "-s"},
        dir_);
    httplib::Client client("127.0.0.1", port_);
    EXPECT_TRUE(
        WaitUntil([&] { return static_cast<bool>(client.Get("/")); }, std::chrono::seconds(30)))
        << process_->Stderr();
  }
  void Stop() {
    process_->Signal(SIGKILL);
    process_->WaitFor(std::chrono::seconds(10));
  }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  std::filesystem::path dir_;
  int port_;
  std::unique_ptr<Subprocess> process_;
};

}  // namespace sluice::testing
