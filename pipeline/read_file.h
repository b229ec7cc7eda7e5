// ReadBoundedFile: reads a file that a config names (the config files themselves, secrets,
// pattern files, templates, credentials) whole, with an upper bound. A path that names a
// directory, a device or a pipe by mistake (`token_file: /dev/zero`, a FIFO) or a huge file (a
// log instead of a pattern file) is an error that says so, never a hang or an out-of-memory.
// Thread-safety: a pure function of the file system.
#pragma once

#include <cstddef>
#include <string>

#include "pipeline/status.h"

namespace sluice {

// The content of `path` when it is a regular file (symbolic links followed, as Kubernetes
// mounts secrets) of at most `max_bytes`. Otherwise an InvalidArgument whose message is the
// reason alone, for the caller to prefix with the path and the option: "No such file or
// directory", "it is a directory, not a file", "it is not a regular file (a device, pipe or
// socket)", "it is larger than 64 KiB; is it the right file?".
Result<std::string> ReadBoundedFile(const std::string& path, size_t max_bytes);

}  // namespace sluice
