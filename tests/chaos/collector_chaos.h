// What the collector's chaos tests (tests/chaos/collector_*_test.cc) share. They run the real
// collector: the kafka input reading a topic of numbered lines (`seq=N file=app0 ...`) from
// tests/tools/kafka_mock_cluster, into the s3 output (s3rver) and/or the elasticsearch output
// (tests/tools/es_test_server), through repeated faults: kill -9 and restart, S3 or Elasticsearch
// down for 30 s, a 429 storm. Each test then counts what the bucket's objects and the index's
// documents hold against the numbered lines, prints lost and duplicated, and expects every event
// exactly once (the s3 output's deterministic object names and offset markers, the elasticsearch
// output's stable document ids).
// Here: CollectorChaosTest, the fixture (the topic, collector configs, kill -9 and a restart timed
// until the collector consumes again, waits with deadlines on the stores, the exactly-once count),
// and ProxiedS3rver, s3rver behind tests/tools/http_fault_proxy.
// Thread-safety: none; everything is used by the test's thread.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "tests/integration/command_process.h"
#include "tests/integration/es_server.h"
#include "tests/integration/free_port.h"
#include "tests/integration/kafka_fed.h"
#include "tests/integration/require_peer.h"
#include "tests/integration/sanitizer_build.h"
#include "tests/integration/sequence_checker.h"
#include "tests/integration/sluice_process.h"
#include "tests/integration/subprocess.h"

namespace sluice::testing::collector_chaos {

using std::chrono::seconds;

// How soon a restarted collector consumes again, from its spawn (issue 17: 10 s; a sanitizer
// build starts and joins its group slower).
inline constexpr std::chrono::seconds kResumeBound{kSanitizerBuild ? 30 : 10};
// How long the outage tests keep S3 or Elasticsearch down.
inline constexpr std::chrono::seconds kOutage{30};
inline constexpr char kAwsCli[] = "/usr/bin/aws";

// Bucket `lake` in s3rver (an S3 protocol server from npm that checks no signatures: access key
// S3RVER; scripts/deps.sh installs it under tests/tools/s3rver), which the collector reaches
// through tests/tools/http_fault_proxy (endpoint()).
// Why the proxy: S3 stores a PUT whole or not at all, while s3rver writes an object in place, so a
// PUT cut off by its client's death can leave the object empty (seen: an empty offset marker
// after a kill -9, which the restarted collector read as "nothing stored" and wrote thousands of
// events again). The proxy reads each request whole before it forwards it on a connection of its
// own, so a collector killed mid-PUT sent a whole object or nothing. It also slows requests down
// (Throttle), so that faults fall mid-stream.
// Stop() and Start(): s3rver down and up again, on the same port and data directory.
class ProxiedS3rver {
 public:
  // Starts s3rver and the proxy under `dir` (created), when s3rver is installed.
  explicit ProxiedS3rver(const std::filesystem::path& dir) : dir_(dir), port_(FreePort()) {
    if (!std::filesystem::exists(Binary())) return;
    std::filesystem::create_directories(dir_ / "proxy");
    Start();
    proxy_ = std::make_unique<CommandProcess>(
        std::vector<std::string>{SLUICE_FAULT_PROXY, "127.0.0.1", std::to_string(port_)},
        dir_ / "proxy", "port=(\\d+)");
  }
  static std::string Binary() {
    return std::string(SLUICE_SOURCE_DIR) + "/tests/tools/s3rver/node_modules/.bin/s3rver";
  }
  // Whether s3rver and awscli (which downloads the objects) are installed.
  static bool Installed() {
    return std::filesystem::exists(Binary()) && ::access(kAwsCli, X_OK) == 0;
  }
  static constexpr char kMissing[] =
      "s3rver (tests/tools/s3rver) or awscli missing (scripts/deps.sh installs them)";

  // The collector's endpoint: the proxy.
  std::string endpoint() const { return "http://127.0.0.1:" + proxy_->announced(); }

  // Every request is forwarded `ms` milliseconds late from now on; 0: at once.
  void Throttle(int ms) {
    proxy_->Command(ms > 0 ? "delay 1000000 " + std::to_string(ms) : "delay 0 0");
  }

  // S3 goes down: s3rver stops (the proxy answers 502 Bad Gateway, as a load balancer does for a
  // dead backend). Not in the middle of a write, which S3 never leaves half done: first the
  // proxy answers every request itself (503) until the collector has sent one more, so that its
  // uploader (one request at a time) has nothing in flight to s3rver.
  void Stop() {
    const int64_t failed = ProxyStat("failed");
    proxy_->Command("fail 1000000 503 ServiceUnavailable");
    EXPECT_TRUE(WaitUntil(
        [&] {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling pace
          return ProxyStat("failed") > failed;
        },
        std::chrono::seconds(60)))
        << "the collector sent nothing more to S3";
    s3rver_->Signal(SIGKILL);
    s3rver_->WaitFor(std::chrono::seconds(10));
    proxy_->Command("fail 0 503 ServiceUnavailable");
  }
  // S3 comes up (again); waits up to 60 s for s3rver to answer.
  void Start() {
    std::filesystem::create_directories(dir_ / "data");
    s3rver_ = std::make_unique<Subprocess>(
        std::vector<std::string>{Binary(), "-d", (dir_ / "data").string(), "-a", "127.0.0.1", "-p",
                                 std::to_string(port_), "--configure-bucket", "lake", "-s"},
        dir_);
    httplib::Client client("127.0.0.1", port_);
    client.set_connection_timeout(5);
    client.set_read_timeout(10);
    EXPECT_TRUE(
        WaitUntil([&] { return static_cast<bool>(client.Get("/")); }, std::chrono::seconds(60)))
        << s3rver_->Stderr();
  }

  // The lines of the objects s3rver holds under lake/spark/, read from its data directory (what
  // it is still writing counts in part): for waiting, not for the final count.
  size_t StoredLines() const {
    size_t lines = 0;
    std::error_code ec;
    std::filesystem::recursive_directory_iterator it(dir_ / "data" / "lake" / "spark", ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (!name.ends_with("._S3rver_object")) continue;
      const std::string text = ReadFile(it->path());
      lines += static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
    }
    return lines;
  }

  // The messages of every line of every object under s3://lake/spark/, as awscli (an outside
  // client) downloads them into `into` (a new directory); a test failure when awscli fails.
  std::vector<std::string> DownloadMessages(const std::filesystem::path& into) const {
    const std::string err = into.string() + ".err";
    const std::string cmd = std::string(
                                "env AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID=S3RVER "
                                "AWS_SECRET_ACCESS_KEY=S3RVER ") +
                            kAwsCli + " --endpoint-url http://127.0.0.1:" + std::to_string(port_) +
                            " s3 cp --recursive --quiet s3://lake/spark/ " + into.string() + " 2>" +
                            err;
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd << ": " << ReadFile(err);
    std::vector<std::string> messages;
    std::error_code ec;
    std::filesystem::recursive_directory_iterator it(into, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      if (!it->is_regular_file()) continue;
      std::stringstream text(ReadFile(it->path()));
      for (std::string line; std::getline(text, line);) messages.push_back(MessageOf(line));
    }
    return messages;
  }

 private:
  // A counter of the proxy's `stats` (forwarded, failed, delayed); -1 when absent.
  int64_t ProxyStat(const std::string& name) {
    std::smatch m;
    const std::string line = proxy_->Command("stats");
    return std::regex_search(line, m, std::regex(" " + name + "=(\\d+)")) ? std::stoll(m[1]) : -1;
  }

  std::filesystem::path dir_;
  int port_;
  std::unique_ptr<Subprocess> s3rver_;
  std::unique_ptr<CommandProcess> proxy_;  // declared last: stopped before s3rver
};

class CollectorChaosTest : public SluiceProcessTest {
 protected:
  void SetUp() override {
    SLUICE_REQUIRE_KCAT();
    MakeDir("sluice_chaos_collector");
  }

  // The mock cluster: topic `spark` of `partitions` partitions holding `lines` numbered lines.
  std::unique_ptr<MockCluster> Topic(int partitions, int lines) {
    return SparkTopicWithNumberedLines(dir_ / "mock", partitions, lines);
  }
  // The collector's config: pipeline `c`, the kafka input (raw messages of `spark`, group
  // `chaos`) and `outputs` (S3Output(), ElasticsearchOutput()). Static membership
  // (`instance_id: auto`) gives a restarted collector its partitions back at once from a real
  // broker; the mock cluster ignores it and waits for the killed member's session to time out,
  // hence the 3 s session timeout.
  std::string CollectorConfig(const std::string& bootstrap, const std::string& outputs) {
    return WriteConfig(
        "collector",
        "pipelines:\n  c:\n    inputs:\n      - type: kafka\n        brokers: " + bootstrap +
            "\n        topics: [spark]\n        group_id: chaos\n"
            "        decode: raw\n        commit_interval: 200ms\n"
            "        instance_id: auto\n"
            "        librdkafka: {session.timeout.ms: '3000', "
            "heartbeat.interval.ms: '500'}\n    outputs:\n" +
            outputs);
  }
  // The s3 output into bucket `lake` at `endpoint`: objects of at most 1,000 events, closed
  // after 1 s. Uncompressed: http_fault_proxy (cpp-httplib) gunzips a request body sent with
  // Content-Encoding: gzip and forwards it so, still labelled gzip; a plain body passes unchanged.
  static std::string S3Output(const std::string& endpoint) {
    return "      - type: s3\n        bucket: lake\n        endpoint: '" + endpoint +
           "'\n        force_path_style: true\n        access_key_id: S3RVER\n"
           "        secret_access_key: S3RVER\n        compression: none\n"
           "        max_events: 1000\n        flush_interval: 1s\n";
  }
  // The elasticsearch output to `url`: bulk requests of at most 500 documents, sent after 200 ms;
  // backoff up to 2 s, so that it comes back soon after an outage.
  static std::string ElasticsearchOutput(const std::string& url) {
    return "      - type: elasticsearch\n        hosts: ['" + url +
           "']\n        max_events: 500\n        flush_interval: 200ms\n"
           "        max_backoff: 2s\n";
  }

  // What the kafka input handed to the pipeline (events); -1 before the admin API answers.
  static double Consumed(const Subprocess& p) {
    return Metric(p, Series("sluice_component_sent_events_total", "c", "input", "kafka"));
  }
  // What the output of `type` acked (events).
  static double Sent(const Subprocess& p, const std::string& type) {
    return Metric(p, OutputSent("c", type));
  }
  static std::string S3Series(const std::string& name) { return Series(name, "c", "output", "s3"); }

  // kill -9; expects it to be what ended the process.
  static void KillNine(Subprocess& p) {
    p.Signal(SIGKILL);
    EXPECT_EQ(p.WaitFor(std::chrono::seconds(10)), 128 + SIGKILL) << p.Stderr();
  }
  // Starts the collector `config` again and waits until it consumes (its kafka input hands the
  // pipeline a batch); prints the time that took from the spawn, for `what`, and expects it
  // within kResumeBound. Returns the new process.
  std::unique_ptr<Subprocess> RestartAndTimeResume(const std::string& config,
                                                   const std::string& what) {
    const auto spawned = std::chrono::steady_clock::now();
    auto p = Run(config, "collector");
    const bool consumed = WaitUntil([&] { return Consumed(*p) >= 1; }, std::chrono::seconds(120));
    const double took =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - spawned).count();
    std::printf("[   INFO   ] %s: consuming again %.1f s after the spawn (bound %lld s)\n",
                what.c_str(), took, static_cast<long long>(kResumeBound.count()));
    std::fflush(stdout);
    EXPECT_TRUE(consumed) << what << ": not consuming after 120 s\n" << p->Stderr();
    EXPECT_LE(took, static_cast<double>(kResumeBound.count())) << what << "\n" << p->Stderr();
    return p;
  }
  // SIGTERM drains, flushes and exits 0.
  static void StopCleanly(Subprocess& p) {
    p.Signal(SIGTERM);
    EXPECT_EQ(p.WaitFor(std::chrono::seconds(60)), 0) << p.Stderr();
  }

  // Waits up to `timeout` until the Elasticsearch stand-in holds `docs` documents.
  static bool WaitForDocuments(EsServer& es, int64_t docs, std::chrono::seconds timeout) {
    return WaitUntil(
        [&] {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));  // polling pace
          return es.Stat("docs") >= docs;
        },
        timeout);
  }
  // Waits up to `timeout` until s3rver's objects hold `lines` lines.
  static bool WaitForStoredLines(const ProxiedS3rver& s3, size_t lines,
                                 std::chrono::seconds timeout) {
    return WaitUntil(
        [&] {
          std::this_thread::sleep_for(std::chrono::milliseconds(200));  // polling pace
          return s3.StoredLines() >= lines;
        },
        timeout);
  }
  // The messages of every document the Elasticsearch stand-in holds.
  static std::vector<std::string> DocumentMessages(EsServer& es) {
    std::vector<std::string> messages;
    std::stringstream docs(es.Get("/_test/docs"));
    for (std::string line; std::getline(docs, line);) messages.push_back(MessageOf(line));
    return messages;
  }
  // Counts `messages` (what `store` holds) against the numbered lines [0, lines): prints lost and
  // duplicated, and expects none lost, at most `max_duplicates` repeats, and nothing else.
  static void ExpectEachLineOnce(const std::string& store, int lines,
                                 const std::vector<std::string>& messages,
                                 uint64_t max_duplicates = 0) {
    SequenceChecker checker;
    checker.Expect("app0", static_cast<uint64_t>(lines));
    for (const std::string& m : messages) checker.Add(m);
    const SequenceReport report = checker.Report();
    std::printf("[   INFO   ] %s: %d events, %zu stored: lost %llu, duplicated %llu (bound %llu)\n",
                store.c_str(), lines, messages.size(),
                static_cast<unsigned long long>(report.total.lost),
                static_cast<unsigned long long>(report.total.duplicates),
                static_cast<unsigned long long>(max_duplicates));
    std::fflush(stdout);
    EXPECT_EQ(report.total.lost, 0u) << store << "\n" << report.ToString();
    EXPECT_LE(report.total.duplicates, max_duplicates) << store << "\n" << report.ToString();
    EXPECT_EQ(report.malformed + report.unexpected, 0u) << store << "\n" << report.ToString();
  }
};

}  // namespace sluice::testing::collector_chaos
