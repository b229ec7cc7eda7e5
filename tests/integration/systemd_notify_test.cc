// `sluice run` under systemd's notify protocol: the test owns the NOTIFY_SOCKET (as systemd
// would) and checks that READY=1 comes once the pipelines run, WATCHDOG=1 pings with a STATUS=
// summary come at half of WATCHDOG_USEC, STOPPING=1 comes on SIGTERM before a clean exit, and a
// SIGHUP reload is wrapped in RELOADING=1 (with MONOTONIC_USEC) and READY=1.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "tests/integration/sluice_process.h"

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

// The socket systemd listens on for a Type=notify service.
class NotifySocket {
 public:
  explicit NotifySocket(const fs::path& path) : path_(path.string()) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
    bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~NotifySocket() { ::close(fd_); }
  bool bound() const { return bound_; }
  const std::string& path() const { return path_; }
  // The next message, or "" when none comes within `timeout`.
  std::string Next(std::chrono::milliseconds timeout = seconds(60)) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return "";
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }
  // Reads messages until one contains `text`; returns it, or "" after `timeout` in all.
  std::string Until(const std::string& text, std::chrono::milliseconds timeout = seconds(60)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      std::string m = Next(std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now()));
      seen_.push_back(m);
      if (m.find(text) != std::string::npos) return m;
    }
    return "";
  }
  std::string Seen() const {
    std::string out;
    for (const auto& m : seen_) out += "[" + m + "] ";
    return out;
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
  std::vector<std::string> seen_;
};

class SystemdNotifyTest : public SluiceProcessTest {
 protected:
  void SetUp() override { MakeDir("sluice_notify"); }
  // `sluice run` of a stdin → blackhole pipeline (it runs until stopped) with `env` set.
  std::unique_ptr<Subprocess> Start(const std::vector<std::string>& env) {
    std::string cfg = WriteConfig("agent",
                                  "pipelines:\n  p:\n    inputs: [{type: stdin}]\n"
                                  "    outputs: [{type: blackhole}]\n");
    std::vector<std::string> args = {"/usr/bin/env"};
    args.insert(args.end(), env.begin(), env.end());
    args.insert(args.end(), {SLUICE_BINARY, "run", "-c", cfg});
    return std::make_unique<Subprocess>(args, dir_, /*stdin_pipe=*/true);
  }
};

TEST_F(SystemdNotifyTest, ReadyWatchdogWithStatusAndStopping) {
  NotifySocket systemd(dir_ / "notify.sock");
  ASSERT_TRUE(systemd.bound());
  auto p = Start({"NOTIFY_SOCKET=" + systemd.path(), "WATCHDOG_USEC=1000000"});
  std::string ready = systemd.Until("READY=1");
  ASSERT_NE(ready, "") << systemd.Seen() << p->Stderr();
  EXPECT_NE(ready.find("STATUS=1 pipeline(s) running"), std::string::npos) << ready;
  // Pings every 0.5 s; each carries the summary. Lines typed on stdin show up as events in.
  p->WriteStdin("one\ntwo\nthree\n");
  for (int i = 0; i < 3; ++i) {
    std::string ping = systemd.Until("WATCHDOG=1");
    ASSERT_NE(ping, "") << systemd.Seen() << p->Stderr();
    EXPECT_NE(ping.find("\nSTATUS=1 pipeline: in "), std::string::npos) << ping;
    EXPECT_NE(ping.find(" ev/s, out "), std::string::npos) << ping;
    EXPECT_NE(ping.find(" errors"), std::string::npos) << ping;
  }
  p->Signal(SIGTERM);
  std::string stopping = systemd.Until("STOPPING=1");
  EXPECT_NE(stopping, "") << systemd.Seen() << p->Stderr();
  EXPECT_NE(stopping.find("STATUS=draining: received SIGTERM"), std::string::npos) << stopping;
  EXPECT_EQ(p->WaitFor(seconds(60)), 0) << p->Stderr();
}

// WATCHDOG_PID naming another process (systemd asked our parent for pings): READY and STATUS
// still come, WATCHDOG=1 never does.
TEST_F(SystemdNotifyTest, NoPingsWhenTheWatchdogIsForAnotherProcess) {
  NotifySocket systemd(dir_ / "notify.sock");
  ASSERT_TRUE(systemd.bound());
  auto p = Start({"NOTIFY_SOCKET=" + systemd.path(), "WATCHDOG_USEC=200000", "WATCHDOG_PID=1"});
  ASSERT_NE(systemd.Until("READY=1"), "") << systemd.Seen() << p->Stderr();
  // Asked for, pings would come every 0.1 s; the status alone comes every 5 s.
  EXPECT_EQ(systemd.Next(std::chrono::milliseconds(1000)), "");
  p->Signal(SIGTERM);
  ASSERT_NE(systemd.Until("STOPPING=1"), "") << systemd.Seen() << p->Stderr();
  EXPECT_EQ(systemd.Seen().find("WATCHDOG=1"), std::string::npos) << systemd.Seen();
  EXPECT_EQ(p->WaitFor(seconds(60)), 0) << p->Stderr();
}

// SIGHUP: RELOADING=1 with the monotonic time, then READY=1 with the outcome in STATUS=; the
// pipeline (unchanged) keeps its stdin, so lines typed after the reload still arrive.
TEST_F(SystemdNotifyTest, ReloadIsWrappedInReloadingAndReady) {
  NotifySocket systemd(dir_ / "notify.sock");
  ASSERT_TRUE(systemd.bound());
  auto p = Start({"NOTIFY_SOCKET=" + systemd.path()});
  ASSERT_NE(systemd.Until("READY=1"), "") << systemd.Seen() << p->Stderr();
  p->Signal(SIGHUP);
  std::string reloading = systemd.Until("RELOADING=1");
  ASSERT_NE(reloading, "") << systemd.Seen() << p->Stderr();
  EXPECT_NE(reloading.find("\nMONOTONIC_USEC="), std::string::npos) << reloading;
  std::string ready = systemd.Until("READY=1");
  ASSERT_NE(ready, "") << systemd.Seen() << p->Stderr();
  EXPECT_NE(ready.find("STATUS=reloaded: 1 unchanged, 0 replaced, 0 added, 0 removed"),
            std::string::npos)
      << ready;
  p->WriteStdin("after the reload\n");
  ASSERT_TRUE(
      WaitForMetric(*p, Series("sluice_component_sent_events_total", "p", "input", "stdin"), 1))
      << p->Stderr();
  p->Signal(SIGTERM);
  ASSERT_NE(systemd.Until("STOPPING=1"), "") << systemd.Seen() << p->Stderr();
  EXPECT_EQ(p->WaitFor(seconds(60)), 0) << p->Stderr();
}

}  // namespace
}  // namespace sluice::testing
