// The pipeline runtime with test plugins: order, acks, checkpoints, backpressure, drain.
#include "pipeline/pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "pipeline/clock.h"
#include "pipeline/registry.h"
#include "pipeline/thread_name.h"
#include "tests/unit/test_util.h"

namespace sluice {
namespace {

using sluice::testing::WaitUntil;

// The schema of a test plugin's Options: no declared options.
template <typename Options>
const config::OptionSchema<Options>& NoOptions() {
  static const config::OptionSchema<Options> schema;
  return schema;
}

// Emits `batches` batches of `events_per_batch` events from one source (or forever when
// batches == 0), each event's message its sequence number; records the commits it sees.
class CountingInput final : public Input {
 public:
  struct Options {
    static const config::OptionSchema<Options>& Schema() { return NoOptions<Options>(); }
    int64_t batches = 10;
    int64_t events_per_batch = 10;
    int64_t message_bytes = 8;
  };
  static inline std::atomic<CountingInput*> last{nullptr};
  static Result<std::unique_ptr<CountingInput>> Build(const Options& o, PluginContext&) {
    auto in = std::make_unique<CountingInput>(o);
    last = in.get();
    return in;
  }
  explicit CountingInput(const Options& o) : options_(o) {}
  ~CountingInput() override { Join(); }

  Status Start(InputContext& ctx) override {
    fields_unread = ctx.fields_unread();
    source_ = ctx.AddSource("counting", [this](uint64_t cp) {
      std::lock_guard lock(mu_);
      commits_.push_back(cp);
    });
    thread_ = std::thread([this, &ctx] {
      uint64_t seq = 0;
      for (int64_t b = 0; options_.batches == 0 || b < options_.batches; ++b) {
        if (ctx.stopping()) return;
        EventBatch batch;
        for (int64_t i = 0; i < options_.events_per_batch; ++i) {
          std::string m = std::to_string(seq++);
          m.resize(std::max<size_t>(m.size(), options_.message_bytes), ' ');
          batch.Add(0, m);
        }
        if (!ctx.Emit(std::move(batch), source_, seq)) return;
        emitted_batches++;
      }
      ctx.Finished();
    });
    return Status::Ok();
  }
  void Stop() override {}
  void Join() override {
    if (thread_.joinable()) thread_.join();
  }
  std::vector<uint64_t> commits() {
    std::lock_guard lock(mu_);
    return commits_;
  }
  std::atomic<int64_t> emitted_batches{0};
  bool fields_unread = false;  // what Start() was told

 private:
  Options options_;
  std::shared_ptr<SourceTracker> source_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<uint64_t> commits_;
};

// Keeps every ack; the test decides when (and in which order) to ack. Records the messages seen.
class HoldingOutput final : public Output {
 public:
  struct Options {
    bool auto_ack = false;
    bool ack_on_drain = false;  // an accumulating output: acks only when drained entirely
    bool reads_fields = true;
    static const config::OptionSchema<Options>& Schema() { return NoOptions<Options>(); }
  };
  static inline std::atomic<HoldingOutput*> last{nullptr};
  static inline std::vector<HoldingOutput*> built;  // Pipeline::Build is single-threaded
  static Result<std::unique_ptr<HoldingOutput>> Build(const Options& o, PluginContext&) {
    auto out = std::make_unique<HoldingOutput>(o);
    last = out.get();
    built.push_back(out.get());
    return out;
  }
  explicit HoldingOutput(const Options& o) : options_(o) {}

  void Write(const EventBatch& batch, AckHandle ack) override {
    std::lock_guard lock(mu_);
    thread_name_ = ThisThreadName();
    for (const Event& e : batch.events()) messages_.emplace_back(e.message());
    if (options_.auto_ack) {
      ack.Ack();
    } else {
      held_.push_back(std::move(ack));
    }
    writes++;
  }
  void Drain(bool all) override {
    if (options_.ack_on_drain && all) AckAllReversed();
  }
  bool reads_fields() const override { return options_.reads_fields; }
  size_t held() {
    std::lock_guard lock(mu_);
    return held_.size();
  }
  // Acks the held batches, newest first (the worst order for a checkpoint).
  void AckAllReversed() {
    std::vector<AckHandle> acks;
    {
      std::lock_guard lock(mu_);
      acks.swap(held_);
    }
    for (auto it = acks.rbegin(); it != acks.rend(); ++it) it->Ack();
  }
  std::vector<std::string> messages() {
    std::lock_guard lock(mu_);
    return messages_;
  }
  std::string thread_name() {
    std::lock_guard lock(mu_);
    return thread_name_;
  }
  std::atomic<int> writes{0};

 private:
  Options options_;
  std::mutex mu_;
  std::string thread_name_;  // of the last Write()
  std::vector<AckHandle> held_;
  std::vector<std::string> messages_;
};

// Drops the events whose message is an odd number.
class DropOddFilter final : public Filter {
 public:
  struct Options {
    static const config::OptionSchema<Options>& Schema() { return NoOptions<Options>(); }
  };
  static Result<std::unique_ptr<DropOddFilter>> Build(const Options&, PluginContext&) {
    return std::make_unique<DropOddFilter>();
  }
  // The names of the threads that ran Apply().
  static std::set<std::string> ThreadNames() {
    std::lock_guard lock(names_mu_);
    return thread_names_;
  }
  FilterResult Apply(Event& e) override {
    {
      std::lock_guard lock(names_mu_);
      thread_names_.insert(ThisThreadName());
    }
    return std::stoi(std::string(e.message())) % 2 == 1 ? FilterResult::kDropped
                                                        : FilterResult::kMatched;
  }

 private:
  static inline std::mutex names_mu_;
  static inline std::set<std::string> thread_names_;
};

// Holds the batch that starts with event "0" until a later batch has been filtered by another
// worker: forces out-of-order completion, which the pipeline must undo before the outputs.
class HoldFirstFilter final : public Filter {
 public:
  struct Options {
    static const config::OptionSchema<Options>& Schema() { return NoOptions<Options>(); }
  };
  static inline std::atomic<int> later_batches{0};
  static inline std::atomic<bool> timed_out{false};
  static Result<std::unique_ptr<HoldFirstFilter>> Build(const Options&, PluginContext&) {
    return std::make_unique<HoldFirstFilter>();
  }
  FilterResult Apply(Event& e) override {
    if (e.message().starts_with("0 ")) {
      if (!testing::WaitUntil([] { return later_batches > 0; })) timed_out = true;
    } else if (e.message().starts_with("10 ")) {
      later_batches++;
    }
    return FilterResult::kMatched;
  }
};

// Holds every event until `open` is set.
class GateFilter final : public Filter {
 public:
  struct Options {
    static const config::OptionSchema<Options>& Schema() { return NoOptions<Options>(); }
  };
  static inline std::atomic<bool> open{false};
  static Result<std::unique_ptr<GateFilter>> Build(const Options&, PluginContext&) {
    return std::make_unique<GateFilter>();
  }
  FilterResult Apply(Event&) override {
    testing::WaitUntil([] { return open.load(); });
    return FilterResult::kMatched;
  }
};

const TypedFactory<CountingInput, PluginKind::kInput> kInputFactory(PluginKind::kInput, "counting",
                                                                    "");
const TypedFactory<HoldingOutput, PluginKind::kOutput> kOutputFactory(PluginKind::kOutput,
                                                                      "holding", "");
const TypedFactory<DropOddFilter, PluginKind::kFilter> kFilterFactory(PluginKind::kFilter,
                                                                      "drop_odd", "");
const TypedFactory<HoldFirstFilter, PluginKind::kFilter> kHoldFirstFactory(PluginKind::kFilter,
                                                                           "hold_first", "");
const TypedFactory<GateFilter, PluginKind::kFilter> kGateFactory(PluginKind::kFilter, "gate", "");

class PipelineTest : public ::testing::Test {
 protected:
  void Configure(CountingInput::Options in, HoldingOutput::Options out, bool with_filter = false,
                 uint64_t max_inflight = 64 << 20, std::string workers = "2") {
    config_.name = "p";
    config_.options.max_inflight_bytes = ByteSize{max_inflight};
    config_.options.workers = workers;
    config_.inputs.push_back(config::PluginConfig{PluginKind::kInput,
                                                  "counting",
                                                  "in",
                                                  &kInputFactory,
                                                  std::make_shared<CountingInput::Options>(in),
                                                  {}});
    if (with_filter) {
      config_.filters.push_back(config::PluginConfig{PluginKind::kFilter,
                                                     "drop_odd",
                                                     "f",
                                                     &kFilterFactory,
                                                     std::make_shared<DropOddFilter::Options>(),
                                                     {}});
    }
    config_.outputs.push_back(config::PluginConfig{PluginKind::kOutput,
                                                   "holding",
                                                   "out",
                                                   &kOutputFactory,
                                                   std::make_shared<HoldingOutput::Options>(out),
                                                   {}});
    pipeline_ = std::make_unique<Pipeline>(config_, process_, metrics_, [this] { finished_++; });
    ASSERT_TRUE(pipeline_->Build().ok());
    ASSERT_TRUE(pipeline_->Start().ok());
    input_ = CountingInput::last;
    output_ = HoldingOutput::last;
  }
  // A `gate` filter, closed, ahead of Configure().
  void AddGateFilter() {
    GateFilter::open = false;
    config_.filters.push_back(config::PluginConfig{PluginKind::kFilter,
                                                   "gate",
                                                   "gate",
                                                   &kGateFactory,
                                                   std::make_shared<GateFilter::Options>(),
                                                   {}});
  }
  uint64_t Metric(const std::string& name, const std::string& id) {
    for (const auto& s : metrics_.Snapshot()) {
      if (s.name != name) continue;
      for (const auto& [k, v] : s.labels) {
        if (k == "id" && v == id) return static_cast<uint64_t>(s.value);
      }
    }
    return 0;
  }

  config::PipelineConfig config_;
  config::ProcessOptions process_;
  MetricsRegistry metrics_;
  std::unique_ptr<Pipeline> pipeline_;
  std::atomic<int> finished_{0};
  CountingInput* input_ = nullptr;
  HoldingOutput* output_ = nullptr;
};

TEST_F(PipelineTest, DeliversEverythingInSourceOrderAndFinishes) {
  Configure({.batches = 50, .events_per_batch = 20}, {.auto_ack = true}, false, 64 << 20, "4");
  ASSERT_TRUE(WaitUntil([&] { return finished_ == 1; }));
  pipeline_->JoinInputs();
  ASSERT_TRUE(pipeline_->WaitDrained(10'000));
  ASSERT_TRUE(pipeline_->Close().ok());
  std::vector<std::string> got = output_->messages();
  ASSERT_EQ(got.size(), 1000u);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(std::stoul(got[i]), i);
  EXPECT_EQ(input_->commits().back(), 1000u);
  EXPECT_EQ(Metric("sluice_component_sent_events_total", "in"), 1000u);
  EXPECT_EQ(Metric("sluice_component_received_events_total", "out"), 1000u);
  EXPECT_EQ(Metric("sluice_component_sent_events_total", "out"), 1000u);
  // Every batch's acknowledgement latency was observed once.
  double observed = -1;
  for (const auto& s : metrics_.Snapshot()) {
    if (s.name == "sluice_pipeline_ack_seconds_count") observed = s.value;
  }
  EXPECT_EQ(observed, 50);
}

// top -H and perf show which output or worker a thread is.
TEST_F(PipelineTest, OutputAndWorkerThreadsAreNamed) {
  Configure({.batches = 20, .events_per_batch = 10}, {.auto_ack = true}, true, 64 << 20, "2");
  ASSERT_TRUE(WaitUntil([&] { return finished_ == 1; }));
  pipeline_->JoinInputs();
  ASSERT_TRUE(pipeline_->WaitDrained(10'000));
  ASSERT_TRUE(pipeline_->Close().ok());
  EXPECT_EQ(output_->thread_name(), "out:out");
  std::set<std::string> names = DropOddFilter::ThreadNames();
  ASSERT_FALSE(names.empty());
  for (const std::string& name : names) {
    EXPECT_TRUE(name == "filter0:p" || name == "filter1:p") << name;
  }
}

TEST_F(PipelineTest, OneSourceIsFilteredInParallelAndDeliveredInOrder) {
  HoldFirstFilter::later_batches = 0;
  config_.filters.push_back(config::PluginConfig{PluginKind::kFilter,
                                                 "hold_first",
                                                 "hold",
                                                 &kHoldFirstFactory,
                                                 std::make_shared<HoldFirstFilter::Options>(),
                                                 {}});
  // Batch 0 (events 0-9) waits in one worker until batch 1 (events 10-19) went through another.
  Configure({.batches = 20, .events_per_batch = 10}, {.auto_ack = true}, false, 64 << 20, "2");
  ASSERT_TRUE(WaitUntil([&] { return finished_ == 1; }));
  pipeline_->JoinInputs();
  ASSERT_TRUE(pipeline_->WaitDrained(10'000));
  ASSERT_TRUE(pipeline_->Close().ok());
  EXPECT_FALSE(HoldFirstFilter::timed_out.load()) << "batch 1 was not filtered in parallel";
  EXPECT_EQ(HoldFirstFilter::later_batches.load(), 1);
  std::vector<std::string> got = output_->messages();
  ASSERT_EQ(got.size(), 200u);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(std::stoul(got[i]), i);
  EXPECT_EQ(input_->commits().back(), 200u);
}

TEST_F(PipelineTest, CheckpointWaitsForTheAckAndAdvancesInOrder) {
  Configure({.batches = 5, .events_per_batch = 3}, {.auto_ack = false});
  ASSERT_TRUE(WaitUntil([&] { return output_->held() == 5; }));
  EXPECT_TRUE(input_->commits().empty());  // nothing acked: nothing committed
  output_->AckAllReversed();
  ASSERT_TRUE(pipeline_->WaitDrained(10'000));
  // Acks arrived newest first; the checkpoint jumps once, to the end, and never backwards.
  EXPECT_EQ(input_->commits(), std::vector<uint64_t>({15}));
  pipeline_->JoinInputs();
  EXPECT_TRUE(pipeline_->Close().ok());
}

TEST_F(PipelineTest, BackpressureBoundsInflightBytesWhenTheOutputStalls) {
  const uint64_t kLimit = 256 * 1024;
  // 100 events of 1000 bytes: ~100 KiB+ per batch; the input would emit forever.
  Configure({.batches = 0, .events_per_batch = 100, .message_bytes = 1000}, {.auto_ack = false},
            false, kLimit);
  ASSERT_TRUE(WaitUntil([&] { return pipeline_->limiter().blocked_count() > 0; }));
  // The input is blocked; wait until what it emitted has reached the output.
  ASSERT_TRUE(WaitUntil([&] { return output_->held() == pipeline_->limiter().batches(); }));
  int64_t emitted = input_->emitted_batches;
  size_t held = output_->held();
  // The input is blocked: what is in flight stays under the bound (plus at most one batch).
  EXPECT_LE(pipeline_->limiter().bytes(), kLimit + 200 * 1024);
  EXPECT_LE(emitted, 3);
  EXPECT_EQ(static_cast<size_t>(emitted), pipeline_->limiter().batches());
  // Releasing the output lets the input go on.
  output_->AckAllReversed();
  ASSERT_TRUE(WaitUntil([&] { return output_->held() > 0 && input_->emitted_batches > emitted; }));
  EXPECT_GT(input_->emitted_batches.load(), emitted);
  EXPECT_GE(held, 1u);
  // Nothing was dropped: every event the input emitted reached the output, in order.
  pipeline_->StopInputs();
  std::atomic<bool> joined{false};
  std::thread joiner([&] {
    pipeline_->JoinInputs();
    joined = true;
  });
  while (!joined || pipeline_->limiter().batches() > 0) {
    output_->AckAllReversed();
    std::this_thread::yield();
  }
  joiner.join();
  ASSERT_TRUE(pipeline_->WaitDrained(10'000));
  EXPECT_TRUE(pipeline_->Close().ok());
  std::vector<std::string> got = output_->messages();
  ASSERT_EQ(got.size(), static_cast<size_t>(input_->emitted_batches) * 100);
  for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(std::stoul(got[i]), i);
}

TEST_F(PipelineTest, DrainTimesOutWhileAnOutputHoldsAcksAndAbortReleasesTheInput) {
  Configure({.batches = 0, .events_per_batch = 100, .message_bytes = 1000}, {.auto_ack = false},
            false, 256 * 1024);
  ASSERT_TRUE(WaitUntil([&] { return pipeline_->limiter().blocked_count() > 0; }));
  pipeline_->StopInputs();
  EXPECT_FALSE(pipeline_->WaitDrained(50));
  EXPECT_NE(pipeline_->DescribeInflight().find("not acked"), std::string::npos);
  pipeline_->Abort();
  pipeline_->JoinInputs();  // returns: the blocked Emit gave up
  EXPECT_TRUE(input_->commits().empty());
  ASSERT_TRUE(WaitUntil([&] { return output_->held() == pipeline_->limiter().batches(); }));
  output_->AckAllReversed();
  EXPECT_TRUE(pipeline_->WaitDrained(10'000));
  EXPECT_TRUE(pipeline_->Close().ok());
}

// A drain requested while a batch is still in a filter also hands over that batch when it reaches
// the output (shutdown of a pipeline whose output acks only when it closes an object).
TEST_F(PipelineTest, ADrainCoversBatchesThatReachTheOutputAfterItWasRequested) {
  AddGateFilter();
  Configure({.batches = 3, .events_per_batch = 5}, {.ack_on_drain = true});
  ASSERT_TRUE(WaitUntil([&] { return finished_ == 1; }));
  pipeline_->JoinInputs();
  auto drained = std::async(std::launch::async, [&] { return pipeline_->WaitDrained(10'000); });
  ASSERT_TRUE(WaitUntil([&] { return pipeline_->draining(); }));
  EXPECT_EQ(output_->writes.load(), 0);
  GateFilter::open = true;
  EXPECT_TRUE(drained.get());
  EXPECT_EQ(output_->writes.load(), 3);
  EXPECT_EQ(output_->held(), 0u);
  EXPECT_EQ(input_->commits().back(), 15u);
  EXPECT_FALSE(pipeline_->draining());
  EXPECT_TRUE(pipeline_->Close().ok());
}

// A filter worker held on one batch longer than the stall limit is reported (the systemd
// watchdog stops pinging); once it moves on, nothing is.
TEST_F(PipelineTest, AWorkerStuckOnABatchIsReportedAsAStall) {
  AddGateFilter();
  Configure({.batches = 1, .events_per_batch = 5}, {.auto_ack = true});
  EXPECT_EQ(pipeline_->DescribeStalls(MonoNs(), int64_t{60'000'000'000}), "");
  std::string stalls;
  ASSERT_TRUE(WaitUntil([&] {
    stalls = pipeline_->DescribeStalls(MonoNs(), 50'000'000);
    return !stalls.empty();
  }));
  EXPECT_TRUE(stalls.starts_with("pipeline 'p': filter worker ")) << stalls;
  EXPECT_NE(stalls.find(" busy on one batch for "), std::string::npos) << stalls;
  GateFilter::open = true;
  ASSERT_TRUE(WaitUntil([&] { return finished_ == 1 && output_->writes.load() == 1; }));
  EXPECT_TRUE(WaitUntil([&] { return pipeline_->DescribeStalls(MonoNs(), 0).empty(); }));
  pipeline_->JoinInputs();
  EXPECT_TRUE(pipeline_->WaitDrained(10'000));
  EXPECT_TRUE(pipeline_->Close().ok());
}

TEST_F(PipelineTest, DroppedEventsAreCountedAndTheirCheckpointStillAdvances) {
  Configure({.batches = 10, .events_per_batch = 10}, {.auto_ack = true}, true);
  ASSERT_TRUE(WaitUntil([&] { return finished_ == 1; }));
  pipeline_->JoinInputs();
  ASSERT_TRUE(pipeline_->WaitDrained(10'000));
  ASSERT_TRUE(pipeline_->Close().ok());
  std::vector<std::string> got = output_->messages();
  ASSERT_EQ(got.size(), 50u);
  for (const auto& m : got) EXPECT_EQ(std::stoi(m) % 2, 0);
  EXPECT_EQ(Metric("sluice_component_received_events_total", "f"), 100u);
  EXPECT_EQ(Metric("sluice_component_sent_events_total", "f"), 50u);
  EXPECT_EQ(Metric("sluice_component_discarded_events_total", "f"), 50u);
  EXPECT_EQ(input_->commits().back(), 100u);
}

// An input may carry documents through (InputContext::fields_unread) only when no filter, no
// output condition and no output reads the events' fields.
TEST_F(PipelineTest, FieldsAreUnreadOnlyWithoutFiltersConditionsOrOutputsThatReadThem) {
  const struct {
    std::string name;
    bool filter;
    bool reads;
    const char* when;
    bool unread;
  } cases[] = {
      {"nothing reads", false, false, nullptr, true},
      {"a filter", true, false, nullptr, false},
      {"an output reads", false, true, nullptr, false},
      {"an output's when", false, false, "message == \"x\"", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    config_ = {};
    finished_ = 0;
    if (c.when != nullptr) {
      config_.outputs.push_back(
          config::PluginConfig{PluginKind::kOutput,
                               "holding",
                               "selective",
                               &kOutputFactory,
                               std::make_shared<HoldingOutput::Options>(
                                   HoldingOutput::Options{.auto_ack = true, .reads_fields = false}),
                               std::make_shared<const Condition>(Condition::Parse(c.when).value()),
                               {}});
    }
    Configure({.batches = 1}, {.auto_ack = true, .reads_fields = c.reads}, c.filter);
    EXPECT_EQ(input_->fields_unread, c.unread);
    ASSERT_TRUE(WaitUntil([&] { return finished_ == 1; }));
    pipeline_->JoinInputs();
    ASSERT_TRUE(pipeline_->WaitDrained(10'000));
    ASSERT_TRUE(pipeline_->Close().ok());
    pipeline_.reset();
  }
}

TEST_F(PipelineTest, WhenSelectsTheEventsAFilterAppliesToAndAnOutputReceives) {
  auto when = [](const char* text) {
    return std::make_shared<const Condition>(Condition::Parse(text).value());
  };
  // Only events starting with "1" meet drop_odd: 1, 11, 13, 15, 17, 19 go.
  config_.filters.push_back(config::PluginConfig{PluginKind::kFilter,
                                                 "drop_odd",
                                                 "f",
                                                 &kFilterFactory,
                                                 std::make_shared<DropOddFilter::Options>(),
                                                 when("message =~ /^1/"),
                                                 {}});
  // An output that wants the events starting with "2" (2, 20-29), one that wants none.
  config_.outputs.push_back(config::PluginConfig{
      PluginKind::kOutput,
      "holding",
      "twos",
      &kOutputFactory,
      std::make_shared<HoldingOutput::Options>(HoldingOutput::Options{.auto_ack = true}),
      when("message =~ /^2/"),
      {}});
  config_.outputs.push_back(config::PluginConfig{
      PluginKind::kOutput,
      "holding",
      "none",
      &kOutputFactory,
      std::make_shared<HoldingOutput::Options>(HoldingOutput::Options{.auto_ack = true}),
      when("message == \"nothing\""),
      {}});
  HoldingOutput::built.clear();
  Configure({.batches = 10, .events_per_batch = 10}, {.auto_ack = true});
  ASSERT_EQ(HoldingOutput::built.size(), 3u);
  HoldingOutput* twos = HoldingOutput::built[0];
  HoldingOutput* none = HoldingOutput::built[1];
  ASSERT_TRUE(WaitUntil([&] { return finished_ == 1; }));
  pipeline_->JoinInputs();
  ASSERT_TRUE(pipeline_->WaitDrained(10'000));
  ASSERT_TRUE(pipeline_->Close().ok());
  std::vector<std::string> all = output_->messages();
  EXPECT_EQ(all.size(), 94u);
  for (const char* gone : {"1", "11", "13", "19"}) {
    EXPECT_EQ(std::count_if(all.begin(), all.end(),
                            [&](const std::string& m) { return std::stoi(m) == std::stoi(gone); }),
              0)
        << gone;
  }
  std::vector<std::string> got = twos->messages();
  ASSERT_EQ(got.size(), 11u);
  EXPECT_EQ(std::stoi(got[0]), 2);
  for (size_t i = 1; i < got.size(); ++i) EXPECT_EQ(std::stoi(got[i]), 19 + static_cast<int>(i));
  EXPECT_TRUE(none->messages().empty());
  EXPECT_EQ(input_->commits().back(), 100u);  // every output acked (or had nothing to ack)
  auto outcome = [&](const std::string& want) {
    for (const auto& m : metrics_.Snapshot()) {
      if (m.name != "sluice_filter_events_total") continue;
      for (const auto& [k, v] : m.labels) {
        if (k == "outcome" && v == want) return static_cast<uint64_t>(m.value);
      }
    }
    return uint64_t{0};
  };
  EXPECT_EQ(outcome("matched"), 5u);  // 10, 12, 14, 16, 18
  EXPECT_EQ(outcome("dropped"), 6u);
  EXPECT_EQ(outcome("skipped"), 89u);  // not selected by when:
  EXPECT_EQ(Metric("sluice_component_sent_events_total", "twos"), 11u);
  EXPECT_EQ(Metric("sluice_component_sent_events_total", "none"), 0u);
}

TEST_F(PipelineTest, AHandleDroppedWithoutAckFailsTheBatch) {
  Configure({.batches = 3, .events_per_batch = 1}, {.auto_ack = false});
  ASSERT_TRUE(WaitUntil([&] { return output_->held() == 3; }));
  pipeline_->JoinInputs();
  ASSERT_TRUE(pipeline_->Close().ok());
  EXPECT_TRUE(input_->commits().empty());
  pipeline_.reset();  // destroys the output and the handles it held without acking
  double failed = -1, acked = -1;
  for (const auto& s : metrics_.Snapshot()) {
    if (s.name == "sluice_pipeline_failed_batches_total") failed = s.value;
    if (s.name == "sluice_pipeline_acked_batches_total") acked = s.value;
  }
  EXPECT_EQ(failed, 3);
  EXPECT_EQ(acked, 0);
}

}  // namespace
}  // namespace sluice
