// JSON string escaping shared by the event encoder, the self-logger and the admin API.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace sluice {

// Appends `s` as a quoted JSON string: `"` `\` and control characters are escaped, valid UTF-8 is
// copied as is, and every byte that is not part of a valid UTF-8 sequence becomes U+FFFD.
void AppendJsonString(std::string& out, std::string_view s);

// Appends `s` without the quotes (same escaping).
void AppendJsonEscaped(std::string& out, std::string_view s);

}  // namespace sluice
