// The template and per-line members of MultilineAggregator; included by multiline.h only.
// They are inline because they run once per line read.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "plugins/common/multiline/multiline.h"

namespace sluice::common {

template <typename OnEvent>
void MultilineAggregator::Push(std::string_view line, uint64_t line_begin, uint64_t line_end,
                               bool truncated, int64_t now_ns, OnEvent&& on_event) {
  if (!rules_->Enabled()) {
    on_event(MultilineEvent{line, line_begin, line_end, truncated, false});
    return;
  }
  if (lines_ > 0 && !rules_->StartsEvent(line)) {
    if (lines_ < rules_->max_lines() && buffer_.size() + 1 + line.size() <= rules_->max_bytes()) {
      buffer_.push_back('\n');
      buffer_.append(line.data(), line.size());
      ++lines_;
      end_ = line_end;
      line_truncated_ = line_truncated_ || truncated;
      last_line_ns_ = now_ns;
      return;
    }
    multiline_truncated_ = true;
  }
  if (lines_ > 0) Complete(on_event);
  Begin(line, line_begin, line_end, truncated, now_ns);
}

template <typename OnEvent>
void MultilineAggregator::Flush(int64_t now_ns, bool force, OnEvent&& on_event) {
  if (lines_ == 0) return;
  if (force || now_ns - last_line_ns_ >= rules_->timeout_ns()) Complete(on_event);
}

inline void MultilineAggregator::Begin(std::string_view line, uint64_t line_begin,
                                       uint64_t line_end, bool truncated, int64_t now_ns) {
  buffer_.assign(line.data(), line.size());
  begin_ = line_begin;
  end_ = line_end;
  lines_ = 1;
  line_truncated_ = truncated;
  multiline_truncated_ = false;
  last_line_ns_ = now_ns;
}

template <typename OnEvent>
void MultilineAggregator::Complete(OnEvent& on_event) {
  on_event(MultilineEvent{buffer_, begin_, end_, line_truncated_, multiline_truncated_});
  lines_ = 0;
  line_truncated_ = false;
  multiline_truncated_ = false;
  if (buffer_.capacity() > kKeepCapacity) {
    std::string().swap(buffer_);
  } else {
    buffer_.clear();
  }
}

}  // namespace sluice::common
