#include "plugins/inputs/stdin.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "pipeline/clock.h"
#include "pipeline/thread_name.h"
#include "plugins/common/line_splitter.h"

namespace sluice::inputs {

SLUICE_REGISTER_INPUT(StdinInput, "stdin", "Lines from standard input, until EOF.");

const config::OptionSchema<StdinInput::Options>& StdinInput::Options::Schema() {
  static const auto* schema =
      &(*new config::OptionSchema<Options>())
           .Add("max_line_bytes", &Options::max_line_bytes,
                "Longest line kept whole; longer lines are cut into pieces of this size, each "
                "tagged `_line_truncated`.",
                {.min = ByteSize{16}})
           .Add("batch_events", &Options::batch_events, "Most events per batch.", {.min = 1})
           .Add("batch_bytes", &Options::batch_bytes, "Most message bytes per batch.",
                {.min = ByteSize{1024}});
  return *schema;
}

Result<std::unique_ptr<StdinInput>> StdinInput::Build(const Options& options,
                                                      PluginContext& context) {
  return std::make_unique<StdinInput>(options, context, STDIN_FILENO);
}

StdinInput::StdinInput(const Options& options, PluginContext& context, int fd)
    : options_(options), plugin_(context), fd_(fd) {}

StdinInput::~StdinInput() {
  Stop();
  Join();
  for (int fd : wake_) {
    if (fd >= 0) ::close(fd);
  }
}

Status StdinInput::Start(InputContext& context) {
  if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
    return IoError(std::string("pipe: ") + std::strerror(errno));
  }
  thread_ = std::thread([this, &context] {
    NameThisThread("in", plugin_.id);
    Run(context);
  });
  return Status::Ok();
}

void StdinInput::Stop() {
  if (wake_[1] >= 0) {
    char c = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_[1], &c, 1);
  }
}

void StdinInput::Join() {
  if (thread_.joinable()) thread_.join();
}

void StdinInput::Run(InputContext& context) {
  common::LineSplitter splitter(options_.max_line_bytes.bytes);
  std::vector<char> buffer(256 * 1024);
  EventBatch batch(static_cast<size_t>(options_.batch_events));
  uint64_t offset = 0;
  size_t batch_bytes = 0;
  int64_t now_ns = 0;
  bool stopped = false;
  auto flush = [&] {
    if (batch.empty()) return;
    const size_t arena_bytes = batch.NextArenaBytes();
    if (!context.Emit(std::move(batch), nullptr, offset)) stopped = true;
    batch = EventBatch(static_cast<size_t>(options_.batch_events), arena_bytes);
    batch_bytes = 0;
  };
  auto on_line = [&](std::string_view line, bool truncated, size_t /*consumed*/) {
    if (line.empty() && truncated) return;  // the end of a line already handed out in pieces
    Event& e = batch.Add(now_ns, line);
    if (truncated) e.AddTag("_line_truncated");
    batch_bytes += line.size();
    if (batch.size() >= static_cast<size_t>(options_.batch_events) ||
        batch_bytes >= options_.batch_bytes.bytes) {
      flush();
    }
  };
  while (!stopped && !context.stopping()) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    // Data that is ready is batched; when none is, what was read so far goes on at once.
    int ready = ::poll(fds, 2, batch.empty() ? -1 : 0);
    if (ready < 0) {
      if (errno == EINTR) continue;
      plugin_.logger.Error("poll failed: {}; no more input will be read", std::strerror(errno));
      plugin_.metrics->errors.Add();
      flush();
      context.Finished();
      return;
    }
    if (ready == 0) {
      flush();
      continue;
    }
    if (fds[1].revents != 0) break;  // Stop()
    ssize_t n = ::read(fd_, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      plugin_.logger.Error("read failed: {}; no more input will be read", std::strerror(errno));
      plugin_.metrics->errors.Add();
      flush();
      context.Finished();
      return;
    }
    if (n == 0) {  // EOF
      now_ns = WallNs();
      splitter.Finish(on_line);
      flush();
      context.Finished();
      return;
    }
    now_ns = WallNs();
    offset += static_cast<uint64_t>(n);
    splitter.Feed(std::string_view(buffer.data(), static_cast<size_t>(n)), on_line);
  }
  flush();
}

}  // namespace sluice::inputs
