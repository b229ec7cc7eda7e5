#include "plugins/inputs/generate/generate_input.h"

#include <charconv>
#include <chrono>

#include "pipeline/thread_name.h"
#include "plugins/inputs/generate/generate_spark_log.h"

namespace sluice::inputs {

SLUICE_REGISTER_INPUT(
    GenerateInput, "generate",
    "Synthetic Spark log4j records (with stack traces), for demos and benchmarks.");

const config::OptionSchema<GenerateInput::Options>& GenerateInput::Options::Schema() {
  static const auto* schema =
      &(*new config::OptionSchema<Options>())
           .Add("count", &Options::count,
                "Events to generate before finishing; 0 generates until stopped.", {.min = 0})
           .Add("rate", &Options::rate, "Events per second; 0 generates as fast as possible.",
                {.min = 0})
           .Add("seed", &Options::seed, "Random seed: the same seed gives the same events.")
           .Add("stack_trace_ratio", &Options::stack_trace_ratio,
                "Fraction of events that are WARN/ERROR records with a multi-line Java stack "
                "trace.",
                {.min = 0.0, .max = 1.0})
           .Add("batch_events", &Options::batch_events, "Events per batch.", {.min = 1})
           .Add("host", &Options::host, "Value of the `host.name` field.")
           .Add("fields", &Options::fields,
                "Add `log.level`, `log.logger`, `host.name`, `log.file.path` and `spark.app_id`, "
                "as a file input plus a Spark parser would; false sends the raw message only.")
           .Add("resume", &Options::resume,
                "Continue after the events acked before a restart (the checkpoint in data_dir) "
                "instead of starting over; `count` counts from the very first start.");
  return *schema;
}

Result<std::unique_ptr<GenerateInput>> GenerateInput::Build(const Options& options,
                                                            PluginContext& context) {
  return std::make_unique<GenerateInput>(options, context);
}

GenerateInput::GenerateInput(const Options& options, PluginContext& context)
    : options_(options),
      plugin_(context),
      app_id_("application_1496953840000_" +
              std::to_string(1 + static_cast<uint64_t>(options.seed) % 9000)),
      path_("/var/log/hadoop-yarn/containers/" + app_id_ + "/container_" + app_id_.substr(12) +
            "_01_000002/stderr") {}

GenerateInput::~GenerateInput() {
  Stop();
  Join();
}

Status GenerateInput::Start(InputContext& context) {
  thread_ = std::thread([this, &context] {
    NameThisThread("in", plugin_.id);
    Run(context);
  });
  return Status::Ok();
}

void GenerateInput::Join() {
  if (thread_.joinable()) thread_.join();
}

void GenerateInput::Run(InputContext& context) {
  CheckpointStore* store = plugin_.checkpoints;
  std::shared_ptr<SourceTracker> source = context.AddSource("generate", [store](uint64_t acked) {
    if (store != nullptr) store->Set("acked_events", std::to_string(acked));
  });
  uint64_t skip = 0;
  if (options_.resume && store != nullptr) {
    if (auto acked = store->Get("acked_events")) {
      auto [end, ec] = std::from_chars(acked->data(), acked->data() + acked->size(), skip);
      if (ec != std::errc() || end != acked->data() + acked->size()) {
        plugin_.logger.Warn("ignoring a bad checkpoint '{}': starting over", *acked);
        skip = 0;
      }
    }
  }
  generate::SparkLogGenerator::Options gen_options;
  gen_options.seed = static_cast<uint64_t>(options_.seed);
  gen_options.stack_trace_ratio = options_.stack_trace_ratio;
  generate::SparkLogGenerator generator(gen_options);

  const auto start = std::chrono::steady_clock::now();
  const uint64_t count = static_cast<uint64_t>(options_.count);
  const size_t batch_events = static_cast<size_t>(options_.batch_events);
  std::string record;
  for (uint64_t i = 0; i < skip;
       ++i) {  // the same seed replays the same sequence: skip what was acked
    record.clear();
    generator.Next(record);
  }
  uint64_t produced = skip;
  if (skip > 0) plugin_.logger.Info("resuming after {} acked events", skip);
  while (!stop_ && (count == 0 || produced < count)) {
    EventBatch batch(batch_events);
    size_t n = batch_events;
    if (count != 0) n = std::min<uint64_t>(n, count - produced);
    if (options_.rate > 0) n = std::min<uint64_t>(n, std::max<int64_t>(1, options_.rate / 10));
    for (size_t i = 0; i < n; ++i) {
      record.clear();
      std::string_view level;
      int64_t ts = generator.Next(record, &level);
      Event& e = batch.Add(ts, record);
      e.metadata().offset = produced + i;
      if (!options_.fields) continue;
      // "yy/MM/dd HH:mm:ss LEVEL logger: message": the logger follows the level.
      std::string_view msg = e.message();
      size_t logger_start = 18 + level.size() + 1;
      size_t colon = msg.find(": ", logger_start);
      e.SetView("log.level", Value::String(level));
      if (colon != std::string_view::npos) {
        e.SetView("log.logger", Value::String(msg.substr(logger_start, colon - logger_start)));
      }
      e.SetView("host.name", Value::String(options_.host));
      e.SetView("log.file.path", Value::String(path_));
      e.SetView("spark.app_id", Value::String(app_id_));
    }
    produced += n;
    if (!context.Emit(std::move(batch), source, produced)) return;
    if (options_.rate > 0) {
      auto due = start + std::chrono::nanoseconds(static_cast<int64_t>(
                             produced * 1'000'000'000.0 / static_cast<double>(options_.rate)));
      while (!stop_ && std::chrono::steady_clock::now() < due) {
        std::this_thread::sleep_until(
            std::min(due, std::chrono::steady_clock::now() + std::chrono::milliseconds(50)));
      }
    }
  }
  if (count != 0 && produced >= count) context.Finished();
}

}  // namespace sluice::inputs
