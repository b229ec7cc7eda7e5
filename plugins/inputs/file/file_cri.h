// CRI log lines: the format Kubernetes' container runtimes (containerd, CRI-O) write under
// /var/log/pods (and /var/log/containers, its symlinks):
//   <RFC 3339 time, nanoseconds> <stdout|stderr> <P|F>[:<more tags>] <the container's text>
// e.g. `2024-05-01T12:00:00.123456789Z stderr F 24/05/01 12:00:00 INFO SparkContext: ...`.
// A container line longer than the runtime's buffer (16 KiB in containerd) is written as several
// `P` (partial) lines and a last `F` (full) one. CriDecoder turns the file's lines back into the
// container's lines: prefix removed, partial lines joined, each with its time and stream. The file
// input runs it before multiline, so a Spark stack trace written as many container lines is joined
// as from a plain file.
// A line that is not CRI (no valid time, stream or tag) is passed on whole, flagged `malformed`
// (the input tags it `_cri_parse_failure`): never dropped.
// Thread-safety: one decoder per file, used by that file's reader only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "plugins/common/time_parse.h"

namespace sluice::inputs::file {

// One container line, as the decoder hands it out; the views are valid during the callback only.
struct CriLine {
  std::string_view text;    // the container's line (joined when it came in parts)
  uint64_t begin = 0;       // file offset of its first file line
  uint64_t end = 0;         // just past its last file line
  int64_t time_ns = 0;      // the runtime's time of its first part; 0 when malformed
  std::string_view stream;  // "stdout" or "stderr"; empty when malformed
  bool truncated = false;   // cut: a part was cut by max_line_bytes, or the parts exceeded it
  bool malformed = false;   // not a CRI line: `text` is the whole file line
};

class CriDecoder {
 public:
  // Joined partial lines are cut at `max_bytes` (the input's max_line_bytes).
  explicit CriDecoder(size_t max_bytes);

  // Parses the prefix of `line` (without its newline; it spans [begin, end) in the file).
  // `truncated`: the reader cut the line at max_line_bytes. A `P` line is kept until its `F`; an
  // `F` line, or a malformed one, completes a container line: on_line(const CriLine&) is called.
  // A malformed line first hands out any pending partial line as it is.
  template <typename OnLine>
  void Push(std::string_view line, uint64_t begin, uint64_t end, bool truncated, OnLine&& on_line);

  // Hands out a pending partial line as complete (its `F` never came: the container was killed
  // mid-line, or the file was rotated between the parts).
  template <typename OnLine>
  void Flush(OnLine&& on_line);

  bool pending() const { return pending_; }
  // File offset of the pending partial line's first part (meaningful when pending()).
  uint64_t pending_begin() const { return begin_; }

  // Splits `line` into its time, stream, full-ness and text; false when it is not a CRI line.
  bool Parse(std::string_view line, int64_t* time_ns, std::string_view* stream, bool* full,
             std::string_view* text);

 private:
  template <typename OnLine>
  void Complete(OnLine& on_line);

  size_t max_bytes_;
  common::TimeParser time_parser_;
  std::string buffer_;  // the parts of a pending partial line
  bool pending_ = false;
  uint64_t begin_ = 0;
  uint64_t end_ = 0;
  int64_t time_ns_ = 0;
  bool stderr_ = false;
  bool truncated_ = false;
};

template <typename OnLine>
void CriDecoder::Push(std::string_view line, uint64_t begin, uint64_t end, bool truncated,
                      OnLine&& on_line) {
  int64_t time_ns = 0;
  std::string_view stream, text;
  bool full = false;
  if (!Parse(line, &time_ns, &stream, &full, &text)) {
    if (pending_) Complete(on_line);
    on_line(CriLine{
        .text = line, .begin = begin, .end = end, .truncated = truncated, .malformed = true});
    return;
  }
  if (!pending_ && full) {  // the common case: a whole line, no copy
    on_line(CriLine{.text = text,
                    .begin = begin,
                    .end = end,
                    .time_ns = time_ns,
                    .stream = stream,
                    .truncated = truncated});
    return;
  }
  if (!pending_) {
    pending_ = true;
    begin_ = begin;
    time_ns_ = time_ns;
    stderr_ = stream == "stderr";
    truncated_ = false;
    buffer_.clear();
  }
  end_ = end;
  truncated_ = truncated_ || truncated;
  const size_t room = max_bytes_ > buffer_.size() ? max_bytes_ - buffer_.size() : 0;
  if (text.size() > room) {
    text = text.substr(0, room);
    truncated_ = true;
  }
  buffer_.append(text);
  if (full) Complete(on_line);
}

template <typename OnLine>
void CriDecoder::Flush(OnLine&& on_line) {
  if (pending_) Complete(on_line);
}

template <typename OnLine>
void CriDecoder::Complete(OnLine& on_line) {
  on_line(CriLine{.text = buffer_,
                  .begin = begin_,
                  .end = end_,
                  .time_ns = time_ns_,
                  .stream = stderr_ ? "stderr" : "stdout",
                  .truncated = truncated_});
  pending_ = false;
  buffer_.clear();
  if (buffer_.capacity() > (64u << 10)) std::string().swap(buffer_);
}

}  // namespace sluice::inputs::file
