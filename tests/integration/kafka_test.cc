// The kafka output and input against librdkafka's mock cluster (the real Kafka protocol, in its own
// process: tests/tools/kafka_mock_cluster, with fault injection) and kcat as an outside client.
// Every delivery test numbers its lines (`seq=N file=NAME`) and counts, with SequenceChecker, what
// was lost, duplicated and reordered.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "tests/integration/kafka_mock.h"
#include "tests/integration/require_peer.h"
#include "tests/integration/sequence_checker.h"
#include "tests/integration/sluice_process.h"

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

constexpr char kKcat[] = "/usr/bin/kcat";

class KafkaTest : public SluiceProcessTest {
 protected:
  void SetUp() override {
    SLUICE_REQUIRE_PEER(fs::exists(kKcat), "kcat not installed (scripts/deps.sh installs it)");
    MakeDir("sluice_kafka");
  }
  // Writes `files` files of `lines` numbered lines each (`seq=N file=appK ...`).
  void WriteNumberedFiles(const fs::path& dir, int files, int lines) {
    fs::create_directories(dir);
    for (int f = 0; f < files; ++f) {
      std::ofstream out(dir / ("app" + std::to_string(f) + ".log"));
      for (int i = 0; i < lines; ++i) {
        out << NumberedLine(f, i) << "\n";
      }
    }
  }
  // Appends `lines` numbered lines (file app0) to `path`; before line i, what was written so far is
  // flushed and `actions[i]` runs (a fault while a running agent reads the file).
  static void AppendLines(const fs::path& path, int lines,
                          const std::map<int, std::function<void()>>& actions) {
    std::ofstream out(path);
    for (int i = 0; i < lines; ++i) {
      if (auto it = actions.find(i); it != actions.end()) {
        out.flush();
        it->second();
      }
      out << NumberedLine(0, i) << "\n";
    }
  }
  static std::string NumberedLine(int file, int seq) {
    char buf[160];
    std::snprintf(buf, sizeof(buf),
                  "seq=%07d file=app%d 17/06/09 20:10:40 INFO executor.Executor: Finished task "
                  "%d.0 in stage 3.0",
                  seq, file, seq % 1000);
    return buf;
  }
  // Every message of `topic`, formatted by kcat's -f `format`, one per line (values must not hold
  // newlines).
  std::vector<std::string> Consume(const std::string& bootstrap, const std::string& topic,
                                   const std::string& format = "%s\\n") {
    fs::path out = dir_ / "kcat.out";
    std::string cmd = std::string(kKcat) + " -C -b " + bootstrap + " -t " + topic + " -e -q -f '" +
                      format + "' >" + out.string() + " 2>" + (dir_ / "kcat.err").string();
    EXPECT_EQ(std::system(cmd.c_str()), 0) << ReadFile(dir_ / "kcat.err");
    return ReadLines(out);
  }
  // The compression codecs of the message batches kcat fetched from `topic` (librdkafka's consumer
  // debug log names each batch's codec as stored by the broker).
  std::set<std::string> FetchedCodecs(const std::string& bootstrap, const std::string& topic) {
    fs::path err = dir_ / "kcat-debug.err";
    std::string cmd = std::string(kKcat) + " -C -b " + bootstrap + " -t " + topic +
                      " -e -X debug=fetch,msg >/dev/null 2>" + err.string();
    EXPECT_EQ(std::system(cmd.c_str()), 0) << ReadFile(err);
    std::set<std::string> codecs;
    static const std::regex kBatch("Enqueue \\d+ message\\(s\\).* msgsets, (\\w+)\\)");
    for (const auto& line : ReadLines(err)) {
      std::smatch m;
      if (std::regex_search(line, m, kBatch)) codecs.insert(m[1]);
    }
    return codecs;
  }
  // Produces the lines of `file` (one message each) with kcat.
  void Produce(const std::string& bootstrap, const std::string& topic, const fs::path& file) {
    // Spread evenly (no sticky batches): the mock keeps only 5 MiB per partition.
    std::string cmd = std::string(kKcat) + " -P -X sticky.partitioning.linger.ms=0 -b " +
                      bootstrap + " -t " + topic + " -l " + file.string() + " 2>" +
                      (dir_ / "kcat-p.err").string();
    ASSERT_EQ(std::system(cmd.c_str()), 0) << ReadFile(dir_ / "kcat-p.err");
  }
  static SequenceReport Check(const std::vector<std::string>& lines, int files, int per_file) {
    SequenceChecker checker;
    for (int f = 0; f < files; ++f) checker.Expect("app" + std::to_string(f), per_file);
    for (const auto& l : lines) checker.Add(l);
    return checker.Report();
  }
  std::string AgentConfig(const std::string& bootstrap, const fs::path& logs,
                          const std::string& output_extra = "", bool exit_on_eof = false) {
    return "pipelines:\n  agent:\n    max_inflight_bytes: 4MiB\n    inputs:\n"
           "      - type: file\n        include: ['" +
           (logs / "*.log").string() + "']\n        scan_interval: 100ms\n" +
           (exit_on_eof ? "        exit_on_eof: true\n" : "") +
           "    outputs:\n      - type: kafka\n        brokers: " + bootstrap +
           "\n        topic: spark\n        encoding: raw\n" + output_extra;
  }
  std::string CollectorConfig(const std::string& bootstrap, const fs::path& out,
                              const std::string& input_extra = "") {
    return "pipelines:\n  collector:\n    max_inflight_bytes: 4MiB\n    inputs:\n"
           "      - type: kafka\n        brokers: " +
           bootstrap +
           "\n        topics: [spark]\n        group_id: collectors\n        decode: raw\n"
           "        commit_interval: 200ms\n" +
           input_extra + "    outputs:\n      - type: file\n        codec: text\n        path: '" +
           out.string() + "'\n";
  }
  // Runs a collector (decode: json) over topic `spark` until it is read to its end; returns the
  // JSON events it wrote.
  std::vector<std::string> CollectJson(const std::string& bootstrap) {
    fs::path out = dir_ / "events.ndjson";
    auto collector = Run(WriteConfig("collector",
                                     "pipelines:\n  c:\n    inputs:\n      - type: kafka\n"
                                     "        brokers: " +
                                         bootstrap +
                                         "\n        topics: [spark]\n        exit_on_idle: 1s\n"
                                         "    outputs: [{type: file, path: '" +
                                         out.string() + "'}]\n"),
                         "collector");
    EXPECT_EQ(collector->WaitFor(seconds(60)), 0) << collector->Stderr();
    return ReadLines(out);
  }
  // Waits until `p`'s output `type` of `pipeline` sent `n` events.
  bool WaitSent(const Subprocess& p, const std::string& pipeline, const std::string& type, double n,
                seconds timeout = seconds(120)) {
    return WaitUntil(
        [&] {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling pace, not sync
          return Metric(p, OutputSent(pipeline, type)) >= n;
        },
        timeout);
  }
};

// Agent → Kafka: a million events read back by kcat, an outside client: every one present once,
// each file's lines in one partition (one key) and in order, headers as configured.
TEST_F(KafkaTest, MillionEventsReadBackWithKcatInPerKeyOrder) {
  MockCluster cluster(dir_, {"spark:16"});
  constexpr int kFiles = 8, kLines = 125000;
  WriteNumberedFiles(dir_ / "logs", kFiles, kLines);
  auto agent =
      Run(WriteConfig("agent", AgentConfig(cluster.bootstrap(), dir_ / "logs",
                                           "        compression: zstd\n"
                                           "        headers: {path: '{{log.file.path}}'}\n",
                                           /*exit_on_eof=*/true)),
          "agent");
  ASSERT_EQ(agent->WaitFor(seconds(240)), 0) << agent->Stderr();
  EXPECT_NE(agent->Stderr().find("output 'kafka' delivered 1000000 events"), std::string::npos)
      << agent->Stderr();

  std::vector<std::string> lines = Consume(cluster.bootstrap(), "spark", "%p\\t%k\\t%h\\t%s\\n");
  ASSERT_EQ(lines.size(), size_t{kFiles} * kLines);
  std::vector<std::string> values;
  std::map<std::string, std::set<std::string>> keys_of_file, partitions_of_key;
  for (const auto& l : lines) {
    size_t t1 = l.find('\t'), t2 = l.find('\t', t1 + 1), t3 = l.find('\t', t2 + 1);
    ASSERT_NE(t3, std::string::npos) << l;
    std::string partition = l.substr(0, t1), key = l.substr(t1 + 1, t2 - t1 - 1),
                headers = l.substr(t2 + 1, t3 - t2 - 1), value = l.substr(t3 + 1);
    std::string file = value.substr(value.find("file=") + 5);
    file = file.substr(0, file.find(' '));
    keys_of_file[file].insert(key);
    partitions_of_key[key].insert(partition);
    ASSERT_EQ(headers, "path=" + (dir_ / "logs" / (file + ".log")).string()) << l;
    values.push_back(value);
  }
  SequenceReport report = Check(values, kFiles, kLines);
  EXPECT_EQ(report.total.lost, 0u) << report.ToString();
  EXPECT_EQ(report.total.duplicates, 0u) << report.ToString();
  EXPECT_EQ(report.total.out_of_order, 0u) << report.ToString();
  ASSERT_EQ(keys_of_file.size(), size_t{kFiles});
  std::set<std::string> keys;
  for (const auto& [file, k] : keys_of_file) {
    ASSERT_EQ(k.size(), 1u) << file << " was sent with several keys";
    EXPECT_EQ(k.begin()->size(), 16u) << "the default key is the source id in hex";
    keys.insert(*k.begin());
  }
  EXPECT_EQ(keys.size(), size_t{kFiles}) << "each file has a key of its own";
  for (const auto& [key, partitions] : partitions_of_key) {
    EXPECT_EQ(partitions.size(), 1u) << key;
  }
}

// Every compression codec is accepted by the broker and read back by an outside client, which
// reports the codec of the message batches it fetched: the one configured. Json encoding as
// configured.
TEST_F(KafkaTest, EveryCompressionCodecIsWhatTheBrokerStoresAndRoundTrips) {
  const std::vector<std::string> codecs = {"none", "gzip", "snappy", "lz4", "zstd"};
  std::vector<std::string> topics;
  for (const auto& codec : codecs) topics.push_back("codec-" + codec + ":2");
  MockCluster cluster(dir_, topics);
  for (const std::string& codec : codecs) {
    std::string cfg =
        WriteConfig("c-" + codec,
                    "pipelines:\n  p:\n    inputs: [{type: generate, count: 500, seed: 3}]\n"
                    "    outputs:\n      - type: kafka\n        brokers: " +
                        cluster.bootstrap() + "\n        topic: 'codec-" + codec +
                        "'\n        compression: " + codec + "\n");
    auto p = Run(cfg, codec);
    ASSERT_EQ(p->WaitFor(seconds(60)), 0) << codec << ": " << p->Stderr();
    // The JSON events (stack traces hold newlines, escaped in JSON): one per message.
    std::vector<std::string> json = Consume(cluster.bootstrap(), "codec-" + codec);
    ASSERT_EQ(json.size(), 500u) << codec;
    EXPECT_EQ(json[0].rfind("{\"@timestamp\":\"2017-", 0), 0u) << json[0];
    EXPECT_NE(json[0].find("\"log\":{\"file\":{\"path\":"), std::string::npos) << json[0];
    EXPECT_EQ(FetchedCodecs(cluster.bootstrap(), "codec-" + codec),
              std::set<std::string>{codec == "none" ? "uncompressed" : codec});
  }
}

// A broker down for 10 s and back: the producer waits and retries; nothing is lost, and the
// idempotent producer repeats nothing.
TEST_F(KafkaTest, BrokerDownForTenSecondsLosesAndRepeatsNothing) {
  MockCluster cluster(dir_, {"spark:6:3"});
  constexpr int kLines = 30000;
  fs::path logs = dir_ / "logs";
  fs::create_directories(logs);
  auto agent = Run(WriteConfig("agent", AgentConfig(cluster.bootstrap(), logs)), "agent");
  AppendLines(logs / "app0.log", kLines,
              {{kLines / 3,
                [&] {
                  ASSERT_TRUE(WaitSent(*agent, "agent", "kafka", 1)) << agent->Stderr();
                  cluster.Command("down 1");
                  cluster.Command("down 2");
                }},
               {2 * kLines / 3, [&] {
                  std::this_thread::sleep_for(seconds(10));  // the outage itself
                  cluster.Command("up 1");
                  cluster.Command("up 2");
                }}});
  ASSERT_TRUE(WaitSent(*agent, "agent", "kafka", kLines)) << agent->Stderr();
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->WaitFor(seconds(30)), 0) << agent->Stderr();
  SequenceReport report = Check(Consume(cluster.bootstrap(), "spark"), 1, kLines);
  EXPECT_EQ(report.total.lost, 0u) << report.ToString();
  EXPECT_EQ(report.total.duplicates, 0u) << report.ToString();
}

// Retriable produce errors (NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT) injected into the broker's
// answers: librdkafka retries them; nothing lost, nothing repeated.
TEST_F(KafkaTest, InjectedRetriableProduceErrorsLoseAndRepeatNothing) {
  MockCluster cluster(dir_, {"spark:4:3"});
  constexpr int kFiles = 2, kLines = 20000;
  cluster.Command("errors 0 20 6");  // Produce: NOT_LEADER_OR_FOLLOWER
  cluster.Command("errors 0 20 7");  // Produce: REQUEST_TIMED_OUT
  WriteNumberedFiles(dir_ / "logs", kFiles, kLines);
  auto agent = Run(WriteConfig("agent", AgentConfig(cluster.bootstrap(), dir_ / "logs", "",
                                                    /*exit_on_eof=*/true)),
                   "agent");
  ASSERT_EQ(agent->WaitFor(seconds(120)), 0) << agent->Stderr();
  SequenceReport report = Check(Consume(cluster.bootstrap(), "spark"), kFiles, kLines);
  EXPECT_EQ(report.total.lost, 0u) << report.ToString();
  EXPECT_EQ(report.total.duplicates, 0u) << report.ToString();
  EXPECT_EQ(report.total.out_of_order, 0u) << report.ToString();
}

// The agent SIGKILLed mid-stream and restarted: nothing lost; what is repeated is at most what
// was in flight or acked after the last checkpoint.
TEST_F(KafkaTest, AgentSigkilledMidStreamLosesNothing) {
  MockCluster cluster(dir_, {"spark:8"});
  constexpr int kFiles = 4, kLines = 100000;
  WriteNumberedFiles(dir_ / "logs", kFiles, kLines);
  std::string cfg = WriteConfig(
      "agent", AgentConfig(cluster.bootstrap(), dir_ / "logs", "", /*exit_on_eof=*/true));
  auto first = Run(cfg, "agent");
  ASSERT_TRUE(WaitSent(*first, "agent", "kafka", kFiles * kLines / 5)) << first->Stderr();
  first->Signal(SIGKILL);
  ASSERT_EQ(first->WaitFor(seconds(10)), 128 + SIGKILL);
  auto second = Run(cfg, "agent");
  ASSERT_EQ(second->WaitFor(seconds(120)), 0) << second->Stderr();
  SequenceReport report = Check(Consume(cluster.bootstrap(), "spark"), kFiles, kLines);
  EXPECT_EQ(report.total.lost, 0u) << report.ToString();
  std::printf("[   INFO   ] agent SIGKILL: %llu duplicates of %d events\n",
              static_cast<unsigned long long>(report.total.duplicates), kFiles * kLines);
  // In flight at most 4 MiB of batches (~25k of these events) plus 200 ms of acks before the kill.
  EXPECT_LT(report.total.duplicates, uint64_t{kFiles} * kLines / 2) << report.ToString();
}

// The collector SIGKILLed mid-stream and restarted: it resumes from the offsets committed for
// acked (fsynced) events, so nothing is lost.
TEST_F(KafkaTest, CollectorSigkilledMidStreamLosesNothing) {
  MockCluster cluster(dir_, {"spark:8"});
  constexpr int kLines = 200000;
  WriteNumberedFiles(dir_ / "in", 1, kLines);
  Produce(cluster.bootstrap(), "spark", dir_ / "in" / "app0.log");
  fs::path out = dir_ / "bronze.txt";
  std::string cfg = WriteConfig("collector", CollectorConfig(cluster.bootstrap(), out,
                                                             "        exit_on_idle: 2s\n        "
                                                             "batch_events: 256\n"));
  auto first = Run(cfg, "collector");
  ASSERT_TRUE(WaitSent(*first, "collector", "file", kLines / 5)) << first->Stderr();
  first->Signal(SIGKILL);
  ASSERT_EQ(first->WaitFor(seconds(10)), 128 + SIGKILL);
  auto second = Run(cfg, "collector");
  ASSERT_EQ(second->WaitFor(seconds(120)), 0) << second->Stderr();
  SequenceReport report = Check(ReadLines(out), 1, kLines);
  EXPECT_EQ(report.total.lost, 0u) << report.ToString();
  std::printf("[   INFO   ] collector SIGKILL: %llu duplicates of %d events\n",
              static_cast<unsigned long long>(report.total.duplicates), kLines);
  EXPECT_LT(report.total.duplicates, uint64_t{kLines} / 2) << report.ToString();
}

// A collector SIGKILLed and restarted (same host, same data_dir) with `instance_id: auto` presents
// the same static group member id, with which a real broker hands it its partitions back at once.
// librdkafka's mock cluster reads group.instance.id but ignores it (its coordinator knows members
// by member id only), so here the dead member is only evicted when its session times out: the
// test sets a 3 s session timeout (the mock allows less than a broker's 6 s minimum) and checks
// the restart path around it: resuming from the committed offsets within 10 s, losing nothing.
TEST_F(KafkaTest, CollectorRestartedAfterSigkillResumesWithinTenSeconds) {
  MockCluster cluster(dir_, {"spark:4"});
  constexpr int kLines = 100000;
  WriteNumberedFiles(dir_ / "in", 1, kLines);
  Produce(cluster.bootstrap(), "spark", dir_ / "in" / "app0.log");
  fs::path out = dir_ / "bronze.txt";
  std::string cfg = WriteConfig(
      "collector", CollectorConfig(cluster.bootstrap(), out,
                                   "        exit_on_idle: 2s\n        batch_events: 256\n"
                                   "        instance_id: auto\n"
                                   "        librdkafka: {session.timeout.ms: '3000'}\n"));
  auto first = Run(cfg, "collector");
  ASSERT_TRUE(WaitSent(*first, "collector", "file", kLines / 10)) << first->Stderr();
  first->Signal(SIGKILL);
  ASSERT_EQ(first->WaitFor(seconds(10)), 128 + SIGKILL);
  const auto restarted = std::chrono::steady_clock::now();
  auto second = Run(cfg, "collector");
  ASSERT_TRUE(WaitSent(*second, "collector", "file", 1, seconds(60))) << second->Stderr();
  const double resumed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - restarted).count();
  std::printf("[   INFO   ] collector consumed again %.1f s after its restart\n", resumed_s);
  EXPECT_LT(resumed_s, 10.0) << second->Stderr();
  // The same static member id both times.
  static const std::regex kMember("static member '([^']+)'");
  std::smatch a;
  std::smatch b;
  const std::string first_log = first->Stderr();
  const std::string second_log = second->Stderr();
  ASSERT_TRUE(std::regex_search(first_log, a, kMember)) << first_log;
  ASSERT_TRUE(std::regex_search(second_log, b, kMember)) << second_log;
  EXPECT_EQ(a[1].str(), b[1].str());
  ASSERT_EQ(second->WaitFor(seconds(120)), 0) << second->Stderr();
  SequenceReport report = Check(ReadLines(out), 1, kLines);
  EXPECT_EQ(report.total.lost, 0u) << report.ToString();
}

// Two collectors in one group share the partitions; one of them stops mid-stream (it drains and
// commits what it acked, then leaves), and the rebalance hands its partitions to the other, which
// goes on from those commits: together they deliver every event.
TEST_F(KafkaTest, TwoCollectorsWithARebalanceMidStreamLoseNothing) {
  MockCluster cluster(dir_, {"spark:8"});
  constexpr int kLines = 200000;
  WriteNumberedFiles(dir_ / "in", 1, kLines);
  Produce(cluster.bootstrap(), "spark", dir_ / "in" / "app0.log");
  const std::string extra = "        exit_on_idle: 4s\n        batch_events: 256\n";
  auto a = Run(WriteConfig("a", CollectorConfig(cluster.bootstrap(), dir_ / "a.txt", extra)), "a");
  auto b = Run(WriteConfig("b", CollectorConfig(cluster.bootstrap(), dir_ / "b.txt", extra)), "b");
  ASSERT_TRUE(WaitSent(*b, "collector", "file", 1, seconds(180))) << b->Stderr();
  b->Signal(SIGTERM);
  ASSERT_EQ(b->WaitFor(seconds(60)), 0) << b->Stderr();
  ASSERT_EQ(a->WaitFor(seconds(240)), 0) << a->Stderr();
  EXPECT_NE(b->Stderr().find("revoked"), std::string::npos) << b->Stderr();
  std::vector<std::string> lines = ReadLines(dir_ / "a.txt");
  std::vector<std::string> from_b = ReadLines(dir_ / "b.txt");
  EXPECT_FALSE(from_b.empty()) << b->Stderr();
  lines.insert(lines.end(), from_b.begin(), from_b.end());
  SequenceReport report = Check(lines, 1, kLines);
  EXPECT_EQ(report.total.lost, 0u) << report.ToString();
  std::printf("[   INFO   ] rebalance: %zu from a, %zu from b, %llu duplicates\n",
              lines.size() - from_b.size(), from_b.size(),
              static_cast<unsigned long long>(report.total.duplicates));
}

// Agent → Kafka → collector through the json encoding: the collector gets the agent's event back
// (fields, time) plus the kafka.* fields.
TEST_F(KafkaTest, JsonEventsRoundTripThroughKafka) {
  MockCluster cluster(dir_, {"spark:2"});
  auto agent = Run(WriteConfig("agent",
                               "pipelines:\n  p:\n    inputs: [{type: generate, count: "
                               "100, seed: 5, stack_trace_ratio: 0.5}]\n    outputs:\n"
                               "      - type: kafka\n        brokers: " +
                                   cluster.bootstrap() + "\n        topic: spark\n"),
                   "agent");
  ASSERT_EQ(agent->WaitFor(seconds(60)), 0) << agent->Stderr();
  std::vector<std::string> lines = CollectJson(cluster.bootstrap());
  ASSERT_EQ(lines.size(), 100u);
  // The agent's document as it wrote it, then the collector's kafka object (passthrough: nothing
  // in the collector reads fields).
  static const std::regex kEvent(
      "^\\{\"@timestamp\":\"2017-06-09T20:[^\"]+Z\",\"message\":\"17/06/09 [^\"]*\","
      "\"host\":\\{\"name\":\"ip-10-0-1-17.ec2.internal\"\\},"
      "\"log\":\\{\"file\":\\{\"path\":\"/var/log/hadoop-yarn/[^\"]+\"\\},\"level\":\"[A-Z]+\","
      "\"logger\":\"[^\"]+\"\\},\"spark\":\\{\"app_id\":\"application_[0-9_]+\"\\},"
      "\"kafka\":\\{\"offset\":\\d+,\"partition\":[01],\"timestamp\":\\d+,\"topic\":\"spark\"\\}\\}"
      "$");
  for (const auto& l : lines) ASSERT_TRUE(std::regex_match(l, kEvent)) << l;
  int with_trace = 0;
  for (const auto& l : lines) with_trace += l.find("\\n\\tat ") != std::string::npos;
  EXPECT_GT(with_trace, 10) << "multi-line events keep their stack traces";
}

// Messages that are not JSON objects, with decode: json, are kept raw and tagged.
TEST_F(KafkaTest, NonJsonMessagesAreTaggedNotDropped) {
  MockCluster cluster(dir_, {"spark:1"});
  std::ofstream(dir_ / "msgs.txt") << "plain text line\n{\"message\":\"ok\",\"level\":\"INFO\"}\n"
                                   << "{\"truncated\": \n\xff\xfe binary\n";
  Produce(cluster.bootstrap(), "spark", dir_ / "msgs.txt");
  std::vector<std::string> lines = CollectJson(cluster.bootstrap());
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_NE(lines[0].find("\"message\":\"plain text line\""), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("\"tags\":[\"_jsonparsefailure\"]"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("\"message\":\"ok\",\"kafka\""), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("\"level\":\"INFO\""), std::string::npos) << lines[1];
  EXPECT_EQ(lines[1].find("tags"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find("\"tags\":[\"_jsonparsefailure\"]"), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find("\"message\":\"\xEF\xBF\xBD\xEF\xBF\xBD binary\""), std::string::npos)
      << lines[3];
}

// A message larger than message_max_bytes goes to the dead-letter file, counted; the others are
// delivered and the run ends cleanly.
TEST_F(KafkaTest, OversizedMessageIsDeadLetteredAndTheRestDelivered) {
  MockCluster cluster(dir_, {"spark:1"});
  fs::path logs = dir_ / "logs";
  fs::create_directories(logs);
  {
    std::ofstream out(logs / "app0.log");
    out << NumberedLine(0, 0) << "\n"
        << NumberedLine(0, 1) << std::string(20000, 'x') << "\n"
        << NumberedLine(0, 2) << "\n";
  }
  std::string cfg =
      WriteConfig("agent", AgentConfig(cluster.bootstrap(), logs,
                                       "        message_max_bytes: 10KB\n        batch_size: 5KB\n",
                                       /*exit_on_eof=*/true));
  auto agent = Run(cfg, "agent");
  ASSERT_EQ(agent->WaitFor(seconds(60)), 0) << agent->Stderr();
  std::vector<std::string> delivered = Consume(cluster.bootstrap(), "spark");
  ASSERT_EQ(delivered.size(), 2u);
  EXPECT_EQ(delivered[0], NumberedLine(0, 0));
  EXPECT_EQ(delivered[1], NumberedLine(0, 2));
  std::vector<std::string> dead = ReadLines(dir_ / "agent-data/dead_letter/agent/kafka.ndjson");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_NE(dead[0].find("\"reason\":\"Broker: Message size too large\""), std::string::npos)
      << dead[0];
  EXPECT_NE(dead[0].find("\"event\":\"seq=0000001 file=app0"), std::string::npos)
      << dead[0].substr(0, 300);
  EXPECT_NE(agent->Stderr().find("Kafka refused a message for topic 'spark'"), std::string::npos)
      << agent->Stderr();
}

// Brokers that cannot be reached: a clear error and /ready 503; ready again once they are up,
// and everything written meanwhile is delivered.
TEST_F(KafkaTest, UnreachableBrokersMakeItUnreadyUntilTheyComeUp) {
  MockCluster cluster(dir_, {"spark:2:1"});
  for (int b = 1; b <= 3; ++b) cluster.Command("down " + std::to_string(b));
  fs::path logs = dir_ / "logs";
  WriteNumberedFiles(logs, 1, 1000);
  auto agent = Run(WriteConfig("agent", AgentConfig(cluster.bootstrap(), logs)), "agent");
  ASSERT_TRUE(WaitUntil([&] { return ReadyStatus(*agent) == 503; }, seconds(60)))
      << agent->Stderr();
  EXPECT_TRUE(WaitUntil(
      [&] { return agent->Stderr().find("cannot reach the Kafka brokers") != std::string::npos; }));
  EXPECT_LT(Metric(*agent, OutputSent("agent", "kafka")), 1);
  for (int b = 1; b <= 3; ++b) cluster.Command("up " + std::to_string(b));
  ASSERT_TRUE(WaitSent(*agent, "agent", "kafka", 1000)) << agent->Stderr();
  EXPECT_TRUE(WaitUntil([&] { return ReadyStatus(*agent) == 200; }, seconds(30)))
      << agent->Stderr();
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->WaitFor(seconds(30)), 0) << agent->Stderr();
  SequenceReport report = Check(Consume(cluster.bootstrap(), "spark"), 1, 1000);
  EXPECT_EQ(report.total.lost, 0u) << report.ToString();
}

// A topic that does not exist, on a cluster the consumer may not create topics on: a clear error
// naming it and a counter; the collector keeps running and then consumes it once it exists.
TEST_F(KafkaTest, UnknownTopicIsReportedAndWaitedFor) {
  MockCluster cluster(dir_, {"spark:1"});
  cluster.Command("topic_error nope 3");  // UNKNOWN_TOPIC_OR_PART: it does not exist, none is made
  fs::path out = dir_ / "events.txt";
  auto collector =
      Run(WriteConfig("collector",
                      "pipelines:\n  c:\n    inputs:\n      - type: kafka\n        brokers: " +
                          cluster.bootstrap() +
                          "\n        topics: [nope]\n        decode: raw\n"
                          "    outputs: [{type: file, codec: text, path: '" +
                          out.string() + "'}]\n"),
          "collector");
  ASSERT_TRUE(WaitUntil(
      [&] { return collector->Stderr().find("topic 'nope' does not exist") != std::string::npos; },
      seconds(60)))
      << collector->Stderr();
  EXPECT_GE(Metric(*collector,
                   "sluice_kafka_input_consume_errors_total{pipeline=\"c\",kind=\"input\","
                   "type=\"kafka\",id=\"kafka\"}"),
            1);
  cluster.Command("topic_error nope 0");
  std::ofstream(dir_ / "late.txt") << "late message\n";
  Produce(cluster.bootstrap(), "nope", dir_ / "late.txt");  // kcat's producer creates it
  EXPECT_TRUE(WaitUntil([&] { return ReadFile(out) == "late message\n"; }, seconds(60)))
      << collector->Stderr();
  collector->Signal(SIGTERM);
  EXPECT_EQ(collector->WaitFor(seconds(30)), 0) << collector->Stderr();
}

// The broker answers OUT_OF_ORDER_SEQUENCE_NUMBER mid-stream: the idempotent producer's fatal
// state. A new producer takes over and produces what the old one had not delivered: nothing lost,
// and what is repeated is at most what was in flight.
TEST_F(KafkaTest, FatalProducerErrorStartsANewProducerAndLosesNothing) {
  MockCluster cluster(dir_, {"spark:4:3"});
  constexpr int kLines = 30000;
  fs::path logs = dir_ / "logs";
  fs::create_directories(logs);
  auto agent = Run(WriteConfig("agent", AgentConfig(cluster.bootstrap(), logs)), "agent");
  AppendLines(logs / "app0.log", kLines, {{kLines / 2, [&] {
                                             ASSERT_TRUE(WaitSent(*agent, "agent", "kafka", 1))
                                                 << agent->Stderr();
                                             // Produce: OUT_OF_ORDER_SEQUENCE_NUMBER
                                             cluster.Command("errors 0 1 45");
                                           }}});
  ASSERT_TRUE(WaitSent(*agent, "agent", "kafka", kLines)) << agent->Stderr();
  EXPECT_GE(Metric(*agent,
                   "sluice_kafka_output_producer_restarts_total{pipeline=\"agent\","
                   "kind=\"output\",type=\"kafka\",id=\"kafka\"}"),
            1)
      << agent->Stderr();
  EXPECT_NE(agent->Stderr().find("the producer hit a fatal error"), std::string::npos)
      << agent->Stderr();
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->WaitFor(seconds(30)), 0) << agent->Stderr();
  SequenceReport report = Check(Consume(cluster.bootstrap(), "spark"), 1, kLines);
  EXPECT_EQ(report.total.lost, 0u) << report.ToString();
  // In flight: at most the pipeline's 4 MiB of ~120-byte lines.
  EXPECT_LE(report.total.duplicates, 35000u) << report.ToString();
}

// Brokers refuse the topic (TOPIC_AUTHORIZATION_FAILED, as when an ACL is missing): a clear error,
// /ready 503 while it lasts; once granted, everything is delivered, once.
TEST_F(KafkaTest, AuthorizationFailureIsAClearErrorAndRetriedUntilGranted) {
  MockCluster cluster(dir_, {"spark:1:1"});
  cluster.Command("errors 0 6 29");  // Produce: TOPIC_AUTHORIZATION_FAILED, six times
  fs::path logs = dir_ / "logs";
  WriteNumberedFiles(logs, 1, 2000);
  auto agent = Run(WriteConfig("agent", AgentConfig(cluster.bootstrap(), logs)), "agent");
  ASSERT_TRUE(WaitUntil(
      [&] {
        return agent->Stderr().find(
                   "cannot deliver to topic 'spark': Broker: Topic "
                   "authorization failed") != std::string::npos;
      },
      seconds(60)))
      << agent->Stderr();
  EXPECT_EQ(ReadyStatus(*agent), 503);  // the retries of six refusals take seconds
  ASSERT_TRUE(WaitSent(*agent, "agent", "kafka", 2000)) << agent->Stderr();
  EXPECT_TRUE(WaitUntil([&] { return ReadyStatus(*agent) == 200; }, seconds(30)));
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->WaitFor(seconds(30)), 0) << agent->Stderr();
  SequenceReport report = Check(Consume(cluster.bootstrap(), "spark"), 1, 2000);
  EXPECT_EQ(report.total.lost, 0u) << report.ToString();
  EXPECT_EQ(report.total.duplicates, 0u) << report.ToString();
}

// SASL against brokers that do not accept it, and TLS against plaintext brokers (the mock cluster
// speaks neither, so both fail the way a wrong setup does): a clear error naming what to check,
// /ready 503, nothing acked; the same agent with the right setup then delivers everything.
TEST_F(KafkaTest, AuthenticationAndTlsFailuresAreClearErrorsAndLoseNothing) {
  MockCluster cluster(dir_, {"spark:2:1"});
  fs::path logs = dir_ / "logs";
  WriteNumberedFiles(logs, 1, 1000);
  const std::vector<std::pair<std::string, std::string>> setups = {
      {"sasl", "        sasl: {mechanism: SCRAM-SHA-512, username: u, password: p}\n"},
      {"tls", "        tls: {enabled: true}\n"},
  };
  for (const auto& [name, extra] : setups) {
    auto agent =
        Run(WriteConfig("agent", AgentConfig(cluster.bootstrap(), logs, extra)), "agent-" + name);
    EXPECT_TRUE(WaitUntil([&] {
      return agent->Stderr().find(
                 "(check tls and sasl options and the brokers' ACLs); not ready") !=
             std::string::npos;
    })) << name
        << ": " << agent->Stderr();
    EXPECT_NE(agent->Stderr().find(name == "sasl" ? "SASL authentication" : "SSL handshake failed"),
              std::string::npos)
        << name << ": " << agent->Stderr();
    EXPECT_EQ(ReadyStatus(*agent), 503) << name;
    EXPECT_LT(Metric(*agent, OutputSent("agent", "kafka")), 1) << name;
    agent->Signal(SIGKILL);  // nothing was acked, so nothing is checkpointed
    agent->WaitFor(seconds(30));
  }
  auto agent = Run(WriteConfig("agent", AgentConfig(cluster.bootstrap(), logs)), "agent");
  ASSERT_TRUE(WaitSent(*agent, "agent", "kafka", 1000)) << agent->Stderr();
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->WaitFor(seconds(30)), 0) << agent->Stderr();
  SequenceReport report = Check(Consume(cluster.bootstrap(), "spark"), 1, 1000);
  EXPECT_EQ(report.total.lost, 0u) << report.ToString();
  EXPECT_EQ(report.total.duplicates, 0u) << report.ToString();
}

// The collector's own output is down (a second cluster with every broker down): the kafka input
// pauses its partitions, holding no more than the pipeline's in-flight bound, and resumes when the
// output delivers again: nothing lost, nothing repeated.
TEST_F(KafkaTest, CollectorPausesWhileItsOutputIsDownAndResumes) {
  fs::create_directories(dir_ / "source");
  fs::create_directories(dir_ / "sink");
  MockCluster source(dir_ / "source", {"spark:2:1"});
  MockCluster sink(dir_ / "sink", {"copy:2:1"});
  constexpr int kLines = 20000;
  WriteNumberedFiles(dir_ / "logs", 1, kLines);
  Produce(source.bootstrap(), "spark", dir_ / "logs" / "app0.log");
  for (int b = 1; b <= 3; ++b) sink.Command("down " + std::to_string(b));
  auto collector =
      Run(WriteConfig("collector",
                      "pipelines:\n  c:\n    max_inflight_bytes: 256KiB\n"
                      "    inputs:\n      - type: kafka\n        brokers: " +
                          source.bootstrap() +
                          "\n        topics: [spark]\n        decode: raw\n"
                          "    outputs:\n      - type: kafka\n        brokers: " +
                          sink.bootstrap() + "\n        topic: copy\n        encoding: raw\n"),
          "collector");
  const std::string pauses =
      "sluice_kafka_input_pauses_total{pipeline=\"c\",kind=\"input\",type=\"kafka\","
      "id=\"kafka\"}";
  ASSERT_TRUE(WaitUntil([&] { return Metric(*collector, pauses) >= 1; }, seconds(60)))
      << collector->Stderr();
  const std::string emitted =
      "sluice_component_sent_events_total{pipeline=\"c\",kind=\"input\",type=\"kafka\","
      "id=\"kafka\"}";
  double held = Metric(*collector, emitted);
  EXPECT_GT(held, 0);
  EXPECT_LT(held, kLines / 2) << "the input kept reading while its output was down";
  EXPECT_EQ(ReadyStatus(*collector), 503);
  for (int b = 1; b <= 3; ++b) sink.Command("up " + std::to_string(b));
  ASSERT_TRUE(WaitSent(*collector, "c", "kafka", kLines)) << collector->Stderr();
  collector->Signal(SIGTERM);
  EXPECT_EQ(collector->WaitFor(seconds(30)), 0) << collector->Stderr();
  SequenceReport report = Check(Consume(sink.bootstrap(), "copy"), 1, kLines);
  EXPECT_EQ(report.total.lost, 0u) << report.ToString();
  EXPECT_EQ(report.total.duplicates, 0u) << report.ToString();
}

// Nothing downstream reads fields (no filter, a json file output): a JSON message is carried
// through as it came, with the input's kafka object added before its closing brace; messages that
// cannot be (no @timestamp, a repeated key, a `kafka` key of their own) are decoded as before.
// Every message is written once; the metric counts the carried ones. `passthrough: false` decodes
// all.
TEST_F(KafkaTest, PassthroughCarriesJsonMessagesAsTheyCameAndDecodesTheRest) {
  MockCluster cluster(dir_, {"spark:1"});
  const std::vector<std::string> carried = {
      R"({"@timestamp":"2017-06-09T20:10:40.100000Z","message":"a","z":{"b":[1, 2]},"event":{"id":"0011"}})",
      R"(  {"@timestamp":"2017-06-09T20:10:41Z","message":"é \u00e9"}  )",
  };
  const std::vector<std::string> decoded = {
      R"({"message":"no time","level":"INFO"})",
      R"({"@timestamp":"2017-06-09T20:10:42Z","message":"dup","a":1,"a":2})",
      R"({"@timestamp":"2017-06-09T20:10:43Z","message":"own","kafka":{"x":1}})",
  };
  {
    std::ofstream msgs(dir_ / "msgs.txt");
    for (const auto& m : carried) msgs << m << "\n";
    for (const auto& m : decoded) msgs << m << "\n";
  }
  Produce(cluster.bootstrap(), "spark", dir_ / "msgs.txt");
  const fs::path out = dir_ / "events.ndjson";
  int runs = 0;  // each run its own consumer group, reading the topic from the start
  auto collect = [&](const std::string& input_extra) {
    fs::remove(out);
    auto collector =
        Run(WriteConfig("collector",
                        "pipelines:\n  c:\n    inputs:\n      - type: kafka\n"
                        "        brokers: " +
                            cluster.bootstrap() + "\n        topics: [spark]\n        group_id: g" +
                            std::to_string(runs++) + input_extra +
                            "\n    outputs: [{type: file, path: '" + out.string() + "'}]\n"),
            "collector");
    const std::string carried_metric =
        "sluice_kafka_input_passthrough_events_total{pipeline=\"c\",kind=\"input\","
        "type=\"kafka\",id=\"kafka\"}";
    EXPECT_TRUE(WaitSent(*collector, "c", "file", 5)) << collector->Stderr();
    const double n = Metric(*collector, carried_metric);
    collector->Signal(SIGTERM);
    EXPECT_EQ(collector->WaitFor(seconds(30)), 0) << collector->Stderr();
    return std::make_pair(n, collector->Stderr());
  };

  auto [carried_count, log] = collect("");
  EXPECT_EQ(carried_count, 2);
  EXPECT_NE(log.find("(passthrough)"), std::string::npos) << log;
  std::vector<std::string> lines = ReadLines(out);
  ASSERT_EQ(lines.size(), 5u);
  static const std::regex kKafkaObject(
      R"(,"kafka":\{"offset":\d+,"partition":0,"timestamp":\d+,"topic":"spark"\}\}$)");
  for (size_t i = 0; i < carried.size(); ++i) {
    SCOPED_TRACE(carried[i]);
    std::string_view doc = carried[i];
    doc = doc.substr(doc.find('{'), doc.rfind('}') - doc.find('{'));  // without its last brace
    EXPECT_EQ(lines[i].substr(0, doc.size()), doc);
    EXPECT_TRUE(std::regex_match(lines[i].substr(doc.size()), kKafkaObject)) << lines[i];
  }
  // Decoded and encoded again: @timestamp first (the Kafka time when there is none), keys sorted.
  for (size_t i = 2; i < 5; ++i) EXPECT_EQ(lines[i].rfind("{\"@timestamp\":\"", 0), 0u) << lines[i];
  EXPECT_NE(lines[2].find("\"message\":\"no time\",\"kafka\":{"), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find("\"a\":2,\"kafka\":{"), std::string::npos) << lines[3];
  EXPECT_EQ(lines[3].find("\"a\":1"), std::string::npos) << lines[3];
  EXPECT_NE(lines[4].find("\"kafka\":{\"offset\":4,\"partition\":0,\"timestamp\":"),
            std::string::npos)
      << lines[4];
  EXPECT_NE(lines[4].find(",\"x\":1}"), std::string::npos) << lines[4];

  auto [decoded_count, decoded_log] = collect("\n        passthrough: false");
  EXPECT_EQ(decoded_count, 0);
  EXPECT_EQ(decoded_log.find("(passthrough)"), std::string::npos) << decoded_log;
  lines = ReadLines(out);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(
      lines[0].rfind(
          R"({"@timestamp":"2017-06-09T20:10:40.100Z","message":"a","event":{"id":"0011"},"kafka":{)",
          0),
      0u)
      << lines[0];
}

}  // namespace
}  // namespace sluice::testing
