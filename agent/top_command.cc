#include "agent/top_command.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <string>
#include <thread>

#include "agent/cli.h"
#include "agent/top_view.h"

namespace sluice::agent {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void OnInterrupt(int) { g_interrupted = 1; }

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// One scrape of /metrics, or the reason there is none.
Result<MetricsScrape> Scrape(const AdminClient& client) {
  auto answer = client.Get("/metrics", std::chrono::seconds(10));
  if (!answer) return Status(StatusCode::kUnavailable, client.NoAnswer(answer.error()));
  if (answer->status == 401) return Status(StatusCode::kUnavailable, client.TokenRefused());
  if (answer->status != 200) {
    return Status(StatusCode::kUnavailable,
                  client.Url() + "/metrics answered HTTP " + std::to_string(answer->status));
  }
  return ParsePrometheusText(answer->body, NowSeconds());
}

// The terminal's size, or 80x24 when it cannot be read.
TopFrameOptions TerminalFrame(const AdminClient& client) {
  TopFrameOptions options;
  options.title = client.Url();
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
    options.width = ws.ws_col;
    options.height = ws.ws_row;
  }
  return options;
}

// Raw keyboard input (no echo, no line buffering) and the alternate screen, while alive.
class TerminalSession {
 public:
  TerminalSession() {
    tty_ = ::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &saved_) == 0;
    if (tty_) {
      termios raw = saved_;
      raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
      raw.c_cc[VMIN] = 0;
      raw.c_cc[VTIME] = 0;
      ::tcsetattr(STDIN_FILENO, TCSANOW, &raw);
    }
    std::fputs("\x1b[?1049h\x1b[?25l", stdout);  // alternate screen, hide the cursor
  }
  ~TerminalSession() {
    std::fputs("\x1b[?25h\x1b[?1049l", stdout);
    std::fflush(stdout);
    if (tty_) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
  }
  TerminalSession(const TerminalSession&) = delete;
  TerminalSession& operator=(const TerminalSession&) = delete;

  // Waits up to `timeout` for a key; true when it was `q` (or the input ended).
  bool WaitForQuit(std::chrono::milliseconds timeout) const {
    pollfd p{STDIN_FILENO, POLLIN, 0};
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!g_interrupted) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      int n = ::poll(&p, 1, static_cast<int>(left.count()));
      if (n <= 0) continue;  // timeout (loop ends at the deadline) or EINTR
      char c = 0;
      ssize_t r = ::read(STDIN_FILENO, &c, 1);
      if (r == 0 && !tty_) {
        // stdin is not a terminal and ended: keep refreshing until Ctrl-C.
        p.fd = -1;
        continue;
      }
      if (r == 1 && (c == 'q' || c == 'Q')) return true;
    }
    return true;
  }

 private:
  bool tty_ = false;
  termios saved_{};
};

}  // namespace

int TopCommand(const AdminClientFlags& flags, bool once, std::chrono::milliseconds interval) {
  auto client = AdminClient::Resolve(flags);
  if (!client.ok()) {
    std::fprintf(stderr, "error: %s\n", client.status().message().c_str());
    return kExitUsage;
  }
  auto first = Scrape(client.value());
  if (!first.ok()) {
    std::fprintf(stderr, "error: %s\n", first.status().message().c_str());
    return kExitRuntime;
  }
  MetricsScrape before = std::move(first.value());
  if (once) {
    std::this_thread::sleep_for(interval);  // the rate's window, not a synchronization
    auto now = Scrape(client.value());
    if (!now.ok()) {
      std::fprintf(stderr, "error: %s\n", now.status().message().c_str());
      return kExitRuntime;
    }
    TopFrameOptions options = TerminalFrame(client.value());
    if (!::isatty(STDOUT_FILENO)) options.width = options.height = 0;  // a script: no cuts
    for (const std::string& line : RenderTopFrame(before, now.value(), options)) {
      std::printf("%s\n", line.c_str());
    }
    return kExitOk;
  }
  std::signal(SIGINT, OnInterrupt);
  std::signal(SIGTERM, OnInterrupt);
  TerminalSession terminal;
  std::string problem;
  while (!terminal.WaitForQuit(interval)) {
    auto now = Scrape(client.value());
    TopFrameOptions options = TerminalFrame(client.value());
    std::string frame = "\x1b[H\x1b[2J";
    if (now.ok()) {
      for (const std::string& line : RenderTopFrame(before, now.value(), options)) {
        frame += line + "\n";
      }
      before = std::move(now.value());
    } else {
      frame += now.status().message() + "\n(retrying every interval; q to quit)\n";
    }
    std::fputs(frame.c_str(), stdout);
    std::fflush(stdout);
  }
  return kExitOk;
}

}  // namespace sluice::agent
