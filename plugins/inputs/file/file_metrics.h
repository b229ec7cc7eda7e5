// The file input's own metrics, declared once (pipeline/metric_set.h): the docs table on
// docs/plugins/inputs/file.md is generated from this list.
// Thread-safety: as MetricsRegistry.
#pragma once

#include "pipeline/metric_set.h"

namespace sluice::inputs::file {

#define SLUICE_FILE_INPUT_METRICS(COUNTER, GAUGE, HISTOGRAM, FAMILY)                           \
  GAUGE(files_watched, "sluice_file_input_files_watched", "Files tracked (open or waiting).")  \
  GAUGE(files_open, "sluice_file_input_files_open", "Files with an open descriptor.")          \
  COUNTER(bytes_read, "sluice_file_input_read_bytes_total", "Bytes read from files.")          \
  COUNTER(lines_read, "sluice_file_input_read_lines_total", "Lines read from files.")          \
  COUNTER(rotations, "sluice_file_input_rotations_total",                                      \
          "Files seen renamed away from their path (rotated).")                                \
  COUNTER(truncations, "sluice_file_input_truncations_total",                                  \
          "Files seen shorter than the read offset (truncate, copytruncate): read again from " \
          "0.")                                                                                \
  COUNTER(abandoned_bytes, "sluice_file_input_abandoned_bytes_total",                          \
          "Unread bytes of deleted files given up after close_removed_after.")                 \
  FAMILY(checkpoint_lag, gauge, "sluice_file_input_checkpoint_lag_bytes", "",                  \
         "Bytes handed to the pipeline and not yet acked by every output (all files).")        \
  FAMILY(file_lag, gauge, "sluice_file_input_file_lag_bytes", "file, path",                    \
         "The same per file: `file` is its dev:inode, `path` where it was found; the series "  \
         "goes away with the file.")
SLUICE_METRIC_SET(FileInputMetrics, SLUICE_FILE_INPUT_METRICS);

}  // namespace sluice::inputs::file
