#include "agent/secret_file_check.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>

namespace sluice::agent {

std::string OtherReaders(mode_t mode, gid_t file_gid, gid_t process_gid) {
  if ((mode & S_IROTH) != 0) return "others";
  if ((mode & S_IRGRP) != 0 && file_gid != process_gid) return fmt::format("group {}", file_gid);
  return "";
}

std::vector<std::string> SecretFileWarnings(const std::vector<config::SecretFileUse>& uses) {
  std::vector<std::string> files;  // in the order first noted
  std::map<std::string, std::vector<const config::SecretFileUse*>> by_file;
  for (const config::SecretFileUse& use : uses) {
    auto& list = by_file[use.file];
    if (list.empty()) files.push_back(use.file);
    list.push_back(&use);
  }
  std::vector<std::string> warnings;
  for (const std::string& file : files) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) continue;
    std::string readers = OtherReaders(st.st_mode, st.st_gid, ::getegid());
    if (readers.empty()) continue;
    std::string settings;
    bool literal = false;  // a config file setting a secret, rather than a file read by an option
    for (const config::SecretFileUse* use : by_file[file]) {
      literal = literal || use->where.file == file;
      settings += fmt::format("{}{} at {}", settings.empty() ? "" : ", ", use->option,
                              use->where.ToString());
    }
    warnings.push_back(fmt::format(
        "{} holds a secret ({}{}) and is readable by {} (mode {:04o}); run `chmod 600 {}` (or "
        "`chmod 640` with its group the one sluice runs as, e.g. root:sluice){}",
        file, literal ? "" : "read by ", settings, readers, st.st_mode & 07777, file,
        literal ? ", or set the secret from the environment (${VAR})" : ""));
  }
  return warnings;
}

}  // namespace sluice::agent
