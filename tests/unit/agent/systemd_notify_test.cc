#include "agent/systemd_notify.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "tests/unit/test_util.h"

namespace sluice::agent {
namespace {

// A datagram socket bound to `name` (a path, or '@' for the abstract namespace), as systemd's.
class Receiver {
 public:
  explicit Receiver(const std::string& name) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, name.data(), name.size());
    if (name[0] == '@') addr.sun_path[0] = '\0';
    bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&addr),
                    static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size())) == 0;
  }
  ~Receiver() { ::close(fd_); }
  bool bound() const { return bound_; }
  // The next datagram, or "" when none comes within 10 s.
  std::string Next() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 10000) != 1) return "";
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }

 private:
  int fd_ = -1;
  bool bound_ = false;
};

TEST(SystemdNotifierTest, SendsOneDatagramToAPathSocket) {
  auto dir = testing::FreshTestDir("notify");
  const std::string path = (dir / "notify.sock").string();
  Receiver receiver(path);
  ASSERT_TRUE(receiver.bound());
  SystemdNotifier notifier(path, std::nullopt);
  ASSERT_TRUE(notifier.enabled());
  ASSERT_TRUE(notifier.Notify("READY=1\nSTATUS=running").ok());
  EXPECT_EQ(receiver.Next(), "READY=1\nSTATUS=running");
  std::filesystem::remove_all(dir);
}

TEST(SystemdNotifierTest, SendsToAnAbstractSocket) {
  const std::string name = "@sluice-notify-test-" + std::to_string(::getpid());
  Receiver receiver(name);
  ASSERT_TRUE(receiver.bound());
  ASSERT_TRUE(SystemdNotifier(name, std::nullopt).Notify("STOPPING=1").ok());
  EXPECT_EQ(receiver.Next(), "STOPPING=1");
}

TEST(SystemdNotifierTest, WithoutNotifySocketEveryCallDoesNothing) {
  ::unsetenv("NOTIFY_SOCKET");
  SystemdNotifier notifier = SystemdNotifier::FromEnvironment();
  EXPECT_FALSE(notifier.enabled());
  EXPECT_FALSE(notifier.watchdog().has_value());
  EXPECT_TRUE(notifier.Notify("READY=1").ok());
}

TEST(SystemdNotifierTest, TheWatchdogAppliesOnlyToTheProcessItNames) {
  ::setenv("NOTIFY_SOCKET", "/run/systemd/notify", 1);
  ::setenv("WATCHDOG_USEC", "30000000", 1);
  ::unsetenv("WATCHDOG_PID");
  SystemdNotifier mine = SystemdNotifier::FromEnvironment();
  ASSERT_TRUE(mine.watchdog().has_value());
  EXPECT_EQ(mine.watchdog()->count(), 30000000);
  ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  EXPECT_TRUE(SystemdNotifier::FromEnvironment().watchdog().has_value());
  ::setenv("WATCHDOG_PID", "1", 1);  // systemd asked another process (our parent) for pings
  EXPECT_FALSE(SystemdNotifier::FromEnvironment().watchdog().has_value());
  ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  ::setenv("WATCHDOG_USEC", "soon", 1);
  EXPECT_FALSE(SystemdNotifier::FromEnvironment().watchdog().has_value());
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  ::unsetenv("WATCHDOG_PID");
}

TEST(SystemdNotifierTest, AnUnusableSocketIsAnErrorNamingIt) {
  Status relative = SystemdNotifier("notify.sock", std::nullopt).Notify("READY=1");
  EXPECT_FALSE(relative.ok());
  EXPECT_NE(relative.message().find("'notify.sock'"), std::string::npos) << relative.message();
  Status absent = SystemdNotifier("/nonexistent/notify.sock", std::nullopt).Notify("READY=1");
  EXPECT_FALSE(absent.ok());
  EXPECT_NE(absent.message().find("cannot notify systemd at '/nonexistent/notify.sock'"),
            std::string::npos)
      << absent.message();
}

}  // namespace
}  // namespace sluice::agent
