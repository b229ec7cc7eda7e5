// `sluice tap` against a running instance (generate at 5,000 events/s → mutate `tag` → blackhole
// `sink`): samples of the components its patterns name arrive as JSON or text, with the filter's
// work visible; a pattern that names nothing lists the components (exit 1); the token is needed;
// and a client that does not read loses samples (counted), never the pipeline's events.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/integration/sluice_process.h"

namespace sluice::testing {
namespace {

using std::chrono::seconds;

class TapTest : public RunningAgentTest {
 protected:
  void SetUp() override {
    StartAgent("sluice_tap",
               std::string("pipelines:\n  spark:\n    inputs: [{type: generate, rate: 5000}]\n") +
                   "    filters: [{type: mutate, id: tag, set: {env: tapped}}]\n" +
                   "    outputs: [{type: blackhole, id: sink}]\n");
  }
  // `sluice tap ARGS...` with the admin address and the config (for the token).
  int Tap(std::vector<std::string> args, std::string* out, std::string* err,
          bool with_config = true) {
    std::vector<std::string> argv = {SLUICE_BINARY, "tap", "--admin", Admin()};
    if (with_config) argv.insert(argv.end(), {"-c", config_});
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, out, err);
  }
  static std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
  }
};

TEST_F(TapTest, SamplesOfTheNamedComponentsAsJson) {
  std::string out, err;
  ASSERT_EQ(Tap({"--limit", "300", "spark.tag", "*.sink"}, &out, &err), 0) << out << err;
  std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 300u) << err;
  int filter = 0;
  int output = 0;
  for (const std::string& l : lines) {
    bool is_filter =
        l.rfind("{\"component\":\"spark.tag\",\"kind\":\"filter\",\"event\":{", 0) == 0;
    bool is_output =
        l.rfind("{\"component\":\"spark.sink\",\"kind\":\"output\",\"event\":{", 0) == 0;
    EXPECT_TRUE(is_filter || is_output) << l;
    filter += is_filter;
    output += is_output;
    // After the filter, every event carries its field; the input's own events are not tapped.
    EXPECT_NE(l.find("\"env\":\"tapped\""), std::string::npos) << l;
  }
  EXPECT_GT(filter, 0) << out;
  EXPECT_GT(output, 0) << out;
}

TEST_F(TapTest, TextFormatAndTheInputsSamplesBeforeTheFilter) {
  std::string out, err;
  ASSERT_EQ(Tap({"--limit", "5", "--format", "text", "spark.generate"}, &out, &err), 0)
      << out << err;
  std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 5u) << out;
  for (const std::string& l : lines) {
    EXPECT_EQ(l.rfind("spark.generate input  ", 0), 0u) << l;
    EXPECT_GT(l.size(), std::string("spark.generate input  ").size() + 10) << l;
  }
  // JSON of the input's samples: no filter has run yet.
  ASSERT_EQ(Tap({"--limit", "3", "spark.generate"}, &out, &err), 0) << out << err;
  EXPECT_EQ(out.find("\"env\""), std::string::npos) << out;
}

TEST_F(TapTest, APatternThatNamesNothingListsTheComponents) {
  std::string out, err;
  EXPECT_EQ(Tap({"--limit", "1", "spark.grok"}, &out, &err), 1) << out << err;
  EXPECT_NE(err.find("no component matches spark.grok"), std::string::npos) << err;
  EXPECT_NE(err.find("spark.generate, spark.tag, spark.sink"), std::string::npos) << err;
}

TEST_F(TapTest, TheTokenIsNeeded) {
  std::string out, err;
  EXPECT_EQ(Tap({"--limit", "1", "spark.tag"}, &out, &err, /*with_config=*/false), 3) << out << err;
  EXPECT_NE(err.find("wants the admin token"), std::string::npos) << err;
}

// A client that asks for every event and never reads: the server's queue fills, the samples that
// do not fit are counted as missed, and the pipeline goes on at its rate (5,000 events/s).
TEST_F(TapTest, AClientThatDoesNotReadLosesSamplesNotEvents) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  int small = 4096;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  const std::string request =
      std::string("GET /api/v1/tap?pattern=spark.*&rate=100000 HTTP/1.1\r\n") +
      "Host: 127.0.0.1\r\nAuthorization: Bearer " + kToken + "\r\n\r\n";
  ASSERT_EQ(::write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  const std::string sent =
      Series("sluice_component_sent_events_total", "spark", "output", "blackhole", "sink");
  const std::string missed = "sluice_tap_missed_samples_total";
  auto metrics = [&] {
    auto r = HttpGet(port_, "/metrics", {{"Authorization", std::string("Bearer ") + kToken}});
    return r && r->status == 200 ? r->body : std::string();
  };
  ASSERT_TRUE(WaitUntil([&] { return MetricIn(metrics(), missed) > 1000; }, seconds(30)))
      << metrics();
  double before = MetricIn(metrics(), sent);
  // Two more seconds of a stalled tap: the pipeline keeps delivering (at least half its rate).
  std::this_thread::sleep_for(seconds(2));  // a measurement window, not a synchronization
  double after = MetricIn(metrics(), sent);
  EXPECT_GT(after - before, 5000) << "delivered " << after - before << " events in 2 s";
  ::close(fd);
  ASSERT_TRUE(
      WaitUntil([&] { return MetricIn(metrics(), "sluice_tap_sessions") == 0; }, seconds(30)))
      << metrics();
}

}  // namespace
}  // namespace sluice::testing
