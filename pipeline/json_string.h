// JSON string escaping shared by the event encoder, the self-logger and the admin API.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "pipeline/arena.h"

namespace sluice {

// Appends `s` as a quoted JSON string: `"` `\` and control characters are escaped, valid UTF-8 is
// copied as is, and every byte that is not part of a valid UTF-8 sequence becomes U+FFFD.
void AppendJsonString(std::string& out, std::string_view s);

// Appends `s` without the quotes (same escaping).
void AppendJsonEscaped(std::string& out, std::string_view s);

// The offset of the first byte of `s` that is not part of a valid UTF-8 sequence (as
// AppendJsonString judges it), or std::string_view::npos when `s` is valid UTF-8.
size_t FirstInvalidUtf8(std::string_view s);

inline bool IsValidUtf8(std::string_view s) {
  return FirstInvalidUtf8(s) == std::string_view::npos;
}

// `s` when it is valid UTF-8; otherwise a copy in `arena` in which every invalid byte is U+FFFD,
// the text AppendJsonString would write. Filters pass field names taken from log text through it,
// so two names that differ only in invalid bytes are one field, not two equal JSON keys.
std::string_view ValidUtf8(Arena& arena, std::string_view s);

// `s` without the JSON whitespace (space, tab, CR, LF) around it.
inline std::string_view TrimJsonSpace(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(kSpace) - begin + 1);
}

}  // namespace sluice
