// SluiceProcessTest: a fixture for tests that run the sluice binary: a test directory (kept when
// the test fails), config files with their own data_dir and an admin API on a free port, runs in
// directories of their own, and reads of the admin API (/metrics, /ready), with waits for them.
// Thread-safety: none; used by the test's thread.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "tests/integration/http_get.h"
#include "tests/integration/subprocess.h"

namespace sluice::testing {

class SluiceProcessTest : public ::testing::Test {
 protected:
  // Makes the test's directory, /tmp/PREFIX_PID_TESTNAME (SetUp calls it).
  void MakeDir(const std::string& prefix) { dir_ = FreshTestDir(prefix); }
  void TearDown() override {
    if (!HasFailure() && !dir_.empty()) std::filesystem::remove_all(dir_);
  }
  // A config file NAME.yaml with its own data_dir and an admin API on a free port; `admin_extra`
  // adds to the admin map (", token: T").
  std::string WriteConfig(const std::string& name, const std::string& yaml,
                          const std::string& admin_extra = "") {
    std::string path = (dir_ / (name + ".yaml")).string();
    std::ofstream(path) << "data_dir: " << (dir_ / (name + "-data")).string()
                        << "\nadmin: {listen: '127.0.0.1:0'" << admin_extra
                        << "}\ncheckpoint_interval: 200ms\n"
                        << yaml;
    return path;
  }
  std::unique_ptr<Subprocess> Run(const std::string& config, const std::string& name) {
    std::filesystem::path run_dir = dir_ / ("run-" + name + "-" + std::to_string(runs_++));
    std::filesystem::create_directories(run_dir);
    return std::make_unique<Subprocess>(
        std::vector<std::string>{SLUICE_BINARY, "run", "-c", config}, run_dir);
  }
  // Runs `argv` to its end (at most 120 s) in a directory of its own; returns its exit code, with
  // its stdout in `out` and its stderr in `err`.
  int RunCommand(const std::vector<std::string>& argv, std::string* out, std::string* err) {
    Subprocess p(argv, dir_ / ("cmd-" + std::to_string(runs_++)));
    int code = p.WaitFor(std::chrono::seconds(120));
    *out = p.Stdout();
    *err = p.Stderr();
    return code;
  }
  // The admin port the process printed; -1 when it has not (yet).
  static int AdminPort(const Subprocess& p) {
    std::smatch m;
    std::string err = p.Stderr();
    static const std::regex re("admin API on https?://127\\.0\\.0\\.1:(\\d+)");
    return std::regex_search(err, m, re) ? std::stoi(m[1]) : -1;
  }
  // Waits up to `timeout` for the process to print its admin port; -1 when it did not.
  static int WaitForAdminPort(const Subprocess& p,
                              std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    int port = -1;
    WaitUntil([&] { return (port = AdminPort(p)) > 0; }, timeout);
    return port;
  }
  // The process's /metrics text; "" when the admin API does not answer.
  static std::string Metrics(const Subprocess& p) {
    int port = AdminPort(p);
    if (port < 0) return "";
    auto r = HttpGet(port, "/metrics");
    return r ? r->body : "";
  }
  // The value of a metric series (exact name with labels) in a /metrics text; -1 when absent.
  static double MetricIn(const std::string& metrics, const std::string& series) {
    size_t at = metrics.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(metrics.substr(at + series.size() + 2));
  }
  // The value of a metric series (exact name with labels) from the process's /metrics; -1 when
  // absent or the admin API does not answer.
  static double Metric(const Subprocess& p, const std::string& series) {
    return MetricIn(Metrics(p), series);
  }
  // Waits up to `timeout` until Metric(p, series) is `value`.
  static bool WaitForMetric(const Subprocess& p, const std::string& series, double value,
                            std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    return WaitUntil([&] { return Metric(p, series) == value; }, timeout);
  }
  static int ReadyStatus(const Subprocess& p) {
    int port = AdminPort(p);
    if (port < 0) return -1;
    auto r = HttpGet(port, "/ready");
    return r ? r->status : -1;
  }
  // A component's series: NAME{pipeline="P",kind="K",type="T",id="ID"} (`id` defaults to `type`,
  // the id of a plugin without one).
  static std::string Series(const std::string& name, const std::string& pipeline,
                            const std::string& kind, const std::string& type,
                            const std::string& id = "") {
    return name + "{pipeline=\"" + pipeline + "\",kind=\"" + kind + "\",type=\"" + type +
           "\",id=\"" + (id.empty() ? type : id) + "\"}";
  }
  static std::string OutputSent(const std::string& pipeline, const std::string& type) {
    return Series("sluice_component_sent_events_total", pipeline, "output", type);
  }

  std::filesystem::path dir_;
  int runs_ = 0;
};

// A fixture whose tests talk to one running `sluice run` (the commands that call the admin API):
// StartAgent() runs `pipelines` with an admin token; TearDown stops it with SIGTERM and expects a
// clean exit.
class RunningAgentTest : public SluiceProcessTest {
 protected:
  static constexpr char kToken[] = "running-agent-test-token-0123456789";

  // Makes the test's directory (PREFIX) and starts the agent; check HasFatalFailure() after.
  void StartAgent(const std::string& prefix, const std::string& pipelines) {
    MakeDir(prefix);
    config_ = WriteConfig("agent", pipelines, std::string(", token: ") + kToken);
    agent_ = Run(config_, "agent");
    port_ = WaitForAdminPort(*agent_);
    ASSERT_GT(port_, 0) << agent_->Stderr();
  }
  void TearDown() override {
    if (agent_) {
      agent_->Signal(SIGTERM);
      EXPECT_EQ(agent_->WaitFor(std::chrono::seconds(60)), 0) << agent_->Stderr();
    }
    SluiceProcessTest::TearDown();
  }
  std::string Admin() const { return "127.0.0.1:" + std::to_string(port_); }

  std::string config_;
  std::unique_ptr<Subprocess> agent_;
  int port_ = -1;
};

}  // namespace sluice::testing
