#include "plugins/common/grok/grok_pattern_library.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "pipeline/read_file.h"
#include "plugins/common/grok/grok_builtin_patterns.h"

namespace sluice::common::grok {
namespace {

bool IsNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

bool IsPatternName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), IsNameChar);
}

const PatternLibrary& PatternLibrary::Builtin() {
  static const PatternLibrary* library = [] {
    auto* l = new PatternLibrary();
    // The shipped files parse (a unit test checks each one); nothing to report here.
    for (const BuiltinPatternFile& f : BuiltinPatternFiles()) (void)l->AddText(f.text, f.name);
    return l;
  }();
  return *library;
}

Status PatternLibrary::AddText(std::string_view text, std::string_view origin) {
  size_t line_number = 0;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t start = 0;
    while (start < line.size() && IsBlank(line[start])) ++start;
    line.remove_prefix(start);
    if (line.empty() || line.front() == '#') continue;
    size_t name_end = 0;
    while (name_end < line.size() && IsNameChar(line[name_end])) ++name_end;
    size_t regex_start = name_end;
    while (regex_start < line.size() && IsBlank(line[regex_start])) ++regex_start;
    if (name_end == 0 || regex_start == name_end || regex_start == line.size()) {
      return InvalidArgument(
          fmt::format("{}:{}: expected `NAME regex` (a name of letters, digits and _, "
                      "whitespace, then the regex), got '{}'",
                      origin, line_number, line.substr(0, 80)));
    }
    definitions_[std::string(line.substr(0, name_end))] = std::string(line.substr(regex_start));
  }
  return Status::Ok();
}

Status PatternLibrary::AddFile(const std::string& path) {
  // 16 MiB: Logstash's whole pattern collection is about 100 KiB.
  Result<std::string> content = ReadBoundedFile(path, 16 << 20);
  if (!content.ok()) {
    return InvalidArgument(
        fmt::format("cannot read pattern file '{}': {}", path, content.status().message()));
  }
  return AddText(*content, path);
}

Status PatternLibrary::AddDirectory(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) {
    return InvalidArgument(fmt::format("pattern directory '{}' does not exist", path));
  }
  std::vector<std::string> files;
  for (std::filesystem::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.empty() || name.front() == '.') continue;
    std::error_code type_ec;
    if (it->is_regular_file(type_ec)) files.push_back(it->path().string());
  }
  if (ec)
    return InvalidArgument(
        fmt::format("cannot list pattern directory '{}': {}", path, ec.message()));
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) SLUICE_RETURN_IF_ERROR(AddFile(f));
  return Status::Ok();
}

Status PatternLibrary::Define(std::string_view name, std::string regex) {
  if (!IsPatternName(name)) {
    return InvalidArgument(fmt::format(
        "pattern name '{}' is not valid: use letters, digits and _ (like NUMBER or MY_DATE)",
        name));
  }
  definitions_[std::string(name)] = std::move(regex);
  return Status::Ok();
}

const std::string* PatternLibrary::Find(std::string_view name) const {
  auto it = definitions_.find(name);
  return it == definitions_.end() ? nullptr : &it->second;
}

std::vector<std::string> PatternLibrary::Names() const {
  std::vector<std::string> names;
  names.reserve(definitions_.size());
  for (const auto& [name, regex] : definitions_) names.push_back(name);
  return names;
}

}  // namespace sluice::common::grok
