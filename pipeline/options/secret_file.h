// SecretFile: an option naming a file that holds a secret (`token_file: /etc/sluice/admin-token`),
// so that the secret stays out of the config. The file is read where the config names it, when
// the config is loaded (by `run` and `validate` alike): its content, less trailing newlines, is
// the secret. A missing, unreadable or empty file is a config error at the option's line:column.
// The path is shown and documented as is; the content never is. The file is noted in the
// diagnostics as holding a secret (secret_files()), for the file-permission warning.
// Thread-safety: a plain value once parsed.
#pragma once

#include <string>

#include "pipeline/options/config_value.h"
#include "pipeline/options/option_types.h"

namespace sluice::config {

struct SecretFile {
  std::string path;   // "" when the option is not set
  std::string value;  // the file's content without trailing '\n' and '\r'

  bool empty() const { return path.empty(); }
};

// Reads the secret in `path`: its content without trailing newlines, or the reason it cannot be
// used ("cannot read PATH: No such file or directory", "PATH is empty").
Result<std::string> ReadSecretFile(const std::string& path);

template <>
struct OptionTraits<SecretFile> {
  static constexpr const char* kType = "path";
  static bool Parse(const NodeReader& r, SecretFile* out);
  static std::string Format(const SecretFile& v) {
    return v.path.empty() ? "" : "`" + v.path + "`";
  }
  static ConfigValue Show(const SecretFile& v) { return ConfigValue::String(v.path); }
};

}  // namespace sluice::config
