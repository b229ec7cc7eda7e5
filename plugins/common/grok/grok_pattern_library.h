// PatternLibrary: the named regexes that grok patterns reference as %{NAME}. It starts from the
// shipped library (config/patterns/, built into the binary) and takes more definitions from
// pattern files (Logstash's format: `NAME regex` lines, `#` comments) and from the config's
// `pattern_definitions`; a later definition of a name replaces the earlier one.
// Thread-safety: const methods may run concurrently; the builtin library is immutable.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/status.h"

namespace sluice::common::grok {

class PatternLibrary {
 public:
  PatternLibrary() = default;

  // The shipped library, parsed once.
  static const PatternLibrary& Builtin();

  // Adds the definitions in `text`, a pattern file's content; `origin` names the file in errors.
  // Returns an error naming origin:line for a line that is not `NAME regex` (the lines before it
  // are kept).
  Status AddText(std::string_view text, std::string_view origin);
  // Adds the definitions of the file at `path`; an error when it cannot be read or parsed.
  Status AddFile(const std::string& path);
  // Adds every regular file of directory `path` whose name does not start with `.`, in name order.
  Status AddDirectory(const std::string& path);
  // Defines (or redefines) `name`; an error when `name` is not letters, digits and `_`.
  Status Define(std::string_view name, std::string regex);

  // The definition of `name`, or null.
  const std::string* Find(std::string_view name) const;
  // Every defined name, sorted.
  std::vector<std::string> Names() const;
  size_t size() const { return definitions_.size(); }

 private:
  std::map<std::string, std::string, std::less<>> definitions_;
};

// Whether `name` can name a pattern: one or more ASCII letters, digits and `_`.
bool IsPatternName(std::string_view name);

}  // namespace sluice::common::grok
