// Secrets in configs: passwords, keys and tokens. An option holding one is declared with
// `{.secret = true}` in its schema (a map of pass-through settings, such as `librdkafka`, with
// `{.secret_entries = true}`: its entries whose key names a secret). What that changes:
// - shown as kSecretMask wherever Sluice shows a config (`validate --print-config`,
//   GET /api/v1/config);
// - redacted from config errors (an error never echoes the value);
// - set to a literal value (not through ${VAR}) it makes its file a "file holding a secret", which
//   `sluice run` and `validate` warn about when others can read it.
// Any string shown also has the password of a URL's user-info masked (https://user:***@host).
// The helpers below are the pieces of that; no key-name guessing where a schema knows.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace sluice::config {

// What a secret shows as.
inline constexpr std::string_view kSecretMask = "***";

// Whether the key of a pass-through setting names a secret, for maps whose keys no schema knows
// (librdkafka properties): it contains `password`, `secret`, `token`, `credential`, `api_key`,
// `apikey`, `private`, `jaas` or `oauthbearer.config`, or is a key or certificate in PEM
// (`ssl.key.pem`); case-insensitive. `ssl.key.location` (a path) is not one.
bool NamesASecret(std::string_view key);

// `text` with the password of every URL user-info (`scheme://user:password@`) replaced by
// kSecretMask; other text unchanged.
std::string MaskUrlPasswords(std::string_view text);

// Whether the raw YAML text of a secret option sets it literally: non-empty and without a ${VAR}
// reference (`$${` is a literal `${`, not a reference).
bool IsLiteralSecret(std::string_view raw);

}  // namespace sluice::config
