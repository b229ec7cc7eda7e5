#include "pipeline/options/secret_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sluice::config {

Result<std::string> ReadSecretFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return InvalidArgument("cannot read " + path + ": it is a directory, not a file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument("cannot read " + path + ": " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return InvalidArgument("cannot read " + path + ": " + std::strerror(errno));
  std::string value = text.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  if (value.empty()) return InvalidArgument(path + " is empty; put the secret in it");
  return value;
}

bool OptionTraits<SecretFile>::Parse(const NodeReader& r, SecretFile* out) {
  std::string path;
  if (!r.Scalar(&path, "a file path")) return false;
  if (path.empty()) {
    r.Error("expected a file path, got an empty string");
    return false;
  }
  Result<std::string> value = ReadSecretFile(path);
  if (!value.ok()) {
    r.Error(value.status().message());
    return false;
  }
  r.diags().NoteSecretFile(SecretFileUse{path, r.where(), r.path()});
  *out = SecretFile{std::move(path), std::move(value).value()};
  return true;
}

}  // namespace sluice::config
