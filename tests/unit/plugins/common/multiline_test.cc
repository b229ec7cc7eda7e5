#include "plugins/common/multiline/multiline.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "pipeline/options/diagnostics.h"
#include "pipeline/options/node_reader.h"

namespace sluice::common {
namespace {

// An event as the aggregator handed it out, copied.
struct Out {
  std::string message;
  uint64_t begin_offset = 0;
  uint64_t end_offset = 0;
  bool line_truncated = false;
  bool multiline_truncated = false;
  bool operator==(const Out&) const = default;
};

void PrintTo(const Out& e, std::ostream* os) {
  *os << "{[" << e.begin_offset << ", " << e.end_offset << ")"
      << (e.line_truncated ? " line_truncated" : "")
      << (e.multiline_truncated ? " multiline_truncated" : "") << " \"" << e.message << "\"}";
}

std::shared_ptr<const MultilineRules> Rules(const MultilineOptions& options) {
  return MultilineRules::Make(options);
}

std::shared_ptr<const MultilineRules> Preset(MultilinePreset preset) {
  MultilineOptions options;
  options.preset = preset;
  return Rules(options);
}

// `source` compiled (a test failure when it does not compile).
config::Regex Re(std::string_view source) {
  Result<config::Regex> re = config::Regex::Compile(source);
  EXPECT_TRUE(re.ok()) << re.status().message();
  return re.ok() ? std::move(re).value() : config::Regex();
}

// An on_event callback that copies each event into `out`.
auto Collector(std::vector<Out>& out) {
  return [&out](const MultilineEvent& e) {
    out.push_back({std::string(e.message), e.begin_offset, e.end_offset, e.line_truncated,
                   e.multiline_truncated});
  };
}

// Drives one aggregator the way a file reader does: lines end with '\n' and offsets continue
// from one Feed to the next.
class Reader {
 public:
  explicit Reader(std::shared_ptr<const MultilineRules> rules) : aggregator_(std::move(rules)) {}

  // Pushes every line of `text` (each ended by '\n') read at `now_ns`; returns the events that
  // completed.
  std::vector<Out> Feed(std::string_view text, int64_t now_ns = 0, bool truncated = false) {
    std::vector<Out> out;
    while (!text.empty()) {
      size_t nl = text.find('\n');
      EXPECT_NE(nl, std::string_view::npos) << "test text must end with a newline";
      if (nl == std::string_view::npos) break;
      aggregator_.Push(text.substr(0, nl), offset_, offset_ + nl + 1, truncated, now_ns,
                       Collector(out));
      offset_ += nl + 1;
      text.remove_prefix(nl + 1);
    }
    return out;
  }

  std::vector<Out> Flush(int64_t now_ns, bool force) {
    std::vector<Out> out;
    aggregator_.Flush(now_ns, force, Collector(out));
    return out;
  }

  // Feeds `text`, then force-flushes.
  std::vector<Out> All(std::string_view text) {
    std::vector<Out> out = Feed(text);
    for (Out& e : Flush(0, true)) out.push_back(std::move(e));
    return out;
  }

  const MultilineAggregator& aggregator() const { return aggregator_; }

 private:
  MultilineAggregator aggregator_;
  uint64_t offset_ = 0;
};

// Records shaped like the ones Spark executors write (see plugins/inputs/generate/).
const std::string kRunning =
    "17/06/09 20:10:40 INFO executor.Executor: Running task 3.0 in stage 12.0 (TID 483)";
const std::string kLostTask =
    "17/06/09 20:10:41 WARN scheduler.TaskSetManager: Lost task 7.1 in stage 12.0 (TID 487, "
    "host-12): org.apache.spark.shuffle.FetchFailedException: Failed to connect to "
    "host-13/10.0.3.13:7337\n"
    "\tat org.apache.spark.storage.ShuffleBlockFetcherIterator.throwFetchFailedException("
    "ShuffleBlockFetcherIterator.scala:323)\n"
    "\tat org.apache.spark.storage.ShuffleBlockFetcherIterator.next("
    "ShuffleBlockFetcherIterator.scala:300)\n"
    "\tat org.apache.spark.api.python.PythonRunner$WriterThread.run(PythonRDD.scala:239)\n"
    "Caused by: java.io.IOException: Failed to connect to host-13/10.0.3.13:7337\n"
    "\tat org.apache.spark.network.client.TransportClientFactory.createClient("
    "TransportClientFactory.java:216)\n"
    "\tat java.lang.Thread.run(Thread.java:745)\n"
    "Caused by: java.net.ConnectException: Connection refused: host-13/10.0.3.13:7337\n"
    "\tat sun.nio.ch.SocketChannelImpl.checkConnect(Native Method)\n"
    "\tat io.netty.channel.nio.NioEventLoop.run(NioEventLoop.java:354)\n"
    "\t... 12 more";
const std::string kFinished =
    "17/06/09 20:10:41 INFO executor.Executor: Finished task 3.0 in stage 12.0 (TID 483). 2364 "
    "bytes result sent to driver";
const std::string kFrame1 =
    "\tat org.apache.spark.storage.ShuffleBlockFetcherIterator.next("
    "ShuffleBlockFetcherIterator.scala:51)";
const std::string kFrame2 = "\tat scala.collection.Iterator$$anon$11.next(Iterator.scala:328)";
const std::string kFrame3 = "\tat scala.collection.Iterator$$anon$13.hasNext(Iterator.scala:371)";
const std::string kFrame4 =
    "\tat org.apache.spark.util.CompletionIterator.hasNext(CompletionIterator.scala:32)";

TEST(MultilineTest, SparkRecordAndItsStackTraceAreOneEvent) {
  Reader reader(Preset(MultilinePreset::kSpark));
  const std::string text = kRunning + "\n" + kLostTask + "\n" + kFinished + "\n";
  const uint64_t lost = kRunning.size() + 1;
  const uint64_t finished = lost + kLostTask.size() + 1;
  EXPECT_EQ(lost, 83u);
  EXPECT_EQ(reader.All(text), (std::vector<Out>{
                                  {kRunning, 0, lost},
                                  {kLostTask, lost, finished},
                                  {kFinished, finished, text.size()},
                              }));
}

TEST(MultilineTest, EventCompletesWhenTheNextRecordStarts) {
  Reader reader(Preset(MultilinePreset::kSpark));
  EXPECT_TRUE(reader.Feed(kRunning + "\n").empty());
  EXPECT_TRUE(reader.aggregator().pending());
  EXPECT_EQ(reader.Feed(kLostTask + "\n"), (std::vector<Out>{{kRunning, 0, kRunning.size() + 1}}));
  EXPECT_EQ(reader.aggregator().pending_begin(), kRunning.size() + 1);
}

TEST(MultilineTest, SparkPresetRecognizesYarnAndHadoopTimestamps) {
  const std::string launched =
      "2017-06-09 20:10:40,123 INFO org.apache.hadoop.yarn.server.nodemanager.containermanager."
      "container.ContainerImpl: Container container_1496953840000_0042_01_000002 transitioned "
      "from LOCALIZED to RUNNING";
  // The exception's first line has no timestamp and is not a frame: it joins all the same.
  const std::string failed =
      "2017-06-09 20:10:41,007 WARN org.apache.hadoop.yarn.server.nodemanager.containermanager."
      "launcher.ContainerLaunch: Failed to launch container.\n"
      "java.io.IOException: Cannot run program \"bash\": error=24, Too many open files\n"
      "\tat java.lang.ProcessBuilder.start(ProcessBuilder.java:1048)\n"
      "\tat org.apache.hadoop.util.Shell.runCommand(Shell.java:526)\n"
      "Caused by: java.io.IOException: error=24, Too many open files\n"
      "\tat java.lang.UNIXProcess.forkAndExec(Native Method)\n"
      "\t... 2 more";
  const std::string iso =
      "2017-06-09T20:10:42.512 INFO org.apache.spark.deploy.yarn.ApplicationMaster: Final app "
      "status: SUCCEEDED, exitCode: 0";
  Reader reader(Preset(MultilinePreset::kSpark));
  const std::string text = launched + "\n" + failed + "\n" + iso + "\n";
  const uint64_t a = launched.size() + 1;
  const uint64_t b = a + failed.size() + 1;
  EXPECT_EQ(reader.All(text), (std::vector<Out>{
                                  {launched, 0, a},
                                  {failed, a, b},
                                  {iso, b, text.size()},
                              }));

  auto rules = Preset(MultilinePreset::kSpark);
  EXPECT_TRUE(rules->StartsEvent("17/06/09 20:10:40 INFO"));
  EXPECT_TRUE(rules->StartsEvent("2017-06-09 20:10:40,123 INFO"));
  EXPECT_TRUE(rules->StartsEvent("2017-06-09T20:10:40"));
  EXPECT_FALSE(rules->StartsEvent(" 17/06/09 20:10:40 INFO"));  // anchored at the line start
  EXPECT_FALSE(rules->StartsEvent("2017-06-09 INFO"));
  EXPECT_FALSE(rules->StartsEvent("\tat java.lang.Thread.run(Thread.java:745)"));
  EXPECT_FALSE(rules->StartsEvent(""));
}

TEST(MultilineTest, JavaPresetJoinsFramesToTheLineBefore) {
  // A spark-submit client's stderr: no timestamps, so only the trace shape tells.
  const std::string trace =
      "Exception in thread \"main\" org.apache.spark.SparkException: Application "
      "application_1496953840000_0042 finished with failed status\n"
      "\tat org.apache.spark.deploy.yarn.Client.run(Client.scala:1104)\n"
      "\tat org.apache.spark.deploy.yarn.Client$.main(Client.scala:1150)\n"
      "\tSuppressed: java.io.IOException: Filesystem closed\n"
      "\t\tat org.apache.hadoop.hdfs.DFSClient.checkOpen(DFSClient.java:808)\n"
      "\t\t... 3 more\n"
      "Caused by: org.apache.hadoop.ipc.RemoteException: Operation category READ is not "
      "supported in state standby\n"
      "\tat org.apache.hadoop.ipc.Client.call(Client.java:1475)\n"
      "\t... 12 common frames omitted";
  const std::string shutdown = "Shutdown hook called";
  const std::string deleting = "Deleting directory /tmp/spark-5f5b6a8e-2c5b-4e0e-9d0a-3f1c2d4e5f60";
  Reader reader(Preset(MultilinePreset::kJava));
  const std::string text = trace + "\n" + shutdown + "\n" + deleting + "\n";
  const uint64_t a = trace.size() + 1;
  const uint64_t b = a + shutdown.size() + 1;
  EXPECT_EQ(reader.All(text), (std::vector<Out>{
                                  {trace, 0, a},
                                  {shutdown, a, b},
                                  {deleting, b, text.size()},
                              }));
}

TEST(MultilineTest, BothPatternsStartUnlessContinuationMatches) {
  // Start at any unindented line, except that `Caused by:` (unindented too) continues; a blank
  // line matches neither and so joins.
  MultilineOptions options;
  options.start = Re(R"(^\S)");
  options.continuation = Re(R"(^(?:\s|Caused by:))");
  Reader reader(Rules(options));
  const std::string error =
      "17/06/09 20:10:42 ERROR executor.Executor: Exception in task 7.0 in stage 12.0 (TID 487)\n"
      "\tat java.util.Arrays.copyOf(Arrays.java:3236)\n"
      "Caused by: java.lang.OutOfMemoryError: Java heap space\n"
      "\n"
      "\t... 1 more";
  const std::string text = error + "\n" + kFinished + "\n";
  EXPECT_EQ(reader.All(text), (std::vector<Out>{
                                  {error, 0, error.size() + 1},
                                  {kFinished, error.size() + 1, text.size()},
                              }));
}

TEST(MultilineTest, ExplicitPatternReplacesThePresets) {
  MultilineOptions options;
  options.preset = MultilinePreset::kSpark;
  options.start = Re("^ERROR ");
  auto rules = Rules(options);
  EXPECT_TRUE(rules->StartsEvent("ERROR boom"));
  EXPECT_FALSE(rules->StartsEvent("17/06/09 20:10:40 INFO executor.Executor: Running task"));
}

TEST(MultilineTest, MaxLinesCutsTheEventAndFlagsIt) {
  MultilineOptions options;
  options.preset = MultilinePreset::kSpark;
  options.max_lines = 3;
  Reader reader(Rules(options));
  const std::string text = kRunning + "\n" + kFrame1 + "\n" + kFrame2 + "\n" + kFrame3 + "\n" +
                           kFrame4 + "\n" + kFinished + "\n";
  const uint64_t cut = kRunning.size() + kFrame1.size() + kFrame2.size() + 3;
  const uint64_t finished = cut + kFrame3.size() + kFrame4.size() + 2;
  EXPECT_EQ(reader.All(text), (std::vector<Out>{
                                  {kRunning + "\n" + kFrame1 + "\n" + kFrame2, 0, cut, false, true},
                                  {kFrame3 + "\n" + kFrame4, cut, finished, false, false},
                                  {kFinished, finished, text.size(), false, false},
                              }));
}

TEST(MultilineTest, MaxBytesCutsTheEventAndFlagsIt) {
  MultilineOptions options;
  options.preset = MultilinePreset::kSpark;
  options.max_bytes = ByteSize{1024};
  Reader reader(Rules(options));
  // kRunning, '\n', frame, '\n', frame is exactly 1024 bytes: it fits; one more frame does not.
  const size_t frame_size = (1024 - kRunning.size() - 2) / 2;
  ASSERT_EQ(kRunning.size() + 2 + 2 * frame_size, 1024u);
  const std::string frame =
      kFrame2 + std::string(frame_size - kFrame2.size(), ' ');  // padded frame
  const std::string full = kRunning + "\n" + frame + "\n" + frame;
  const std::string text = full + "\n" + kFrame4 + "\n" + kFinished + "\n";
  const uint64_t cut = full.size() + 1;
  const uint64_t finished = cut + kFrame4.size() + 1;
  EXPECT_EQ(reader.All(text), (std::vector<Out>{
                                  {full, 0, cut, false, true},
                                  {kFrame4, cut, finished, false, false},
                                  {kFinished, finished, text.size(), false, false},
                              }));
}

TEST(MultilineTest, LineLongerThanMaxBytesIsKeptWhole) {
  MultilineOptions options;
  options.preset = MultilinePreset::kSpark;
  options.max_bytes = ByteSize{1024};
  Reader reader(Rules(options));
  const std::string huge = kRunning + " " + std::string(2000, 'x');
  const std::string text = huge + "\n" + kFrame1 + "\n" + kFinished + "\n";
  EXPECT_EQ(reader.All(text),
            (std::vector<Out>{
                {huge, 0, huge.size() + 1, false, true},
                {kFrame1, huge.size() + 1, huge.size() + kFrame1.size() + 2, false, false},
                {kFinished, huge.size() + kFrame1.size() + 2, text.size(), false, false},
            }));
}

TEST(MultilineTest, BufferOfAHugeEventIsReleasedAndReusable) {
  MultilineOptions options;
  options.preset = MultilinePreset::kSpark;
  options.max_lines = 10'000;
  Reader reader(Rules(options));
  std::string huge = kLostTask;
  while (huge.size() < (200u << 10)) huge += "\n" + kFrame1;
  const std::string text = huge + "\n" + kRunning + "\n" + kFinished + "\n";
  const uint64_t a = huge.size() + 1;
  const uint64_t b = a + kRunning.size() + 1;
  EXPECT_EQ(reader.All(text), (std::vector<Out>{
                                  {huge, 0, a},
                                  {kRunning, a, b},
                                  {kFinished, b, text.size()},
                              }));
}

TEST(MultilineTest, LineTruncatedAccumulatesOverTheEvent) {
  Reader reader(Preset(MultilinePreset::kSpark));
  std::vector<Out> out = reader.Feed(kRunning + "\n");
  out = reader.Feed(kFrame1 + "\n", 0, /*truncated=*/true);
  out = reader.Feed(kFrame2 + "\n");
  out = reader.Feed(kFinished + "\n");
  const uint64_t end = kRunning.size() + kFrame1.size() + kFrame2.size() + 3;
  EXPECT_EQ(out, (std::vector<Out>{
                     {kRunning + "\n" + kFrame1 + "\n" + kFrame2, 0, end, true, false},
                 }));
  EXPECT_EQ(reader.Flush(0, true), (std::vector<Out>{
                                       {kFinished, end, end + kFinished.size() + 1, false, false},
                                   }));
}

TEST(MultilineTest, TimeoutFlushesAfterTheLastLineNotTheFirst) {
  MultilineOptions options;
  options.preset = MultilinePreset::kSpark;
  options.timeout = Duration{std::chrono::milliseconds(100)};
  Reader reader(Rules(options));
  constexpr int64_t kMs = 1'000'000;
  EXPECT_TRUE(reader.Feed(kRunning + "\n", 1000 * kMs).empty());
  EXPECT_TRUE(reader.Feed(kFrame1 + "\n", 1050 * kMs).empty());
  EXPECT_TRUE(reader.Flush(1100 * kMs, false).empty());  // 100ms after the first line only
  EXPECT_TRUE(reader.Flush(1150 * kMs - 1, false).empty());
  const std::string message = kRunning + "\n" + kFrame1;
  EXPECT_EQ(reader.Flush(1150 * kMs, false), (std::vector<Out>{{message, 0, message.size() + 1}}));
  EXPECT_FALSE(reader.aggregator().pending());
  EXPECT_TRUE(reader.Flush(2000 * kMs, false).empty());
  // A frame that arrives after the flush makes an event of its own.
  EXPECT_TRUE(reader.Feed(kFrame2 + "\n", 2000 * kMs).empty());
  EXPECT_EQ(reader.Flush(2100 * kMs, false),
            (std::vector<Out>{{kFrame2, message.size() + 1, message.size() + kFrame2.size() + 2}}));
}

TEST(MultilineTest, ForceFlushHandsOutAtOnce) {
  Reader reader(Preset(MultilinePreset::kSpark));
  EXPECT_TRUE(reader.Flush(0, true).empty());  // nothing pending
  EXPECT_TRUE(reader.Feed(kLostTask + "\n", 5).empty());
  EXPECT_TRUE(reader.Flush(5, false).empty());
  EXPECT_EQ(reader.Flush(5, true), (std::vector<Out>{{kLostTask, 0, kLostTask.size() + 1}}));
  EXPECT_TRUE(reader.Flush(5, true).empty());
}

TEST(MultilineTest, DisabledRulesPassLinesThroughUncopied) {
  auto rules = Preset(MultilinePreset::kNone);
  EXPECT_FALSE(rules->Enabled());
  MultilineAggregator aggregator(rules);
  const std::string line = kFrame1;
  std::vector<MultilineEvent> seen;
  aggregator.Push(line, 100, 100 + line.size() + 1, true, 0,
                  [&](const MultilineEvent& e) { seen.push_back(e); });
  aggregator.Push(kFinished, 200, 200 + kFinished.size() + 2, false, 0,
                  [&](const MultilineEvent& e) { seen.push_back(e); });
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].message.data(), line.data());
  EXPECT_EQ(seen[0].message.size(), line.size());
  EXPECT_EQ(seen[0].begin_offset, 100u);
  EXPECT_EQ(seen[0].end_offset, 100 + line.size() + 1);
  EXPECT_TRUE(seen[0].line_truncated);
  EXPECT_FALSE(seen[0].multiline_truncated);
  EXPECT_EQ(seen[1].message.data(), kFinished.data());
  EXPECT_EQ(seen[1].end_offset, 200 + kFinished.size() + 2);  // e.g. a CRLF line
  EXPECT_FALSE(aggregator.pending());

  Reader reader(Preset(MultilinePreset::kNone));
  const std::string text = kRunning + "\n" + kFrame1 + "\n";
  EXPECT_EQ(reader.Feed(text), (std::vector<Out>{
                                   {kRunning, 0, kRunning.size() + 1},
                                   {kFrame1, kRunning.size() + 1, text.size()},
                               }));
}

TEST(MultilineTest, ContinuationFirstInTheFileStartsAnEvent) {
  // The file begins in the middle of a trace (e.g. it was rotated there).
  Reader reader(Preset(MultilinePreset::kSpark));
  const std::string orphan = kFrame3 + "\n" + kFrame4 + "\n\t... 12 more";
  const std::string text = orphan + "\n" + kFinished + "\n";
  EXPECT_EQ(reader.All(text), (std::vector<Out>{
                                  {orphan, 0, orphan.size() + 1},
                                  {kFinished, orphan.size() + 1, text.size()},
                              }));

  Reader java(Preset(MultilinePreset::kJava));
  EXPECT_EQ(java.All(orphan + "\n"), (std::vector<Out>{{orphan, 0, orphan.size() + 1}}));
}

// Parses `yaml` (the options map of `multiline:`) through the schema; returns the options and
// puts the errors, one a line, in `errors`.
MultilineOptions Parse(const std::string& yaml, std::string* errors) {
  const std::string file = "t.yaml";
  config::EnvLookup env = [](const std::string&) -> std::optional<std::string> {
    return std::nullopt;
  };
  config::Diagnostics diags;
  config::NodeReader reader(YAML::Load(yaml), file, "multiline", diags, env);
  MultilineOptions options;
  MultilineOptions::Schema().Parse(reader, &options, "multiline");
  *errors = diags.ToString();
  return options;
}

TEST(MultilineOptionsTest, ParsesEveryOption) {
  std::string errors;
  MultilineOptions o = Parse(
      "preset: java\nstart: '^\\d{4}-'\ncontinuation: '^\\s'\nmax_lines: 50\n"
      "max_bytes: 64KiB\ntimeout: 500ms\n",
      &errors);
  EXPECT_EQ(errors, "");
  EXPECT_EQ(o.preset, MultilinePreset::kJava);
  EXPECT_EQ(o.start.source(), R"(^\d{4}-)");
  EXPECT_EQ(o.continuation.source(), R"(^\s)");
  EXPECT_EQ(o.max_lines, 50);
  EXPECT_EQ(o.max_bytes.bytes, 64u << 10);
  EXPECT_EQ(o.timeout.value, std::chrono::milliseconds(500));

  auto rules = Rules(o);
  EXPECT_EQ(rules->max_lines(), 50u);
  EXPECT_EQ(rules->max_bytes(), 64u << 10);
  EXPECT_EQ(rules->timeout_ns(), 500'000'000);
}

TEST(MultilineOptionsTest, DefaultsAreDisabled) {
  std::string errors;
  MultilineOptions o = Parse("{}", &errors);
  EXPECT_EQ(errors, "");
  EXPECT_EQ(o.preset, MultilinePreset::kNone);
  EXPECT_TRUE(o.start.empty());
  EXPECT_TRUE(o.continuation.empty());
  auto rules = Rules(o);
  EXPECT_FALSE(rules->Enabled());
  EXPECT_EQ(rules->max_lines(), 500u);
  EXPECT_EQ(rules->max_bytes(), 1u << 20);
  EXPECT_EQ(rules->timeout_ns(), 2'000'000'000);
}

// A bad pattern or preset is rejected where the config writes it, once: what parsing accepted
// makes rules without another check.
TEST(MultilineOptionsTest, BadPatternsAndPresetsAreRejectedWhereWritten) {
  struct Case {
    std::string yaml;
    std::string errors;
  };
  const Case kCases[] = {
      {"preset: spark\nstart: '^(\\d{2}/'\n",
       "t.yaml:2:8: multiline.start: bad regular expression '^(\\d{2}/': missing ): ^(\\d{2}/\n"},
      {"continuation: '^\\s+at |[z-a]'\n",
       "t.yaml:1:15: multiline.continuation: bad regular expression '^\\s+at |[z-a]': invalid "
       "character class range: z-a\n"},
      {"start: '^('\n",
       "t.yaml:1:8: multiline.start: bad regular expression '^(': missing ): ^(\n"},
      {"preset: sprk\n",
       "t.yaml:1:9: multiline.preset: expected one of none, spark, java; got 'sprk'; did you mean "
       "'spark'?\n"},
      // Swapped letters count as one edit.
      {"preset: sprak\n",
       "t.yaml:1:9: multiline.preset: expected one of none, spark, java; got 'sprak'; did you "
       "mean 'spark'?\n"},
      {"preset: python\n",
       "t.yaml:1:9: multiline.preset: expected one of none, spark, java; got 'python'\n"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.yaml);
    std::string errors;
    Parse(c.yaml, &errors);
    EXPECT_EQ(errors, c.errors);
  }

  Result<config::Regex> bad = config::Regex::Compile("^(");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "bad regular expression '^(': missing ): ^(");
}

TEST(MultilineOptionsTest, PresetPatternsCompile) {
  EXPECT_TRUE(config::Regex::Compile(kSparkStart).ok());
  EXPECT_TRUE(config::Regex::Compile(kJavaContinuation).ok());
}

TEST(MultilineOptionsTest, LimitsAreEnforced) {
  std::string errors;
  Parse("max_lines: 0\nmax_bytes: 512\ntimeout: 0s\n", &errors);
  EXPECT_EQ(errors,
            "t.yaml:1:12: multiline.max_lines: must be at least 1, got 0\n"
            "t.yaml:2:12: multiline.max_bytes: must be at least 1KiB, got 512\n"
            "t.yaml:3:10: multiline.timeout: must be at least 1ms, got 0s\n");
}

TEST(MultilineOptionsTest, EveryOptionIsDocumented) {
  for (const config::OptionInfo& info : MultilineOptions::Schema().infos()) {
    EXPECT_GT(info.doc.size(), 40u) << info.key;
    EXPECT_EQ(info.doc.back(), '.') << info.key;
  }
  EXPECT_EQ(MultilineOptions::Schema().keys(),
            (std::vector<std::string>{"preset", "start", "continuation", "max_lines", "max_bytes",
                                      "timeout"}));
}

}  // namespace
}  // namespace sluice::common
