// GlobSet: the `include`/`exclude` patterns of the file input. Patterns are absolute paths whose
// segments use fnmatch(3) syntax (`*`, `?`, `[...]`, `\` escapes; `*` does not cross `/`), plus:
//  - `**` as a whole segment for zero or more directories (`/var/log/**/stderr`); a trailing `**`
//    matches every file at any depth below (`/data/**`). `**` inside a segment is a plain `*`.
//  - brace alternatives, expanded at Compile() into several patterns (`/x/{stderr,stdout}`,
//    `*.log{,.1}`); braces may nest.
// As in Filebeat (Go's filepath.Match), wildcards match a leading dot: `*` matches `.hidden`, and
// `**` enters hidden directories.
// An exclude pattern without a `/` is matched against the file's base name (`*.gz`), otherwise
// against the whole path (and must then be absolute).
// Thread-safety: immutable after Compile(); Expand() does file-system I/O and may run anywhere.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/status.h"

namespace sluice::inputs::file {

class GlobSet {
 public:
  // Expands braces and normalizes the patterns (collapses `//`, drops `.` segments and a trailing
  // `/`). Fails with kInvalidArgument naming the pattern when one is empty, an include (or an
  // exclude containing `/`) is not absolute, braces are unbalanced, a segment is `..`, or braces
  // expand to more than 1024 patterns.
  static Result<GlobSet> Compile(std::vector<std::string> include,
                                 std::vector<std::string> exclude);

  // Whether `path` (absolute, normalized: no `//`, `.` or `..` segments) matches an include and no
  // exclude pattern. Pure string matching, no I/O.
  bool Matches(std::string_view path) const;

  // Every regular file (following symlinks to files; not following symlinked directories under
  // `**`, to avoid cycles; a symlinked directory matched by a plain segment is followed) whose path
  // matches, sorted and without duplicates. Paths are listed as matched, not as symlink targets.
  // Walks only below each include's fixed directory prefix (its segments before the first one
  // with a wildcard); unreadable or missing directories are skipped. At most `limit` paths: the
  // first ones in sorted order.
  std::vector<std::string> Expand(size_t limit = 1'000'000) const;

  // The directories to watch for new entries: every existing directory that can hold a match or
  // a directory on the way to one (for `**`, every directory below the prefix; when an include's
  // fixed prefix does not exist, its nearest existing ancestor), sorted, at most `limit` (the first
  // ones in sorted order).
  std::vector<std::string> WatchDirectories(size_t limit = 10'000) const;

  // Expand() and WatchDirectories() from one walk of the tree (what a rescan needs).
  void ExpandWithWatchDirectories(std::vector<std::string>* files, std::vector<std::string>* dirs,
                                  size_t file_limit = 1'000'000, size_t dir_limit = 10'000) const;

  // The patterns after brace expansion and normalization, without duplicates.
  const std::vector<std::string>& include() const { return include_; }
  const std::vector<std::string>& exclude() const { return exclude_; }

 private:
  // One normalized pattern split at `/`; a trailing `**` is stored as `**`, `*`.
  struct Pattern {
    std::vector<std::string> segments;
    size_t fixed = 0;  // leading literal segments that form the walk's start directory
  };

  class Walker;  // the directory walk behind Expand() and WatchDirectories()

  bool Excluded(const std::vector<std::string>& path_segments) const;

  std::vector<std::string> include_;
  std::vector<std::string> exclude_;
  std::vector<Pattern> include_patterns_;
  std::vector<Pattern> exclude_paths_;      // excludes containing `/`
  std::vector<std::string> exclude_names_;  // excludes matched against the base name
};

}  // namespace sluice::inputs::file
