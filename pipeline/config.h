// The config model: what `sluice run` and `sluice validate` read from YAML (DESIGN.md §4).
//
//   data_dir: /var/lib/sluice
//   admin: {listen: 127.0.0.1:9600}
//   pipelines:
//     NAME:
//       inputs:  [{type: ..., id: ..., <options>}]
//       filters: [...]
//       outputs: [...]
//
// A config may be one file or a directory of *.yaml/*.yml files (read in name order): their
// pipelines are merged, and a top-level setting or pipeline name given twice is an error.
// Thread-safety: the model is immutable once loaded.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "pipeline/buffer/buffer_options.h"
#include "pipeline/condition.h"
#include "pipeline/log.h"
#include "pipeline/options/diagnostics.h"
#include "pipeline/options/env.h"
#include "pipeline/options/option_schema.h"
#include "pipeline/options/secret_file.h"
#include "pipeline/plugin.h"

namespace sluice {
class PluginFactory;

// The names of the self-log settings, as the config's `log:` section and the CLI's --log-level
// and --log-format give them (next to the enums' namespace, where option parsing finds them).
inline constexpr config::EnumName<LogLevel> kLogLevelNames[] = {{"debug", LogLevel::kDebug},
                                                                {"info", LogLevel::kInfo},
                                                                {"warn", LogLevel::kWarn},
                                                                {"error", LogLevel::kError}};
constexpr std::span<const config::EnumName<LogLevel>> OptionNames(LogLevel) {
  return kLogLevelNames;
}
inline constexpr config::EnumName<LogFormat> kLogFormatNames[] = {{"text", LogFormat::kText},
                                                                  {"json", LogFormat::kJson}};
constexpr std::span<const config::EnumName<LogFormat>> OptionNames(LogFormat) {
  return kLogFormatNames;
}
}  // namespace sluice

namespace sluice::config {

// HTTPS for the admin API: the server's certificate and key, and what the commands that call
// the API (`sluice tap`, `top`, `reload`) trust. Not set: plain HTTP.
struct AdminTlsOptions {
  std::string cert_file;  // PEM certificate (chain) the API presents
  std::string key_file;   // PEM private key of cert_file
  std::string ca_file;    // PEM CA certificates the commands trust; "": the system's store
  static const OptionSchema<AdminTlsOptions>& Schema();

  bool enabled() const { return !cert_file.empty(); }
};

struct AdminOptions {
  bool enabled = true;
  std::string listen = "127.0.0.1:9600";
  std::string token;      // secret
  SecretFile token_file;  // read when the config is loaded
  AdminTlsOptions tls;
  static const OptionSchema<AdminOptions>& Schema();

  // The bearer token every admin endpoint but /health and /ready requires: `token`, or the content
  // of `token_file`; "" when neither is set (no authentication). The server checks it, and the
  // commands that call the API (`sluice tap`, `top`, `reload`) send it.
  const std::string& BearerToken() const { return token_file.empty() ? token : token_file.value; }
};

struct LogOptions {
  LogLevel level = LogLevel::kInfo;
  LogFormat format = LogFormat::kText;
  static const OptionSchema<LogOptions>& Schema();
};

// How the process's threads are scheduled (`priority:`): a quiet neighbour for the Spark executors
// on the same node. Applied by `sluice run` before it starts any thread, so every thread inherits
// it (agent/process_priority.h).
enum class CpuScheduling : uint8_t { kNormal, kBatch, kIdle };
inline constexpr EnumName<CpuScheduling> kCpuSchedulingNames[] = {
    {"normal", CpuScheduling::kNormal},
    {"batch", CpuScheduling::kBatch},
    {"idle", CpuScheduling::kIdle}};
constexpr std::span<const EnumName<CpuScheduling>> OptionNames(CpuScheduling) {
  return kCpuSchedulingNames;
}
enum class IoClass : uint8_t { kInherit, kBestEffort, kIdle };
inline constexpr EnumName<IoClass> kIoClassNames[] = {{"inherit", IoClass::kInherit},
                                                      {"best-effort", IoClass::kBestEffort},
                                                      {"idle", IoClass::kIdle}};
constexpr std::span<const EnumName<IoClass>> OptionNames(IoClass) { return kIoClassNames; }

struct PriorityOptions {
  int64_t nice = 0;  // 0: left as started (systemd's Nice= still applies)
  CpuScheduling cpu_scheduling = CpuScheduling::kNormal;
  IoClass io_class = IoClass::kInherit;
  int64_t io_priority = 4;  // best-effort's level, 0 (first) to 7 (last)
  static const OptionSchema<PriorityOptions>& Schema();

  bool operator==(const PriorityOptions&) const = default;
};

struct ProcessOptions {
  std::string data_dir = "/var/lib/sluice";
  AdminOptions admin;
  LogOptions log;
  PriorityOptions priority;
  Duration shutdown_timeout{std::chrono::seconds(30)};
  Duration checkpoint_interval{std::chrono::seconds(1)};
  static const OptionSchema<ProcessOptions>& Schema();
};

struct PipelineOptions {
  ByteSize max_inflight_bytes{32ull << 20};
  std::string workers = "auto";
  static const OptionSchema<PipelineOptions>& Schema();
  // The number of filter workers: `workers`, or the cores (at most 8) for "auto".
  int WorkerCount() const;
};

struct PluginConfig {
  PluginKind kind = PluginKind::kInput;
  std::string type;
  std::string id;
  const PluginFactory* factory = nullptr;
  std::shared_ptr<const void> options;  // the plugin's typed Options
  // Filters and outputs: `when:`, the events the plugin applies to (null: all of them).
  std::shared_ptr<const Condition> when;
  // Outputs: `buffer:`, where undelivered batches wait (memory, or a disk buffer).
  buffer::BufferOptions buffer;
  SourceLocation where;
};

struct PipelineConfig {
  std::string name;
  PipelineOptions options;
  std::vector<PluginConfig> inputs;
  std::vector<PluginConfig> filters;
  std::vector<PluginConfig> outputs;
  SourceLocation where;
  // The pipeline's YAML as written (its map, dumped canonically): a reload replaces the pipeline
  // when this changed and leaves it running when it did not.
  std::string fingerprint;
};

// A `tests:` section as written (run by `sluice test`, ignored by `run`).
struct TestsSection {
  std::string file;
  YAML::Node node;
};

struct Config {
  ProcessOptions process;
  std::vector<PipelineConfig> pipelines;
  std::vector<std::string> files;  // the files read
  std::vector<TestsSection> tests;
  // The files found to hold secrets (a secret option set to a literal value, a token_file), for
  // the warning about files others can read.
  std::vector<SecretFileUse> secret_files;
};

// Splits "host:port" (also "[::1]:port"); false when `listen` is not of that form.
bool SplitHostPort(const std::string& listen, std::string* host, int* port);

// Loads `path` (a file or a directory). Every problem found goes to `diags`; the returned model is
// usable only when diags.ok(). No I/O beyond reading the config files.
Config LoadConfig(const std::string& path, Diagnostics& diags, const EnvLookup& env = ProcessEnv());
// Loads YAML text as if it were the file `name` (for tests and `sluice test`).
Config LoadConfigText(const std::string& text, const std::string& name, Diagnostics& diags,
                      const EnvLookup& env = ProcessEnv());

}  // namespace sluice::config
