// DeadLetterFile: where an output puts the events a destination refused for good (a Kafka message
// larger than the broker takes, an Elasticsearch mapping error), so that they are kept, not
// dropped, and never retried forever. One NDJSON file per output instance under
// data_dir/dead_letter/PIPELINE/ID.ndjson; each line is
//   {"time":"<RFC 3339, when it was written>","reason":"...","destination":"...","event":<JSON>}
// where `event` is the event as the output encoded it: a JSON object, or, when the output wrote
// raw messages, a JSON string. Append() returns after the line is on disk (fdatasync), so the
// output may ack the event once it returns true.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <mutex>
#include <string>
#include <string_view>

#include "pipeline/log.h"
#include "pipeline/status.h"

namespace sluice::common {

class DeadLetterFile {
 public:
  // The file for output `id` of `pipeline` under `data_dir` (created on the first Append()).
  DeadLetterFile(const std::string& data_dir, const std::string& pipeline, const std::string& id);
  ~DeadLetterFile();
  DeadLetterFile(const DeadLetterFile&) = delete;
  DeadLetterFile& operator=(const DeadLetterFile&) = delete;

  // Writes one entry durably. `event_is_json`: `event` is JSON text (written as is), else it is
  // written as a JSON string. Returns an error naming the file when it cannot be written.
  Status Append(std::string_view reason, std::string_view destination, std::string_view event,
                bool event_is_json);

  const std::string& path() const { return path_; }

 private:
  const std::string path_;
  std::mutex mu_;
  int fd_ = -1;
  std::string line_;
};

}  // namespace sluice::common
