// EventCodec: how line-oriented outputs (stdout, file) write an event: `json` (one JSON object,
// see pipeline/json_encoder.h) or `text` (the raw message). Each event is followed by '\n'.
// `Codec` is the option (`codec: json|text`), checked where the config names it.
// Thread-safety: holds encoder scratch space; one per output instance.
#pragma once

#include <span>
#include <string>

#include "pipeline/json_encoder.h"
#include "pipeline/options/option_types.h"

namespace sluice::common {

enum class Codec : uint8_t { kJson, kText };
inline constexpr config::EnumName<Codec> kCodecNames[] = {{"json", Codec::kJson},
                                                          {"text", Codec::kText}};
constexpr std::span<const config::EnumName<Codec>> OptionNames(Codec) { return kCodecNames; }

// The `codec` option's description, shared by the outputs that have one.
inline constexpr char kCodecDoc[] =
    "`json`: one JSON object per line; `text`: the raw message per line.";

class EventCodec {
 public:
  explicit EventCodec(Codec codec) : text_(codec == Codec::kText) {}

  void AppendLine(const Event& event, std::string& out) {
    if (text_) {
      out.append(event.message());
      out += '\n';
    } else {
      json_.EncodeLine(event, out);
    }
  }

 private:
  bool text_;
  JsonEncoder json_;
};

}  // namespace sluice::common
