#include "plugins/outputs/s3/s3_local_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <fstream>
#include <iterator>

namespace sluice::outputs::s3 {

namespace fs = std::filesystem;

namespace {

// `target` + ".tmp", its directory made.
fs::path TmpFor(const fs::path& target) {
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);  // a failure shows when writing
  fs::path tmp = target;
  tmp += ".tmp";
  return tmp;
}

S3Result Ok() {
  S3Result r;
  r.status = 200;
  return r;
}

S3Result Error(const fs::path& path, const std::string& why) {
  S3Result r;
  r.message = fmt::format("{}: {}", path.string(), why);
  return r;
}

// Fsyncs `tmp`, renames it to `target` and fsyncs the directory.
S3Result Commit(const fs::path& tmp, const fs::path& target) {
  int fd = ::open(tmp.c_str(), O_RDONLY);
  bool synced = fd >= 0 && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  if (!synced) return Error(tmp, "fsync failed");
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) return Error(target, ec.message());
  int dir = ::open(target.parent_path().c_str(), O_RDONLY | O_DIRECTORY);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return Ok();
}

}  // namespace

LocalStore::LocalStore(std::string dir, const std::string& bucket)
    : root_(fs::path(dir) / bucket) {}

S3Result LocalStore::Put(const std::string& key, const std::string& path, uint64_t) {
  fs::path target = root_ / key, tmp = TmpFor(target);
  std::error_code ec;
  fs::copy_file(path, tmp, fs::copy_options::overwrite_existing, ec);
  if (ec) return Error(tmp, ec.message());
  return Commit(tmp, target);
}

S3Result LocalStore::PutText(const std::string& key, const std::string& text) {
  fs::path target = root_ / key, tmp = TmpFor(target);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) return Error(tmp, "write failed");
  }
  return Commit(tmp, target);
}

S3Result LocalStore::Get(const std::string& key, std::string* body) {
  S3Result r;
  std::ifstream in(root_ / key, std::ios::binary);
  if (!in) {
    r.status = 404;
    r.code = "NoSuchKey";
    return r;
  }
  body->assign(std::istreambuf_iterator<char>(in), {});
  return Ok();
}

S3Result LocalStore::Check() {
  std::error_code ec;
  fs::create_directories(root_, ec);
  if (ec) return Error(root_, ec.message());
  return Ok();
}

std::string LocalStore::Describe(const std::string& key) const { return (root_ / key).string(); }

}  // namespace sluice::outputs::s3
