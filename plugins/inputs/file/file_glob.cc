#include "plugins/inputs/file/file_glob.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <set>
#include <utility>

namespace sluice::inputs::file {
namespace {

constexpr size_t kMaxBraceExpansions = 1024;
constexpr std::string_view kDoubleStar = "**";

// The index of the `]` closing the bracket expression that opens at `open`, or npos when there is
// none (fnmatch then reads the `[` literally). A bracket expression never spans a `/`.
size_t BracketEnd(std::string_view p, size_t open) {
  size_t i = open + 1;
  if (i < p.size() && (p[i] == '!' || p[i] == '^')) ++i;
  if (i < p.size() && p[i] == ']') ++i;  // a leading `]` is a member, not the end
  for (; i < p.size(); ++i) {
    char c = p[i];
    if (c == '/') return std::string_view::npos;
    if (c == ']') return i;
    if (c == '\\') {
      ++i;
    } else if (c == '[' && i + 1 < p.size() &&
               (p[i + 1] == ':' || p[i + 1] == '.' || p[i + 1] == '=')) {
      // `[:alpha:]`, `[.x.]`, `[=e=]`: skip to the matching `:]`, `.]` or `=]`.
      char kind = p[i + 1];
      size_t close = p.find(std::string{kind, ']'}, i + 2);
      if (close == std::string_view::npos) return std::string_view::npos;
      i = close + 1;
    }
  }
  return std::string_view::npos;
}

// Calls `visit(index, c)` for every character of `p` that is neither escaped by `\` nor inside a
// bracket expression.
template <typename Visit>
void ForEachActive(std::string_view p, Visit visit) {
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\') {
      ++i;
    } else if (p[i] == '[') {
      size_t end = BracketEnd(p, i);
      if (end != std::string_view::npos) i = end;
    } else {
      visit(i, p[i]);
    }
  }
}

bool BracesBalanced(std::string_view p) {
  int depth = 0;
  bool ok = true;
  ForEachActive(p, [&](size_t, char c) {
    if (c == '{') ++depth;
    if (c == '}' && --depth < 0) ok = false;
  });
  return ok && depth == 0;
}

// Appends to `out` the patterns `p` stands for once its (balanced) braces are expanded, the first
// alternative first. Returns false when that would make `out` longer than kMaxBraceExpansions.
bool ExpandBraces(const std::string& p, std::vector<std::string>& out) {
  size_t open = std::string::npos;
  size_t close = std::string::npos;
  std::vector<size_t> commas;
  int depth = 0;
  ForEachActive(p, [&](size_t i, char c) {
    if (close != std::string::npos) return;
    if (c == '{') {
      if (depth++ == 0) open = i;
    } else if (c == '}') {
      if (--depth == 0) close = i;
    } else if (c == ',' && depth == 1) {
      commas.push_back(i);
    }
  });
  if (open == std::string::npos) {
    if (out.size() >= kMaxBraceExpansions) return false;
    out.push_back(p);
    return true;
  }
  std::string head = p.substr(0, open);
  std::string tail = p.substr(close + 1);
  size_t begin = open + 1;
  commas.push_back(close);
  for (size_t end : commas) {
    if (!ExpandBraces(head + p.substr(begin, end - begin) + tail, out)) return false;
    begin = end + 1;
  }
  return true;
}

bool HasWildcard(std::string_view segment) {
  bool wild = false;
  for (size_t i = 0; i < segment.size() && !wild; ++i) {
    if (segment[i] == '\\') {
      ++i;
    } else {
      wild = segment[i] == '*' || segment[i] == '?' || segment[i] == '[';
    }
  }
  return wild;
}

// The file name a wildcard-free segment stands for: its `\` escapes removed.
std::string Unescape(std::string_view segment) {
  std::string name;
  for (size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] == '\\' && i + 1 < segment.size()) ++i;
    name.push_back(segment[i]);
  }
  return name;
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> segments;
  size_t begin = 0;
  while (begin <= path.size()) {
    size_t end = path.find('/', begin);
    if (end == std::string_view::npos) end = path.size();
    if (end > begin) segments.emplace_back(path.substr(begin, end - begin));
    begin = end + 1;
  }
  return segments;
}

std::string JoinPath(const std::vector<std::string>& segments, size_t count) {
  if (count == 0) return "/";
  std::string path;
  for (size_t i = 0; i < count; ++i) path += "/" + segments[i];
  return path;
}

std::string Child(const std::string& dir, std::string_view name) {
  std::string path = dir;
  if (path.back() != '/') path.push_back('/');
  path.append(name);
  return path;
}

bool SegmentMatches(const std::string& pattern, const std::string& name) {
  return ::fnmatch(pattern.c_str(), name.c_str(), FNM_PATHNAME) == 0;
}

// Whether the path segments match the pattern segments, `**` standing for any number of path
// segments. Greedy with one backtracking point, as for `*` in a string: O(patterns * segments).
bool SegmentsMatch(const std::vector<std::string>& pattern, const std::vector<std::string>& path) {
  size_t p = 0;
  size_t s = 0;
  size_t star = std::string::npos;  // pattern index of the last `**` seen
  size_t star_s = 0;                // path index that `**` was last tried to end at
  while (s < path.size()) {
    if (p < pattern.size() && pattern[p] == kDoubleStar) {
      star = p++;
      star_s = s;
    } else if (p < pattern.size() && SegmentMatches(pattern[p], path[s])) {
      ++p;
      ++s;
    } else if (star != std::string::npos) {
      p = star + 1;
      s = ++star_s;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == kDoubleStar) ++p;
  return p == pattern.size();
}

// Normalizes one brace-free pattern into `text` and segments; returns an error message or "".
std::string Normalize(const std::string& pattern, std::string& text,
                      std::vector<std::string>& segments) {
  segments.clear();
  for (std::string& segment : SplitPath(pattern)) {
    if (segment == ".") continue;
    if (segment == "..") return "must not contain '..'";
    if (segment == kDoubleStar && !segments.empty() && segments.back() == kDoubleStar) continue;
    segments.push_back(std::move(segment));
  }
  text = JoinPath(segments, segments.size());
  if (!segments.empty() && segments.back() == kDoubleStar) segments.emplace_back("*");
  return "";
}

// A set of at most `limit` strings that keeps the smallest ones.
class BoundedSet {
 public:
  explicit BoundedSet(size_t limit) : limit_(limit) {}

  void Insert(std::string value) {
    if (set_.size() < limit_) {
      set_.insert(std::move(value));
    } else if (limit_ > 0 && value < *set_.rbegin() && set_.insert(std::move(value)).second) {
      set_.erase(std::prev(set_.end()));
    }
  }
  std::vector<std::string> Take() { return {set_.begin(), set_.end()}; }

 private:
  size_t limit_;
  std::set<std::string> set_;
};

enum class Kind { kOther, kFile, kDirectory };

Kind KindOf(const struct stat& st) {
  if (S_ISREG(st.st_mode)) return Kind::kFile;
  if (S_ISDIR(st.st_mode)) return Kind::kDirectory;
  return Kind::kOther;
}

// What `path` is, following symlinks; kOther when it does not exist.
Kind KindAt(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Kind::kOther;
  return KindOf(st);
}

// What the entry `name` of the open directory `dir_fd` is, following symlinks when `follow`
// (a symlink itself is then kOther). Uses readdir's d_type when it is enough.
Kind EntryKind(int dir_fd, const char* name, unsigned char d_type, bool follow) {
  if (d_type == DT_REG) return Kind::kFile;
  if (d_type == DT_DIR) return Kind::kDirectory;
  if (d_type != DT_UNKNOWN && (d_type != DT_LNK || !follow)) return Kind::kOther;
  struct stat st;
  if (::fstatat(dir_fd, name, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW) != 0) return Kind::kOther;
  return KindOf(st);
}

// Reads the directory `dir` and calls `visit(dir_fd, name, d_type)` for each entry but `.` and
// `..`. When `id` is not null it receives the directory's device and inode. Returns false when the
// directory cannot be opened. The directory is closed on return, so callers collect what to
// descend into and recurse afterwards: a deep walk holds no file descriptors.
template <typename Visit>
bool ReadDirectory(const std::string& dir, std::pair<dev_t, ino_t>* id, Visit visit) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return false;
  int fd = ::dirfd(d);
  if (id != nullptr) {
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      ::closedir(d);
      return false;
    }
    *id = {st.st_dev, st.st_ino};
  }
  while (const struct dirent* entry = ::readdir(d)) {
    std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    visit(fd, entry->d_name, entry->d_type);
  }
  ::closedir(d);
  return true;
}

}  // namespace

// Walks the file system along the include patterns, collecting matching files and/or the
// directories visited.
class GlobSet::Walker {
 public:
  Walker(const GlobSet& globs, BoundedSet* files, BoundedSet* dirs)
      : globs_(globs), files_(files), dirs_(dirs) {}

  void Run() {
    for (const Pattern& pattern : globs_.include_patterns_) {
      if (pattern.segments.empty()) continue;
      std::vector<std::string> prefix;
      for (size_t i = 0; i < pattern.fixed; ++i) prefix.push_back(Unescape(pattern.segments[i]));
      std::string start = JoinPath(prefix, prefix.size());
      if (KindAt(start) == Kind::kDirectory) {
        Walk(pattern, start, pattern.fixed);
        continue;
      }
      if (dirs_ == nullptr) continue;
      // Watch the nearest existing ancestor, where the prefix will appear.
      for (size_t n = prefix.size(); n-- > 0;) {
        std::string ancestor = JoinPath(prefix, n);
        if (KindAt(ancestor) == Kind::kDirectory) {
          dirs_->Insert(std::move(ancestor));
          break;
        }
      }
    }
  }

 private:
  // `dir` is an existing directory (or a symlink to one) where `segments[index]` is looked up.
  void Walk(const Pattern& pattern, const std::string& dir, size_t index) {
    if (dirs_ != nullptr) dirs_->Insert(dir);
    const std::string& segment = pattern.segments[index];
    bool last = index + 1 == pattern.segments.size();
    if (segment == kDoubleStar) {
      Walk(pattern, dir, index + 1);  // zero directories
      WalkDoubleStar(pattern, dir, index);
      return;
    }
    if (last && files_ == nullptr) return;  // only directories wanted
    if (!HasWildcard(segment)) {
      std::string child = Child(dir, Unescape(segment));
      Kind kind = KindAt(child);
      if (last && kind == Kind::kFile) AddFile(std::move(child));
      if (!last && kind == Kind::kDirectory) Walk(pattern, child, index + 1);
      return;
    }
    std::vector<std::string> children;
    ReadDirectory(dir, nullptr, [&](int fd, const char* name, unsigned char d_type) {
      if (::fnmatch(segment.c_str(), name, FNM_PATHNAME) != 0) return;
      Kind kind = EntryKind(fd, name, d_type, /*follow=*/true);
      if (kind == (last ? Kind::kFile : Kind::kDirectory)) children.push_back(Child(dir, name));
    });
    for (std::string& child : children) {
      if (last) {
        AddFile(std::move(child));
      } else {
        Walk(pattern, child, index + 1);
      }
    }
  }

  // One or more directories for the `**` at `index`: descends into the real (not symlinked)
  // subdirectories of `dir`. A directory already being walked for this `**` (a bind-mount loop)
  // is not entered again.
  void WalkDoubleStar(const Pattern& pattern, const std::string& dir, size_t index) {
    std::vector<std::string> subdirs;
    std::pair<dev_t, ino_t> id;
    bool read = ReadDirectory(dir, &id, [&](int fd, const char* name, unsigned char d_type) {
      if (EntryKind(fd, name, d_type, /*follow=*/false) == Kind::kDirectory) {
        subdirs.push_back(Child(dir, name));
      }
    });
    if (!read) return;
    Frame frame{&pattern, index, id.first, id.second};
    if (std::find(active_.begin(), active_.end(), frame) != active_.end()) return;
    active_.push_back(frame);
    for (const std::string& subdir : subdirs) Walk(pattern, subdir, index);
    active_.pop_back();
  }

  void AddFile(std::string path) {
    if (!globs_.Excluded(SplitPath(path))) files_->Insert(std::move(path));
  }

  struct Frame {
    const Pattern* pattern;
    size_t index;
    dev_t dev;
    ino_t ino;
    bool operator==(const Frame&) const = default;
  };

  const GlobSet& globs_;
  BoundedSet* files_;
  BoundedSet* dirs_;
  std::vector<Frame> active_;  // the `**` directories on the current walk path
};

Result<GlobSet> GlobSet::Compile(std::vector<std::string> include,
                                 std::vector<std::string> exclude) {
  GlobSet globs;
  for (bool is_include : {true, false}) {
    const char* what = is_include ? "include" : "exclude";
    for (const std::string& raw : is_include ? include : exclude) {
      auto error = [&](std::string_view why) {
        return InvalidArgument(std::string(what) + " pattern '" + raw + "' " + std::string(why));
      };
      if (raw.empty()) return InvalidArgument(std::string(what) + " pattern must not be empty");
      if (!BracesBalanced(raw)) return error("has an unbalanced brace");
      std::vector<std::string> expanded;
      if (!ExpandBraces(raw, expanded)) {
        return error("expands to more than " + std::to_string(kMaxBraceExpansions) + " patterns");
      }
      for (const std::string& one : expanded) {
        if (!is_include && one.find('/') == std::string::npos) {
          if (std::find(globs.exclude_.begin(), globs.exclude_.end(), one) ==
              globs.exclude_.end()) {
            globs.exclude_.push_back(one);
            globs.exclude_names_.push_back(one);
          }
          continue;
        }
        if (one.empty() || one.front() != '/') {
          return error(is_include ? "must be an absolute path"
                                  : "must be an absolute path or a base name without '/'");
        }
        std::string text;
        Pattern pattern;
        std::string why = Normalize(one, text, pattern.segments);
        if (!why.empty()) return error(why);
        std::vector<std::string>& texts = is_include ? globs.include_ : globs.exclude_;
        if (std::find(texts.begin(), texts.end(), text) != texts.end()) continue;
        texts.push_back(std::move(text));
        while (pattern.fixed + 1 < pattern.segments.size() &&
               !HasWildcard(pattern.segments[pattern.fixed]) &&
               pattern.segments[pattern.fixed] != kDoubleStar) {
          ++pattern.fixed;
        }
        (is_include ? globs.include_patterns_ : globs.exclude_paths_).push_back(std::move(pattern));
      }
    }
  }
  return globs;
}

bool GlobSet::Excluded(const std::vector<std::string>& path_segments) const {
  if (!exclude_names_.empty() && !path_segments.empty()) {
    for (const std::string& name : exclude_names_) {
      if (SegmentMatches(name, path_segments.back())) return true;
    }
  }
  for (const Pattern& pattern : exclude_paths_) {
    if (SegmentsMatch(pattern.segments, path_segments)) return true;
  }
  return false;
}

bool GlobSet::Matches(std::string_view path) const {
  std::vector<std::string> segments = SplitPath(path);
  for (const Pattern& pattern : include_patterns_) {
    if (SegmentsMatch(pattern.segments, segments)) return !Excluded(segments);
  }
  return false;
}

std::vector<std::string> GlobSet::Expand(size_t limit) const {
  BoundedSet files(limit);
  Walker(*this, &files, nullptr).Run();
  return files.Take();
}

void GlobSet::ExpandWithWatchDirectories(std::vector<std::string>* files,
                                         std::vector<std::string>* dirs, size_t file_limit,
                                         size_t dir_limit) const {
  BoundedSet file_set(file_limit);
  BoundedSet dir_set(dir_limit);
  Walker(*this, &file_set, &dir_set).Run();
  *files = file_set.Take();
  *dirs = dir_set.Take();
}

std::vector<std::string> GlobSet::WatchDirectories(size_t limit) const {
  BoundedSet dirs(limit);
  Walker(*this, nullptr, &dirs).Run();
  return dirs.Take();
}

}  // namespace sluice::inputs::file
