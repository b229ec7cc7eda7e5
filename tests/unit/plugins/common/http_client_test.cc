#include "plugins/common/http_client.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

namespace sluice::common {
namespace {

// A server whose one handler answers only when the test lets it (or after a minute).
class SilentServer {
 public:
  SilentServer() {
    server_.Get("/", [this](const httplib::Request&, httplib::Response& res) {
      std::unique_lock lock(mu_);
      arrived_ = true;
      cv_.notify_all();
      cv_.wait_for(lock, std::chrono::seconds(60), [&] { return release_; });
      res.set_content("late", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the loop runs would be lost (and join() would hang): wait for it.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~SilentServer() {
    {
      std::lock_guard lock(mu_);
      release_ = true;
    }
    cv_.notify_all();
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }
  bool WaitArrived() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return arrived_; });
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool arrived_ = false;
  bool release_ = false;
};

// An output giving up at shutdown sets the abort flag: the request in flight returns then, with
// "aborted", not after its 60 s timeout.
TEST(HttpClientTest, TheAbortFlagStopsARequestInFlight) {
  SilentServer server;
  std::atomic<bool> abort{false};
  HttpClient client(HttpClientOptions{.timeout = std::chrono::seconds(60), .abort = &abort});
  auto sent = std::async(std::launch::async, [&] {
    HttpRequest request;
    request.url = server.url();
    return client.Send(request);
  });
  ASSERT_TRUE(server.WaitArrived());
  EXPECT_EQ(sent.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  abort = true;
  ASSERT_EQ(sent.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  HttpResponse response = sent.get();
  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(response.error, "aborted");
}

TEST(HttpClientTest, WithoutAbortTheAnswerComes) {
  httplib::Server server;
  server.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("hello", "text/plain");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread t([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::atomic<bool> abort{false};
  HttpResponse response;
  {
    HttpClient client(HttpClientOptions{.abort = &abort});  // closes its connection when gone
    HttpRequest request;
    request.url = "http://127.0.0.1:" + std::to_string(port) + "/";
    response = client.Send(request);
  }
  server.stop();
  t.join();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "hello");
}

}  // namespace
}  // namespace sluice::common
