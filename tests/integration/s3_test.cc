// The s3 output against real S3 protocol peers and outside clients:
// - moto_server (Python's moto; it checks SigV4 signatures once IAM auth is on, and multipart
//   rules) proves the signatures (a wrong secret fails with S3's error) and multipart uploads;
//   keys there avoid `=` and `+`, which moto rejects when percent-encoded as SigV4 requires;
// - local bronze (endpoint file://) carries the exactly-once test from the Kafka mock cluster,
//   with the Hive-style layout and deterministic names;
// - Debian's awscli (/usr/bin/aws) lists and downloads what was written.
#include <gtest/gtest.h>
#include <zlib.h>

#include <regex>
#include <set>
#include <thread>

#include "tests/integration/command_process.h"
#include "tests/integration/free_port.h"
#include "tests/integration/kafka_fed.h"
#include "tests/integration/s3_peers.h"
#include "tests/integration/sluice_process.h"
#include "tests/unit/gzip_util.h"

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

class S3Test : public SluiceProcessTest {
 protected:
  void SetUp() override {
    SLUICE_REQUIRE_PEER(fs::exists(kAws), "awscli not installed (scripts/deps.sh installs it)");
    MakeDir("sluice_s3");
  }
  // The mock cluster: topic `spark` of `partitions` partitions holding `lines` numbered lines.
  std::unique_ptr<MockCluster> Topic(int partitions, int lines) {
    return SparkTopicWithNumberedLines(dir_ / "mock", partitions, lines);
  }
  // A collector config: the kafka input (raw messages of `spark`, with `input` options) → s3
  // (bucket `lake` at `endpoint`: s3rver or a proxy in front of it; with `output` options).
  std::string KafkaToS3rver(const std::string& bootstrap, const std::string& endpoint,
                            const std::string& input, const std::string& output) {
    return WriteConfig(
        "collector",
        "pipelines:\n  c:\n    inputs:\n      - type: kafka\n        brokers: " + bootstrap +
            "\n        topics: [spark]\n        decode: raw\n" + input +
            "    outputs:\n      - type: s3\n        bucket: lake\n        endpoint: " + endpoint +
            "\n        force_path_style: true\n        access_key_id: S3RVER\n"
            "        secret_access_key: S3RVER\n" +
            output);
  }
  // Downloads `url` (s3://BUCKET/PREFIX) from s3rver at `endpoint` with awscli; returns the
  // directory it went to.
  fs::path DownloadFromS3rver(const std::string& endpoint, const std::string& url) {
    fs::path local = dir_ / "download";
    Aws(kS3rverKeys, endpoint, "s3 cp --recursive --quiet " + url + " " + local.string());
    return local;
  }
  // Every numbered line is once in the gzip objects under `dir`; `check` (when set) sees each
  // object first.
  static void ExpectEachLineOnceIn(const fs::path& dir, int lines,
                                   const std::function<void(const fs::path&)>& check = {}) {
    ExpectEachNumberedLineOnce(lines, [&](SequenceChecker& checker) {
      for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        if (check) check(e.path());
        for (const auto& l : GunzipLines(e.path())) checker.Add(MessageOf(l));
      }
    });
  }

 public:
  // Runs /usr/bin/aws with `env` ("KEY=value ...") against `endpoint`; returns its stdout.
  std::string Aws(const std::string& env, const std::string& endpoint, const std::string& args) {
    return AwsCli{dir_}.Run(env, endpoint, args);
  }
};

std::string GenerateToS3(const std::string& endpoint, const std::string& key,
                         const std::string& secret, int count, const std::string& extra = "",
                         const std::string& bucket = "bronze") {
  return "pipelines:\n  p:\n    inputs: [{type: generate, count: " + std::to_string(count) +
         ", seed: 3}]\n    outputs:\n      - type: s3\n        bucket: " + bucket +
         "\n        endpoint: '" + endpoint +
         "'\n        force_path_style: true\n        prefix: 'spark/%Y/%m/%d/'\n"
         "        access_key_id: '" +
         key + "'\n        secret_access_key: '" + secret + "'\n" + extra;
}

// Signatures checked by moto: a wrong secret is refused with S3's error, the output is unready
// and nothing is acked; the right key stores every event, in a multipart upload for the large
// object, and awscli downloads valid gzip NDJSON with every event once.
TEST_F(S3Test, MotoChecksSignaturesAndMultipartUploadsStoreEveryEventOnce) {
  Moto moto(AwsCli{dir_}, dir_ / "moto");
  SLUICE_REQUIRE_PEER(moto.available(), "moto_server not on PATH");
  auto wrong =
      Run(WriteConfig("wrong", GenerateToS3(moto.endpoint(), moto.key(), "wrong", 100)), "wrong");
  ASSERT_TRUE(WaitUntil(
      [&] { return wrong->Stderr().find("HTTP 403 SignatureDoesNotMatch") != std::string::npos; },
      seconds(60)))
      << wrong->Stderr();
  EXPECT_EQ(ReadyStatus(*wrong), 503);
  EXPECT_LT(Metric(*wrong, OutputSent("p", "s3")), 1);
  wrong->Signal(SIGKILL);
  wrong->WaitFor(seconds(10));

  constexpr int kEvents = 60000;  // one object of ~6 MiB uncompressed: two 5 MiB parts
  auto good =
      Run(WriteConfig("good", GenerateToS3(moto.endpoint(), moto.key(), moto.secret(), kEvents,
                                           "        compression: gzip\n"
                                           "        compression_level: 0\n"
                                           "        part_size: 5MiB\n"
                                           "        max_object_size: 64MiB\n"
                                           "        storage_class: STANDARD_IA\n"
                                           "        sse: AES256\n")),
          "good");
  ASSERT_EQ(good->WaitFor(seconds(120)), 0) << good->Stderr();
  // s3api calls: `aws s3 ls/cp` send `delimiter=%2F`, a query moto's signature check refuses.
  std::string listing = Aws(moto.env(), moto.endpoint(),
                            "s3api list-objects-v2 --bucket bronze --query 'Contents[].Key' "
                            "--output text");
  fs::path local = dir_ / "download";
  fs::create_directories(local);
  std::stringstream keys(listing);
  int n = 0;
  for (std::string key; keys >> key;) {
    Aws(moto.env(), moto.endpoint(),
        "s3api get-object --bucket bronze --key " + key + " " +
            (local / (std::to_string(n++) + "-" + fs::path(key).filename().string())).string());
  }
  // What moto recorded of the objects' headers (set at PutObject or CreateMultipartUpload).
  std::string head = Aws(moto.env(), moto.endpoint(),
                         "s3api head-object --bucket bronze --key " +
                             listing.substr(0, listing.find_first_of(" \t\n")));
  EXPECT_NE(head.find("\"ContentType\": \"application/x-ndjson\""), std::string::npos) << head;
  EXPECT_NE(head.find("\"ContentEncoding\": \"gzip\""), std::string::npos) << head;
  EXPECT_NE(head.find("\"StorageClass\": \"STANDARD_IA\""), std::string::npos) << head;
  EXPECT_NE(head.find("\"ServerSideEncryption\": \"AES256\""), std::string::npos) << head;
  std::set<std::string> seen;
  size_t objects = 0, largest = 0, lines = 0;
  for (const auto& entry : fs::recursive_directory_iterator(local)) {
    if (!entry.is_regular_file()) continue;
    ++objects;
    largest = std::max<size_t>(largest, fs::file_size(entry.path()));
    EXPECT_NE(entry.path().string().find(".ndjson.gz"), std::string::npos) << entry.path();
    for (const auto& line : GunzipLines(entry.path())) {
      ASSERT_EQ(line.rfind("{\"@timestamp\":", 0), 0u) << line.substr(0, 200);
      seen.insert(line);
      ++lines;
    }
  }
  EXPECT_GE(objects, 1u) << listing;
  EXPECT_GT(largest, size_t{5} << 20)
      << "no object was large enough for a multipart upload: " << listing;
  EXPECT_EQ(lines, size_t{kEvents}) << listing;
  EXPECT_EQ(seen.size(), size_t{kEvents}) << "some events are there twice";
  EXPECT_NE(good->Stderr().find("delivered " + std::to_string(kEvents) + " events"),
            std::string::npos)
      << good->Stderr();
}

// Kafka → collector → local bronze, the collector SIGKILLed mid-stream and restarted: every
// event is in bronze exactly once (the restarted collector skips what the offset markers cover
// and rewrites an object the crash may have stored without its marker under the same name), in
// Hive-style partitions, in objects named <topic>+<partition>+<first offset>.
TEST_F(S3Test, CollectorSigkilledMidStreamWritesEveryKafkaEventExactlyOnce) {
  SLUICE_REQUIRE_KCAT();
  constexpr int kLines = 200000;
  auto cluster = Topic(4, kLines);
  fs::path bronze = dir_ / "bronze";
  std::string cfg = WriteConfig(
      "collector",
      "pipelines:\n  c:\n    max_inflight_bytes: 64MiB\n    inputs:\n      - type: kafka\n"
      "        brokers: " +
          cluster->bootstrap() +
          "\n        topics: [spark]\n        group_id: bronze\n        decode: raw\n"
          "        commit_interval: 200ms\n"
          "        librdkafka: {session.timeout.ms: '6000', heartbeat.interval.ms: '500'}\n"
          "    outputs:\n      - type: s3\n        bucket: lake\n        endpoint: 'file://" +
          bronze.string() + "'\n        max_events: 7000\n        flush_interval: 2s\n");
  auto first = Run(cfg, "first");
  ASSERT_TRUE(
      WaitUntil([&] { return Metric(*first, OutputSent("c", "s3")) >= kLines / 4; }, seconds(120)))
      << first->Stderr();
  first->Signal(SIGKILL);
  first->WaitFor(seconds(10));
  auto second = Run(cfg, "second");
  const std::string skipped =
      "sluice_s3_output_skipped_events_total{pipeline=\"c\",kind=\"output\",type=\"s3\","
      "id=\"s3\"}";
  // Every event is in bronze once the objects hold kLines lines (counted below).
  auto count_lines = [&] {
    size_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(bronze)) {
      if (e.is_regular_file() && e.path().extension() == ".gz") n += GunzipLines(e.path()).size();
    }
    return n;
  };
  ASSERT_TRUE(WaitUntil(
      [&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));  // polling pace
        return count_lines() >= size_t{kLines} && Metric(*second, OutputSent("c", "s3")) >= 1;
      },
      seconds(240)))
      << second->Stderr();
  const double skipped_events = Metric(*second, skipped);
  second->Signal(SIGTERM);
  EXPECT_EQ(second->WaitFor(seconds(60)), 0) << second->Stderr();
  static const std::regex kName("^spark\\+(\\d)\\+(\\d{20})\\.ndjson\\.gz$");
  size_t objects = 0;
  ExpectEachNumberedLineOnce(kLines, [&](SequenceChecker& checker) {
    for (const auto& e : fs::recursive_directory_iterator(bronze / "lake")) {
      if (!e.is_regular_file() || e.path().string().find("/_sluice/") != std::string::npos) {
        continue;
      }
      ++objects;
      std::string rel = fs::relative(e.path(), bronze / "lake").string();
      EXPECT_EQ(rel.rfind("spark/dt=", 0), 0u) << rel;
      EXPECT_NE(rel.find("/hour="), std::string::npos) << rel;
      std::smatch m;
      std::string name = e.path().filename().string();
      ASSERT_TRUE(std::regex_match(name, m, kName)) << rel;
      std::vector<std::string> lines = GunzipLines(e.path());
      ASSERT_FALSE(lines.empty()) << rel;
      // The name's offset is the first event's.
      EXPECT_NE(lines[0].find("\"offset\":" + std::to_string(std::stoll(m[2]))), std::string::npos)
          << rel << ": " << lines[0].substr(0, 300);
      for (const auto& l : lines) checker.Add(MessageOf(l));
    }
  });
  GTEST_LOG_(INFO) << "collector SIGKILL into bronze: " << objects << " objects, " << skipped_events
                   << " replayed events skipped";
}

// README's main job (scripts/demo): config/demo-logs.yaml writes a Spark application's YARN
// container logs, then config/demo.yaml tails them (file input, multiline, grok, spark) → embedded
// Kafka → collector → local bronze. Every record lands in bronze once, parsed, in objects named
// after their partition and first offset.
TEST_F(S3Test, DemoConfigWritesEveryEventToLocalBronzeOnce) {
  fs::path out = dir_ / "demo-out";
  for (const std::string config : {"demo-logs.yaml", "demo.yaml"}) {
    Subprocess run({"/usr/bin/env", "SLUICE_DEMO_OUT=" + out.string(), SLUICE_BINARY, "run", "-c",
                    std::string(SLUICE_SOURCE_DIR) + "/config/" + config},
                   dir_);
    ASSERT_EQ(run.WaitFor(seconds(240)), 0) << config << ": " << run.Stderr();
  }
  std::set<std::string> ids;
  size_t lines = 0, objects = 0, parsed = 0, drivers = 0, traces = 0;
  static const std::regex kName("^spark-logs\\+\\d+\\+\\d{20}\\.ndjson\\.gz$");
  for (const auto& e : fs::recursive_directory_iterator(out / "bronze" / "spark-bronze")) {
    if (!e.is_regular_file() || e.path().string().find("/_sluice/") != std::string::npos) continue;
    ++objects;
    EXPECT_TRUE(std::regex_match(e.path().filename().string(), kName)) << e.path();
    EXPECT_NE(e.path().string().find("/spark-logs/dt=2017-06-09/"), std::string::npos) << e.path();
    for (const auto& line : GunzipLines(e.path())) {
      ++lines;
      size_t at = line.find("\"kafka\":{");
      ASSERT_NE(at, std::string::npos) << line.substr(0, 300);
      ids.insert(line.substr(at, line.find('}', at) - at));  // topic, partition, offset
      if (line.find("\"app_id\":\"application_1496953840000_0001\"") != std::string::npos &&
          line.find("\"level\":\"") != std::string::npos) {
        ++parsed;
      }
      if (line.find("\"role\":\"driver\"") != std::string::npos) ++drivers;
      if (line.find("\\n\\tat ") != std::string::npos) ++traces;
    }
  }
  EXPECT_GE(objects, 16u);  // at least one per partition
  EXPECT_EQ(lines, 200000u);
  EXPECT_EQ(ids.size(), 200000u) << "some Kafka messages are in bronze twice";
  EXPECT_EQ(parsed, 200000u) << "every record has its level and application id";
  EXPECT_EQ(drivers, 40000u) << "the driver container's records";
  EXPECT_GT(traces, 1000u) << "stack traces joined to their records";
}

// s3rver stopped for 20 s mid-stream and started again: uploads fail, the output is unready and
// the kafka input waits; then everything is stored, and awscli finds every event exactly once,
// under Hive-style prefixes (the keys' `=` and `+` go percent-encoded over HTTP).
TEST_F(S3Test, S3rverDownForTwentySecondsLosesAndRepeatsNothing) {
  SLUICE_REQUIRE_KCAT();
  S3rver s3(dir_ / "s3rver");
  SLUICE_REQUIRE_PEER(s3.available(), S3rver::Binary() << " missing (scripts/deps.sh installs it)");
  constexpr int kLines = 100000;
  auto cluster = Topic(4, kLines);
  auto collector =
      Run(KafkaToS3rver(cluster->bootstrap(), s3.endpoint(), "        commit_interval: 200ms\n",
                        "        max_events: 5000\n        flush_interval: 2s\n"),
          "collector");
  ASSERT_TRUE(WaitUntil([&] { return Metric(*collector, OutputSent("c", "s3")) >= kLines / 5; },
                        seconds(120)))
      << collector->Stderr();
  s3.Stop();
  EXPECT_TRUE(WaitUntil([&] { return ReadyStatus(*collector) == 503; }, seconds(60)))
      << collector->Stderr();
  std::this_thread::sleep_for(seconds(20));  // the outage itself
  EXPECT_LT(Metric(*collector, OutputSent("c", "s3")), kLines);
  s3.Start();
  ASSERT_TRUE(
      WaitUntil([&] { return Metric(*collector, OutputSent("c", "s3")) >= kLines; }, seconds(180)))
      << collector->Stderr();
  EXPECT_TRUE(WaitUntil([&] { return ReadyStatus(*collector) == 200; }, seconds(30)));
  EXPECT_GE(Metric(*collector,
                   "sluice_s3_output_retries_total{pipeline=\"c\",kind=\"output\","
                   "type=\"s3\",id=\"s3\"}"),
            1);
  collector->Signal(SIGTERM);
  EXPECT_EQ(collector->WaitFor(seconds(60)), 0) << collector->Stderr();
  static const std::regex kName("^spark\\+\\d\\+\\d{20}\\.ndjson\\.gz$");
  ExpectEachLineOnceIn(DownloadFromS3rver(s3.endpoint(), "s3://lake/spark/"), kLines,
                       [](const fs::path& object) {
                         EXPECT_TRUE(std::regex_match(object.filename().string(), kName)) << object;
                         EXPECT_NE(object.string().find("/dt="), std::string::npos) << object;
                       });
}

// Through tests/tools/http_fault_proxy in front of s3rver: 503 SlowDown and 500 InternalError
// answers, slow answers, and answers slower than the output's `timeout`, mid-stream. Every one is
// retried; every Kafka event is in bronze exactly once.
TEST_F(S3Test, InjectedServerErrorsAndSlowAnswersLoseAndRepeatNothing) {
  SLUICE_REQUIRE_KCAT();
  S3rver s3(dir_ / "s3rver");
  SLUICE_REQUIRE_PEER(s3.available(), S3rver::Binary() << " missing (scripts/deps.sh installs it)");
  fs::create_directories(dir_ / "proxy");
  CommandProcess proxy({SLUICE_FAULT_PROXY, "127.0.0.1", s3.endpoint().substr(17)}, dir_ / "proxy",
                       "port=(\\d+)");
  const std::string endpoint = "http://127.0.0.1:" + proxy.announced();
  constexpr int kLines = 60000;
  auto cluster = Topic(2, kLines);
  auto collector = Run(
      KafkaToS3rver(cluster->bootstrap(), endpoint, "",
                    "        max_events: 2000\n        flush_interval: 2s\n        timeout: 2s\n"),
      "collector");
  ASSERT_TRUE(
      WaitUntil([&] { return Metric(*collector, OutputSent("c", "s3")) >= 1; }, seconds(120)))
      << collector->Stderr();
  // One fault at a time: a command replaces the one before.
  auto reached = [&](const std::string& stat) {  // e.g. "failed=5"
    return WaitUntil(
        [&] {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling pace
          return (proxy.Command("stats") + " ").find(" " + stat + " ") != std::string::npos;
        },
        seconds(60));
  };
  proxy.Command("fail 5 503 SlowDown");
  ASSERT_TRUE(reached("failed=5"));
  proxy.Command("fail 3 500 InternalError");
  ASSERT_TRUE(reached("failed=8"));
  proxy.Command("delay 3 500");  // slow, within the timeout
  ASSERT_TRUE(reached("delayed=3"));
  proxy.Command("delay 2 4000");  // past the 2 s timeout: the upload is abandoned and retried
  ASSERT_TRUE(reached("delayed=5"));
  ASSERT_TRUE(
      WaitUntil([&] { return Metric(*collector, OutputSent("c", "s3")) >= kLines; }, seconds(180)))
      << collector->Stderr();
  EXPECT_GE(Metric(*collector,
                   "sluice_s3_output_retries_total{pipeline=\"c\",kind=\"output\","
                   "type=\"s3\",id=\"s3\"}"),
            10)  // 8 error answers and 2 timeouts
      << collector->Stderr();
  EXPECT_NE(collector->Stderr().find("HTTP 503 SlowDown"), std::string::npos);
  collector->Signal(SIGTERM);
  EXPECT_EQ(collector->WaitFor(seconds(60)), 0) << collector->Stderr();
  ExpectEachLineOnceIn(DownloadFromS3rver(s3.endpoint(), "s3://lake/spark/"), kLines);
}

// Every S3 request slowed to 300 ms by tests/tools/http_fault_proxy: with `upload_concurrency: 4`
// several objects (of different partitions) are in flight at once, never more than 4; with 1, one
// at a time. Either way every event is in the bucket exactly once.
TEST_F(S3Test, UploadConcurrencyBoundsTheObjectsInFlightAndLosesNothing) {
  SLUICE_REQUIRE_KCAT();
  constexpr int kLines = 4000;
  auto cluster = Topic(8, kLines);
  for (int concurrency : {4, 1}) {
    SCOPED_TRACE("upload_concurrency " + std::to_string(concurrency));
    // A bucket of its own (the offset markers of the other run would skip everything).
    const std::string group = "c" + std::to_string(concurrency);
    S3rver s3(dir_ / ("s3rver-" + group));
    SLUICE_REQUIRE_PEER(s3.available(), S3rver::Binary()
                                            << " missing (scripts/deps.sh installs it)");
    fs::create_directories(dir_ / ("proxy-" + group));
    CommandProcess proxy({SLUICE_FAULT_PROXY, "127.0.0.1", s3.endpoint().substr(17)},
                         dir_ / ("proxy-" + group), "port=(\\d+)");
    proxy.Command("delay 1000000 300");
    auto collector = Run(
        KafkaToS3rver(
            cluster->bootstrap(), "http://127.0.0.1:" + proxy.announced(),
            "        group_id: " + group + "\n",
            "        max_events: 200\n        flush_interval: 1s\n        upload_concurrency: " +
                std::to_string(concurrency) + "\n"),
        "collector");
    ASSERT_TRUE(WaitUntil([&] { return Metric(*collector, OutputSent("c", "s3")) >= kLines; },
                          seconds(240)))
        << collector->Stderr();
    collector->Signal(SIGTERM);
    EXPECT_EQ(collector->WaitFor(seconds(60)), 0) << collector->Stderr();
    std::smatch most;
    const std::string stats = proxy.Command("stats");
    ASSERT_TRUE(std::regex_search(stats, most, std::regex("max_puts=(\\d+)"))) << stats;
    if (concurrency == 1) {
      EXPECT_EQ(std::stoi(most[1]), 1) << stats;
    } else {
      EXPECT_GE(std::stoi(most[1]), 2) << stats;
      EXPECT_LE(std::stoi(most[1]), concurrency) << stats;
    }
    fs::remove_all(dir_ / "download");
    ExpectEachLineOnceIn(DownloadFromS3rver(s3.endpoint(), "s3://lake/spark/"), kLines);
  }
}

// A bucket that does not exist: a clear error naming it, /ready 503, nothing acked; once it is
// created (with awscli), everything is stored.
TEST_F(S3Test, MissingBucketIsAClearErrorAndWaitedFor) {
  S3rver s3(dir_ / "s3rver");
  SLUICE_REQUIRE_PEER(s3.available(), S3rver::Binary() << " missing (scripts/deps.sh installs it)");
  auto p = Run(
      WriteConfig("missing", GenerateToS3(s3.endpoint(), "S3RVER", "S3RVER", 3000, "", "not-yet")),
      "missing");
  ASSERT_TRUE(WaitUntil(
      [&] {
        return p->Stderr().find("bucket 'not-yet' is not usable: HTTP 404") != std::string::npos;
      },
      seconds(60)))
      << p->Stderr();
  EXPECT_TRUE(WaitUntil([&] { return p->Stderr().find("NoSuchBucket") != std::string::npos; }))
      << p->Stderr();
  EXPECT_EQ(ReadyStatus(*p), 503);
  EXPECT_LT(Metric(*p, OutputSent("p", "s3")), 1);
  Aws(kS3rverKeys, s3.endpoint(), "s3 mb s3://not-yet");
  ASSERT_EQ(p->WaitFor(seconds(120)), 0) << p->Stderr();
  EXPECT_NE(p->Stderr().find("delivered 3000 events"), std::string::npos) << p->Stderr();
  size_t lines = 0;
  for (const auto& e :
       fs::recursive_directory_iterator(DownloadFromS3rver(s3.endpoint(), "s3://not-yet/"))) {
    if (e.is_regular_file()) lines += GunzipLines(e.path()).size();
  }
  EXPECT_EQ(lines, 3000u);
}

}  // namespace
}  // namespace sluice::testing
