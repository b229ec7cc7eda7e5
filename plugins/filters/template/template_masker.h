// template filter, part 1: the masker. Splits a message into whitespace-separated tokens and
// replaces the values in them with `<*>` before the miner clusters them, so that two lines of one
// statement differ only where a value stood in a word (a host name without digits, a user).
//
// Each token is read as LEAD CORE TRAIL: brackets, quotes and punctuation around it
// (`(`, `[`, `'`, `:` before; `)`, `,`, `.`, `;` after) are kept as they are and the core is
// masked whole or in part, so `(TID 3).` becomes `(TID <*>).` and `:[akka.tcp://x@h:1]` becomes
// `:[<*>]`. A `key=value` core keeps its key: `total=1072` becomes `total=<*>`. In order, a core
// is a value when it matches:
//   - one of the configured `extra_masks` (RE2, matched against the whole core);
//   - path:     a URL (`hdfs://...`), an absolute or relative path (`/opt/x`, `./x`, `~/x`);
// and, for cores with a digit:
//   - ip:       IPv4 with an optional port, IPv6;
//   - number:   an integer or decimal (`3`, `-1.5`, `0.0` stage.attempt, `1e9`, `1.2.3`);
//   - hex:      `0x1f`, or 8 or more hex digits (`7f3a9c01`);
//   - duration: a number with a time unit (`160ms`, `2.5s`, `3min`);
//   - size:     a number with a size unit (`5.2KB`, `17.7GiB`); a number followed by a size unit
//               token (`5.2 KB,`) becomes one `<*>` with the unit's punctuation (`<*>,`), as
//               Spark prints a size in whichever unit fits it;
//   - spark_id: a Spark or YARN id (`application_…`, `container_…`, `attempt_…`, `rdd_2_0`,
//               `broadcast_9_piece0`, `blockmgr-…`, …);
//   - id:       any other mix of letters and digits (UUIDs, `mesos-slave-07`, `exec-12`).
// A core with digits that none of these takes has its digit runs masked when `number` is on:
// `3/10` becomes `<*>/<*>`, `20:10:40` `<*>:<*>:<*>`.
//
// Tokens also have a kind (KindOf): a plain word (letters, with `.`, `_`, `-` inside, not a unit
// such as `ms` or `KB`) is a kWord, and the miner treats two different words at one position as
// two statements, not as a value (`stored as bytes` / `stored as values`). Everything else, masked
// values included, is a kValue.
// Thread-safety: const after construction; Mask() may run on several threads at once.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/options/regex_option.h"

namespace sluice::filters::templates {

// The built-in masks, each on or off (option `masks`).
enum class Mask : uint8_t { kPath, kIp, kNumber, kHex, kDuration, kSize, kSparkId, kId };
inline constexpr config::EnumName<Mask> kMaskNames[] = {
    {"path", Mask::kPath},         {"ip", Mask::kIp},
    {"number", Mask::kNumber},     {"hex", Mask::kHex},
    {"duration", Mask::kDuration}, {"size", Mask::kSize},
    {"spark_id", Mask::kSparkId},  {"id", Mask::kId}};
constexpr std::span<const config::EnumName<Mask>> OptionNames(Mask) { return kMaskNames; }

enum class TokenKind : uint8_t { kWord, kValue };

// The wildcard a masked value becomes, in tokens and in template text.
inline constexpr std::string_view kWildcard = "<*>";

// A message as the miner sees it: its masked tokens, joined by single spaces.
struct MaskedLine {
  std::string text;
  std::vector<uint32_t> ends;  // the end of each token in `text`

  size_t size() const { return ends.size(); }
  std::string_view token(size_t i) const {
    const uint32_t begin = i == 0 ? 0 : ends[i - 1] + 1;
    return std::string_view(text).substr(begin, ends[i] - begin);
  }
  void Clear() {
    text.clear();
    ends.clear();
  }
};

class Masker {
 public:
  // `max_tokens`: tokens past this many are not read; the line's last token is then `<*>`.
  Masker(std::span<const Mask> masks, std::vector<config::Regex> extra_masks, size_t max_tokens);

  // Masks `message` into *out (cleared first).
  void Apply(std::string_view message, MaskedLine* out) const;

  // The kind of a masked token (`<*>` inside makes a kValue). The miner asks only where a line and
  // a template differ, which most lines never do.
  static TokenKind KindOf(std::string_view token);

 private:
  bool On(Mask m) const { return (enabled_ >> static_cast<int>(m)) & 1; }
  enum class Masked : uint8_t { kKept, kValue, kNumber };
  // Appends the masked form of one core (no surrounding punctuation) to `out`: kKept when no
  // mask applied, kNumber when the core is one number, kValue for any other value. `any`: the
  // character classes the core's bytes have.
  Masked MaskCore(std::string_view core, uint8_t any, std::string& out) const;
  Masked MaskWithDigits(std::string_view core, bool letter, std::string& out) const;

  uint32_t enabled_ = 0;
  std::vector<config::Regex> extra_;
  size_t max_tokens_;
};

}  // namespace sluice::filters::templates
