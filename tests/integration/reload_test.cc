// Config reload of a running `sluice run` (agent/reloader.h, Service::Reload): through POST
// /api/v1/reload, `sluice reload` and SIGHUP. A changed pipeline is drained and replaced while a
// writer appends 50,000 lines/s: every line arrives exactly once, in order, and the lines the
// replaced pipeline read carry the new filter's field; an unchanged pipeline is left alone; an
// invalid config is rejected with its file:line:column and the old pipelines keep running; added
// pipelines start and removed ones stop.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>

#include "tests/integration/file_input_fixture.h"

namespace sluice::testing {
namespace {

class ReloadTest : public SluiceProcessTest {
 protected:
  void SetUp() override {
    MakeDir("sluice_reload");
    fs::create_directories(dir_ / "logs");
  }

  // A file → mutate (set generation) → file pipeline named `name`, reading logs/NAME.log into
  // NAME.ndjson.
  std::string Pipeline(const std::string& name, const std::string& generation) const {
    return "  " + name + ":\n" + "    inputs: [{type: file, read_from: beginning, include: ['" +
           (dir_ / "logs" / (name + ".log")).string() + "']}]\n" +
           "    filters: [{type: mutate, set: {generation: " + generation + "}}]\n" +
           "    outputs: [{type: file, codec: json, path: '" + Out(name).string() + "'}]\n";
  }
  fs::path Out(const std::string& name) const { return dir_ / (name + ".ndjson"); }
  fs::path Log(const std::string& name) const { return dir_ / "logs" / (name + ".log"); }

  // Writes (or rewrites) the config the process runs: the same data_dir and admin settings each
  // time, then `pipelines`.
  std::string Write(const std::string& pipelines, const std::string& admin_extra = "") {
    return WriteConfig("agent", "pipelines:\n" + pipelines, admin_extra);
  }

  static httplib::Result PostReload(int port, const httplib::Headers& headers = {}) {
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(30);
    client.set_read_timeout(120);
    return client.Post("/api/v1/reload", headers, "", "application/json");
  }

  // Runs `sluice reload ARGS...`; returns its exit code, with its stdout and stderr.
  int ReloadCommand(const std::vector<std::string>& args, std::string* out, std::string* err) {
    std::vector<std::string> argv = {SLUICE_BINARY, "reload"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, out, err);
  }

  static std::string Generation(const std::string& line) {
    const std::string key = "\"generation\":\"";
    size_t at = line.find(key);
    if (at == std::string::npos) return "";
    size_t end = line.find('"', at + key.size());
    return line.substr(at + key.size(), end - at - key.size());
  }
  static uint64_t SeqOf(const std::string& line) {
    size_t at = line.find("seq=");
    return at == std::string::npos ? UINT64_MAX : std::stoull(line.substr(at + 4, 6));
  }
};

// 250,000 lines at 50,000 lines/s into `spark`; one second in, the config changes `spark`'s filter
// and leaves `steady` as it is, and POST /api/v1/reload applies it. Every line of both pipelines
// arrives exactly once and in order; `spark`'s lines switch from generation one to two once, at a
// line written before the reload returned, and every line written after it carries two.
TEST_F(ReloadTest, ReplacingAPipelineUnderLoadLosesAndRepeatsNothing) {
  constexpr uint64_t kLines = 250000;
  const std::string steady = Pipeline("steady", "one");
  std::string config = Write(Pipeline("spark", "one") + steady);
  {
    LogWriter w(Log("steady"));
    for (uint64_t i = 0; i < 1000; ++i) w.Write(SeqLine(i, "steady"));
  }
  auto p = Run(config, "run");
  int port = WaitForAdminPort(*p);
  ASSERT_GT(port, 0) << p->Stderr();
  ASSERT_TRUE(WaitUntil([&] { return CountLines(Out("steady")) == 1000; }, kDeadline))
      << p->Stderr();

  PacedWriter writer({Log("spark")}, kLines, 500, milliseconds(10));  // 50,000 lines/s
  ASSERT_TRUE(WaitUntil([&] { return writer.written() >= 50000; }, kDeadline));
  Write(Pipeline("spark", "two") + steady);
  auto answer = PostReload(port);
  const uint64_t written_when_applied = writer.written();
  ASSERT_TRUE(answer) << p->Stderr();
  ASSERT_EQ(answer->status, 200) << answer->body << p->Stderr();
  EXPECT_NE(answer->body.find("\"replaced\":[\"spark\"]"), std::string::npos) << answer->body;
  EXPECT_NE(answer->body.find("\"unchanged\":[\"steady\"]"), std::string::npos) << answer->body;
  EXPECT_NE(answer->body.find("\"errors\":[]"), std::string::npos) << answer->body;
  writer.Join();
  ASSERT_TRUE(WaitUntil([&] { return CountLines(Out("spark")) >= kLines; }, seconds(120)))
      << CountLines(Out("spark")) << " lines\n"
      << p->Stderr();
  p->Signal(SIGTERM);
  ASSERT_EQ(p->WaitFor(seconds(60)), 0) << p->Stderr();

  std::vector<std::string> lines = ReadLines(Out("spark"));
  SequenceReport report = Check(lines, {{"spark", kLines}});
  EXPECT_EQ(NotExactlyOnce(report), "") << report.ToString();
  std::printf("[   INFO   ] %llu lines, reload applied after %llu were written\n",
              static_cast<unsigned long long>(lines.size()),
              static_cast<unsigned long long>(written_when_applied));
  uint64_t first_two = UINT64_MAX;
  uint64_t ones = 0;
  uint64_t twos = 0;
  uint64_t one_after_two = 0;
  for (const std::string& line : lines) {
    std::string g = Generation(line);
    uint64_t seq = SeqOf(line);
    if (g == "two") {
      ++twos;
      first_two = std::min(first_two, seq);
    } else if (g == "one") {
      ++ones;
      if (first_two != UINT64_MAX) ++one_after_two;
    } else {
      ADD_FAILURE() << "no generation: " << line;
      break;
    }
  }
  EXPECT_GT(ones, 0u);
  EXPECT_EQ(one_after_two, 0u) << "generation one after the first two (at seq " << first_two << ")";
  EXPECT_LE(first_two, written_when_applied) << "lines written after the reload missed the filter";
  EXPECT_GE(twos, kLines - written_when_applied);
  // The unchanged pipeline was left running (the answer listed it), and nothing repeated.
  SequenceReport steady_report = Check(ReadLines(Out("steady")), {{"steady", 1000}});
  EXPECT_EQ(NotExactlyOnce(steady_report), "") << steady_report.ToString();
  EXPECT_NE(p->Stderr().find("reload: draining 1 pipeline(s)"), std::string::npos) << p->Stderr();
}

// An invalid new config: POST answers 422 with the error at file:line:column, `sluice reload`
// exits 1 and prints it, and the old pipeline keeps reading with its old filter.
TEST_F(ReloadTest, AnInvalidConfigIsRejectedAndTheOldPipelinesKeepRunning) {
  const std::string good = Pipeline("spark", "one");
  std::string config = Write(good);
  auto p = Run(config, "run");
  int port = WaitForAdminPort(*p);
  ASSERT_GT(port, 0) << p->Stderr();
  {
    LogWriter w(Log("spark"));
    for (uint64_t i = 0; i < 100; ++i) w.Write(SeqLine(i, "spark"));
  }
  ASSERT_TRUE(WaitUntil([&] { return CountLines(Out("spark")) == 100; }, kDeadline)) << p->Stderr();

  // Line 6 of agent.yaml (data_dir, admin, checkpoint_interval, pipelines:, spark:, inputs):
  // `includ` is not an option.
  std::string broken = good;
  broken.replace(broken.find("include:"), 8, "includ: ");
  Write(broken);
  auto answer = PostReload(port);
  ASSERT_TRUE(answer) << p->Stderr();
  EXPECT_EQ(answer->status, 422) << answer->body;
  EXPECT_NE(answer->body.find("\"rejected\":true"), std::string::npos) << answer->body;
  EXPECT_NE(answer->body.find("agent.yaml:6:"), std::string::npos) << answer->body;
  EXPECT_NE(answer->body.find("includ"), std::string::npos) << answer->body;

  std::string out, err;
  EXPECT_EQ(ReloadCommand({"--admin", "127.0.0.1:" + std::to_string(port)}, &out, &err), 1)
      << out << err;
  EXPECT_NE(err.find("reload rejected"), std::string::npos) << err;
  EXPECT_NE(err.find("agent.yaml:6:"), std::string::npos) << err;

  {
    LogWriter w(Log("spark"));
    for (uint64_t i = 100; i < 200; ++i) w.Write(SeqLine(i, "spark"));
  }
  ASSERT_TRUE(WaitUntil([&] { return CountLines(Out("spark")) == 200; }, kDeadline)) << p->Stderr();
  p->Signal(SIGTERM);
  ASSERT_EQ(p->WaitFor(seconds(60)), 0) << p->Stderr();
  std::vector<std::string> lines = ReadLines(Out("spark"));
  SequenceReport report = Check(lines, {{"spark", 200}});
  EXPECT_EQ(NotExactlyOnce(report), "") << report.ToString();
  for (const std::string& line : lines) EXPECT_EQ(Generation(line), "one") << line;
  EXPECT_NE(p->Stderr().find("the running pipelines are left as they are"), std::string::npos);
}

// SIGHUP with `a` unchanged, `b` removed and `c` added: b's lines are all delivered before it
// stops, c reads its file, a keeps going. Then `sluice reload -c` (the token read from the
// config) reports a reload with nothing to change, and without the token is refused.
TEST_F(ReloadTest, SighupAddsAndRemovesPipelinesAndTheCommandUsesTheToken) {
  const std::string token = ", token: 'reload-test-token-0123456789'";
  std::string config = Write(Pipeline("a", "one") + Pipeline("b", "one"), token);
  auto p = Run(config, "run");
  ASSERT_GT(WaitForAdminPort(*p), 0) << p->Stderr();
  for (const char* name : {"a", "b"}) {
    LogWriter w(Log(name));
    for (uint64_t i = 0; i < 500; ++i) w.Write(SeqLine(i, name));
  }
  ASSERT_TRUE(WaitUntil([&] { return CountLines(Out("a")) == 500; }, kDeadline)) << p->Stderr();
  Write(Pipeline("a", "one") + Pipeline("c", "one"), token);
  p->Signal(SIGHUP);
  ASSERT_TRUE(WaitUntil(
      [&] {
        return p->Stderr().find("reload: 1 unchanged, 0 replaced, 1 added (c), 1 removed (b)") !=
               std::string::npos;
      },
      kDeadline))
      << p->Stderr();
  for (const char* name : {"a", "c"}) {
    LogWriter w(Log(name));
    for (uint64_t i = name[0] == 'a' ? 500 : 0; i < 1000; ++i) w.Write(SeqLine(i, name));
  }
  ASSERT_TRUE(WaitUntil([&] { return CountLines(Out("a")) == 1000; }, kDeadline)) << p->Stderr();
  ASSERT_TRUE(WaitUntil([&] { return CountLines(Out("c")) == 1000; }, kDeadline)) << p->Stderr();

  const std::string admin = "127.0.0.1:" + std::to_string(AdminPort(*p));
  std::string out, err;
  EXPECT_EQ(ReloadCommand({"--admin", admin}, &out, &err), 3) << out << err;
  EXPECT_NE(err.find("wants the admin token"), std::string::npos) << err;
  EXPECT_EQ(ReloadCommand({"--admin", admin, "-c", config}, &out, &err), 0) << out << err;
  EXPECT_EQ(out, "reloaded: 2 unchanged, 0 replaced, 0 added, 0 removed\n") << out << err;

  p->Signal(SIGTERM);
  ASSERT_EQ(p->WaitFor(seconds(60)), 0) << p->Stderr();
  for (auto [name, n] : {std::pair<const char*, uint64_t>{"a", 1000}, {"b", 500}, {"c", 1000}}) {
    SequenceReport r = Check(ReadLines(Out(name)), {{name, n}});
    EXPECT_EQ(NotExactlyOnce(r), "") << name << ": " << r.ToString();
  }
}

}  // namespace
}  // namespace sluice::testing
