// LineSplitter: cuts a byte stream into lines. `\n` ends a line and a `\r` before it is dropped, so
// CRLF files (the LogHub Spark sample is one) give clean messages. A line longer than
// max_line_bytes is cut into pieces of at most that size, each reported with `truncated` set, so
// memory stays bounded whatever the input. Bytes after the last newline wait for more input
// (Finish() hands them out as a last line). Bytes are passed on as they are: invalid UTF-8 and NULs
// included. Thread-safety: none; one per stream.
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace sluice::common {

class LineSplitter {
 public:
  explicit LineSplitter(size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

  // Calls on_line(std::string_view line, bool truncated, size_t consumed) for every complete line
  // in `data` (together with what earlier calls left pending). `consumed` is how many input bytes
  // the piece stands for (its \r and \n included), so summing it gives exact stream offsets. The
  // view is valid during the call only.
  template <typename OnLine>
  void Feed(std::string_view data, OnLine&& on_line) {
    size_t pos = 0;
    while (pos < data.size()) {
      const char* nl =
          static_cast<const char*>(std::memchr(data.data() + pos, '\n', data.size() - pos));
      size_t end = nl ? static_cast<size_t>(nl - data.data()) : data.size();
      std::string_view piece = data.substr(pos, end - pos);
      if (nl == nullptr) {  // no newline: keep for later, cutting at the bound
        Append(piece, on_line);
        return;
      }
      if (pending_.empty()) {
        EmitLine(piece, /*newline=*/true, on_line);
      } else {
        Append(piece, on_line);
        EmitLine(pending_, /*newline=*/true, on_line);
        pending_.clear();
      }
      pos = end + 1;
    }
  }

  // Hands out what is pending (a last line without newline), if anything.
  template <typename OnLine>
  void Finish(OnLine&& on_line) {
    if (!pending_.empty()) EmitLine(pending_, /*newline=*/false, on_line);
    pending_.clear();
    pending_truncated_ = false;
  }

  size_t pending_bytes() const { return pending_.size(); }
  // Drops what is pending (the stream starts over, e.g. after a truncation).
  void Reset() {
    pending_.clear();
    pending_truncated_ = false;
  }

 private:
  template <typename OnLine>
  void EmitLine(std::string_view line, bool newline, OnLine& on_line) {
    size_t raw = line.size() + (newline ? 1 : 0);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    bool truncated = pending_truncated_;
    pending_truncated_ = false;
    if (line.empty() && truncated) {
      // The line's bytes were all handed out already; only its end remains.
      if (raw > 0) on_line(std::string_view(), true, raw);
      return;
    }
    while (line.size() > max_line_bytes_) {
      on_line(line.substr(0, max_line_bytes_), true, max_line_bytes_);
      line.remove_prefix(max_line_bytes_);
      raw -= max_line_bytes_;
      truncated = true;
    }
    on_line(line, truncated, raw);
  }

  template <typename OnLine>
  void Append(std::string_view piece, OnLine& on_line) {
    pending_.append(piece);
    // Keep one byte of slack so a "\r" that may precede the newline is not cut from its line.
    while (pending_.size() > max_line_bytes_ + 1) {
      on_line(std::string_view(pending_).substr(0, max_line_bytes_), true, max_line_bytes_);
      pending_.erase(0, max_line_bytes_);
      pending_truncated_ = true;
    }
  }

  const size_t max_line_bytes_;
  std::string pending_;
  bool pending_truncated_ = false;
};

}  // namespace sluice::common
