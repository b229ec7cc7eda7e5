// StatusLine: the one-line summary `sluice run` gives systemd (STATUS=, shown by
// `systemctl status sluice`): events per second in and out, what is still to read (Kafka consumer
// lag, unread bytes of tailed files) and errors, computed from two readings of the metrics.
// Thread-safety: pure functions over a registry snapshot (the registry is thread-safe).
#pragma once

#include <cstdint>
#include <string>

#include "pipeline/metrics.h"

namespace sluice::agent {

// The totals behind a status line, read at `at_ns` (MonoNs()).
struct StatusTotals {
  int64_t at_ns = 0;
  double in_events = 0;     // sent on by every input
  double out_events = 0;    // acked by every output
  double errors = 0;        // sluice_component_errors_total, every component
  double lag_messages = 0;  // sluice_kafka_input_consumer_lag_messages
  double lag_bytes = 0;     // sluice_file_input_file_lag_bytes
};

StatusTotals ReadStatusTotals(const MetricsRegistry& metrics, int64_t at_ns);

// "2 pipelines: in 1234 ev/s, out 1230 ev/s, lag 0 messages + 1.5 MiB of files, 0 errors";
// the rates are over the time between `before` and `now` (0 when no time passed).
std::string StatusLine(size_t pipelines, const StatusTotals& before, const StatusTotals& now);

}  // namespace sluice::agent
