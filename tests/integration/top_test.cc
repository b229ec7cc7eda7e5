// `sluice top` against a running instance (generate at 2,000 events/s → mutate → blackhole, with an
// admin token): `--once` prints one frame with the pipeline, its components and their rates; the
// interactive view runs in a real 80x24 terminal (tmux: new-session, capture-pane, send-keys q) and
// quits on `q`; without the token it says so and exits 3.
#include <gtest/gtest.h>

#include <csignal>
#include <sstream>

#include "tests/integration/require_peer.h"
#include "tests/integration/sluice_process.h"

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

constexpr char kTmux[] = "/usr/bin/tmux";
class TopTest : public RunningAgentTest {
 protected:
  void SetUp() override {
    StartAgent("sluice_top",
               std::string("pipelines:\n  spark:\n    inputs: [{type: generate, rate: 2000}]\n") +
                   "    filters: [{type: mutate, id: tag, set: {env: test}}]\n" +
                   "    outputs: [{type: blackhole, id: sink}]\n");
  }
};

TEST_F(TopTest, OncePrintsOneFrameWithEveryComponentAndItsRates) {
  std::string out, err;
  ASSERT_EQ(
      RunCommand({SLUICE_BINARY, "top", "--once", "-c", config_, "--admin", Admin()}, &out, &err),
      0)
      << out << err;
  std::istringstream lines(out);
  std::vector<std::string> frame;
  for (std::string l; std::getline(lines, l);) frame.push_back(l);
  ASSERT_EQ(frame.size(), 6u) << out;
  EXPECT_NE(frame[0].find("sluice top  http://" + Admin() + "  1 pipeline(s)"), std::string::npos)
      << out;
  EXPECT_NE(frame[1].find("IN/s"), std::string::npos) << out;
  EXPECT_EQ(frame[2].rfind("spark ", 0), 0u) << out;
  EXPECT_EQ(frame[3].rfind("  generate ", 0), 0u) << out;
  EXPECT_EQ(frame[4].rfind("  tag (mutate) ", 0), 0u) << out;
  EXPECT_EQ(frame[5].rfind("  sink (blackhole) ", 0), 0u) << out;
  // About 2,000 events/s flow through the filter: a rate, not "-" or 0.
  std::istringstream filter(frame[4].substr(28));
  std::string kind, in, sent;
  filter >> kind >> in >> sent;
  EXPECT_EQ(kind, "filter") << frame[4];
  EXPECT_GT(std::stod(in), 500) << frame[4];
}

TEST_F(TopTest, WithoutTheTokenItSaysSoAndExitsThree) {
  std::string out, err;
  EXPECT_EQ(RunCommand({SLUICE_BINARY, "top", "--once", "--admin", Admin()}, &out, &err), 3)
      << out << err;
  EXPECT_NE(err.find("wants the admin token"), std::string::npos) << err;
}

// The interactive view in a detached tmux session of 80x24: the frame shows the components and
// refreshes; `q` ends it and restores the terminal.
TEST_F(TopTest, RunsInAnEightyByTwentyFourTerminalAndQuitsOnQ) {
  SLUICE_REQUIRE_PEER(fs::exists(kTmux), "tmux is not installed (apt-get install tmux)");
  const std::string session = "sluice-top-" + std::to_string(::getpid());
  const std::string top =
      std::string(SLUICE_BINARY) + " top --interval 0.3 --token " + kToken + " --admin " + Admin();
  std::string out, err;
  ASSERT_EQ(RunCommand({kTmux, "-L", session, "new-session", "-d", "-s", session, "-x", "80", "-y",
                        "24", top + "; sleep 30"},
                       &out, &err),
            0)
      << err;
  auto capture = [&] {
    std::string o, e;
    RunCommand({kTmux, "-L", session, "capture-pane", "-p", "-t", session}, &o, &e);
    return o;
  };
  std::string screen;
  bool shown = WaitUntil(
      [&] {
        screen = capture();
        return screen.find("  sink (blackhole)") != std::string::npos &&
               screen.find("  tag (mutate)") != std::string::npos;
      },
      seconds(30));
  EXPECT_TRUE(shown) << screen;
  std::istringstream rows(screen);
  for (std::string l; std::getline(rows, l);) EXPECT_LE(l.size(), 80u) << l;
  RunCommand({kTmux, "-L", session, "send-keys", "-t", session, "q"}, &out, &err);
  // After q, top has left the alternate screen: the shell's pane no longer shows the frame.
  bool quit = WaitUntil([&] { return capture().find("IN/s") == std::string::npos; }, seconds(30));
  EXPECT_TRUE(quit) << capture();
  RunCommand({kTmux, "-L", session, "kill-server"}, &out, &err);
}

}  // namespace
}  // namespace sluice::testing
