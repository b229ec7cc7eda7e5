// EventCodec: how line-oriented outputs (stdout, file) write an event: `json` (one JSON object,
// see pipeline/json_encoder.h) or `text` (the raw message). Each event is followed by '\n'.
// Thread-safety: holds encoder scratch space; one per output instance.
#pragma once

#include <string>
#include <string_view>

#include "pipeline/json_encoder.h"

namespace sluice::common {

class EventCodec {
 public:
  // `codec` is "json" or "text" (validated by the option schema).
  explicit EventCodec(std::string_view codec) : text_(codec == "text") {}

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

inline const std::vector<std::string>& CodecNames() {
  static const std::vector<std::string> names = {"json", "text"};
  return names;
}

}  // namespace sluice::common
