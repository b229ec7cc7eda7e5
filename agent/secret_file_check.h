// The check behind the warning about secrets that others can read: a file holding a secret (a
// config file that sets a secret option to a literal value, or the file a `token_file` reads) must
// not be readable by other users: not by "others", and not by its group unless that is the group
// Sluice runs as (`root:sluice`, mode 0640, is fine for a service running as group sluice). A
// warning, never an error: the file is already readable, refusing to start would not help.
// Thread-safety: pure functions, except that SecretFileWarnings reads the files' metadata.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "pipeline/options/diagnostics.h"

namespace sluice::agent {

// Who besides the owner can read a file of `mode` and group `file_gid`, for a process whose group
// is `process_gid`: "others", "group GID", or "" for nobody.
std::string OtherReaders(mode_t mode, gid_t file_gid, gid_t process_gid);

// One warning per file of `uses` that others can read (in the order the files were first noted),
// naming the file, the settings that put a secret in it, and the fix. Files that cannot be
// stat()ed (gone, or a config given as text) are skipped.
std::vector<std::string> SecretFileWarnings(const std::vector<config::SecretFileUse>& uses);

}  // namespace sluice::agent
