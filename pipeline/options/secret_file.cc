#include "pipeline/options/secret_file.h"

#include <utility>

#include "pipeline/read_file.h"

namespace sluice::config {

Result<std::string> ReadSecretFile(const std::string& path) {
  // A token, password or key: 64 KiB is far more than any.
  Result<std::string> content = ReadBoundedFile(path, 64 << 10);
  if (!content.ok()) {
    return InvalidArgument("cannot read " + path + ": " + std::string(content.status().message()));
  }
  std::string value = std::move(content).value();
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
