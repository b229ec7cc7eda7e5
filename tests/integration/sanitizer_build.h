// kSanitizerBuild: whether the test binary (built with the same flags as `sluice`) is an
// AddressSanitizer build, where the binaries under test run several times slower: tests that
// bound a duration allow more time there.
#pragma once

namespace sluice::testing {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitizerBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kSanitizerBuild = true;
#else
inline constexpr bool kSanitizerBuild = false;
#endif
#else
inline constexpr bool kSanitizerBuild = false;
#endif

}  // namespace sluice::testing
