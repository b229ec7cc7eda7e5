#include "agent/cli.h"

#include <CLI/CLI.hpp>
#include <cstdio>

#include "agent/admin_auth.h"
#include "agent/admin_server.h"
#include "agent/config_view.h"
#include "agent/process_priority.h"
#include "agent/reload_command.h"
#include "agent/reloader.h"
#include "agent/secret_file_check.h"
#include "agent/service_watchdog.h"
#include "agent/signals.h"
#include "agent/systemd_notify.h"
#include "agent/tap_command.h"
#include "agent/templates_command.h"
#include "agent/top_command.h"
#include "pipeline/buffer/disk_buffer.h"
#include "pipeline/config.h"
#include "pipeline/engine_metrics.h"
#include "pipeline/log.h"
#include "pipeline/registry.h"
#include "pipeline/service.h"
#include "pipeline/tap.h"
#include "pipeline/test_runner.h"

namespace sluice::agent {
namespace {

const Logger kLog("");

struct CommonFlags {
  std::string config;
  std::string config_positional;
  std::string log_level;
  std::string log_format;
  bool print_config = false;

  const std::string& path() const { return config.empty() ? config_positional : config; }
};

void AddConfigFlags(CLI::App* cmd, CommonFlags* flags) {
  cmd->add_option("-c,--config", flags->config, "Config file, or a directory of *.yaml files");
  cmd->add_option("config_file", flags->config_positional, "Same as -c");
}

// --admin, --token and -c of the commands that call a running instance's admin API.
void AddAdminClientFlags(CLI::App* cmd, AdminClientFlags* flags) {
  cmd->add_option("--admin", flags->admin,
                  "The instance's admin API, [https://]HOST:PORT (default: admin.listen of -c, "
                  "HTTPS when it sets admin.tls, else 127.0.0.1:9600)");
  cmd->add_option("--ca-file", flags->ca_file,
                  "PEM CA certificates to trust for HTTPS (default: admin.tls.ca_file of -c, "
                  "else the system's store)");
  cmd->add_option("--token", flags->token,
                  "The admin API's bearer token (default: admin.token or token_file of -c)");
  cmd->add_option("-c,--config", flags->config,
                  "The instance's config, read for admin.listen, admin.tls and the token only");
}

// Loads and reports; returns false (after printing every error) when the config is invalid.
bool Load(const CommonFlags& flags, config::Config* out) {
  config::Diagnostics diags;
  *out = config::LoadConfig(flags.path(), diags);
  if (!diags.ok()) {
    std::fprintf(stderr, "%s", diags.ToString().c_str());
    std::fprintf(stderr, "%zu error(s) in %s\n", diags.errors().size(), flags.path().c_str());
    return false;
  }
  return true;
}

// The setting a flag names (CLI11 checked the name against E's table), or `configured` when the
// flag was not given.
template <typename E>
E FlagOr(const std::string& flag, E configured) {
  for (const config::EnumName<E>& n : OptionNames(configured)) {
    if (n.name == flag) return n.value;
  }
  return configured;
}

void ApplyLogSettings(const config::LogOptions& options, const CommonFlags& flags) {
  SetLogLevel(FlagOr(flags.log_level, options.level));
  SetLogFormat(FlagOr(flags.log_format, options.format));
}

int Validate(const CommonFlags& flags) {
  config::Config config;
  if (!Load(flags, &config)) return kExitConfigInvalid;
  for (const std::string& warning : SecretFileWarnings(config.secret_files)) {
    std::fprintf(stderr, "warning: %s\n", warning.c_str());
  }
  size_t plugins = 0;
  for (const auto& p : config.pipelines)
    plugins += p.inputs.size() + p.filters.size() + p.outputs.size();
  // With --print-config, stdout holds the YAML alone (so that it can be saved), the verdict goes
  // to stderr.
  if (flags.print_config) std::printf("%s", ShowConfig(config).ToYaml().c_str());
  std::fprintf(flags.print_config ? stderr : stdout, "%s: OK (%zu pipeline(s), %zu plugin(s))\n",
               flags.path().c_str(), config.pipelines.size(), plugins);
  return kExitOk;
}

int Test(const CommonFlags& flags) {
  config::Config config;
  if (!Load(flags, &config)) return kExitConfigInvalid;
  config::Diagnostics diags;
  ConfigTestResults results = RunConfigTests(config, diags);
  if (!diags.ok()) std::fprintf(stderr, "%s", diags.ToString().c_str());
  std::printf("%s", results.report.c_str());
  std::printf("%s: %d passed, %d failed\n", flags.path().c_str(), results.passed, results.failed);
  if (results.passed + results.failed == 0) {
    std::printf("(no tests: add a top-level 'tests:' section; see docs/testing-configs.md)\n");
  }
  return results.failed == 0 && diags.ok() ? kExitOk : kExitTestsFailed;
}

// Tells systemd (Type=notify) about a state change; a failure is logged, never fatal.
void Notify(const SystemdNotifier& systemd, const std::string& state) {
  Status s = systemd.Notify(state);
  if (!s.ok()) kLog.Warn("{}", s.message());
}

void PrintSummary(Service& service) {
  // One line per component: what came in and what went out (for outputs: acked).
  for (const auto& s : service.metrics().Snapshot()) {
    if (s.name != "sluice_component_sent_events_total") continue;
    std::string pipeline, kind, id;
    for (const auto& [k, v] : s.labels) {
      if (k == "pipeline") pipeline = v;
      if (k == "kind") kind = v;
      if (k == "id") id = v;
    }
    const char* verb = kind == "input" ? "read" : kind == "output" ? "delivered" : "passed";
    kLog.Info("summary: pipeline '{}' {} '{}' {} {} events", pipeline, kind, id, verb,
              static_cast<uint64_t>(s.value));
  }
}

// What a reload changes of the process settings: the log settings (unless flags fixed them) and
// the admin token, applied here; the warnings name what needs a restart.
std::vector<std::string> ApplyReloadedSettings(const config::Config& next,
                                               const config::ProcessOptions& started,
                                               const CommonFlags& flags, AdminServer& admin) {
  ApplyLogSettings(next.process.log, flags);
  std::vector<std::string> warnings = SecretFileWarnings(next.secret_files);
  const config::AdminOptions& was = started.admin;
  const config::AdminOptions& now = next.process.admin;
  if (now.enabled != was.enabled || now.listen != was.listen ||
      now.tls.cert_file != was.tls.cert_file || now.tls.key_file != was.tls.key_file) {
    warnings.push_back(fmt::format(
        "admin.enabled, admin.listen and admin.tls take effect at the next restart (the API "
        "stays {})",
        was.enabled ? std::string(was.tls.enabled() ? "on https://" : "on ") + was.listen : "off"));
  }
  if (next.process.priority != started.priority) {
    warnings.push_back("priority takes effect at the next restart");
  }
  if (was.enabled) admin.SetToken(now.BearerToken());
  return warnings;
}

int Run(const CommonFlags& flags) {
  BlockSignals();
  config::Config config;
  if (!Load(flags, &config)) return kExitConfigInvalid;
  ApplyLogSettings(config.process.log, flags);
  // Before any thread starts: they all inherit it.
  for (const std::string& warning : ApplyProcessPriority(config.process.priority)) {
    kLog.Warn("{}", warning);
  }

  for (const std::string& warning : SecretFileWarnings(config.secret_files)) {
    kLog.Warn("{}", warning);
  }

  const SystemdNotifier systemd = SystemdNotifier::FromEnvironment();
  Service service(std::move(config));
  AdminServer admin(service);
  // The settings the process started with (the admin API is not moved by a reload).
  const config::ProcessOptions started_with = service.config()->process;
  const config::AdminOptions& admin_options = started_with.admin;
  if (admin_options.enabled) {
    Status s = admin.Start(admin_options);
    if (!s.ok()) {
      kLog.Error("{}", s.message());
      return kExitRuntime;
    }
    const bool token = !admin_options.BearerToken().empty();
    kLog.Info(
        "admin API on {}://{}:{} (/health /ready /metrics /api/v1/stats /api/v1/config, POST "
        "/api/v1/reload){}",
        admin_options.tls.enabled() ? "https" : "http",
        admin_options.listen.substr(0, admin_options.listen.rfind(':')), admin.port(),
        token ? "; a bearer token is required except for /health and /ready" : "");
    std::string host;
    int port = 0;
    if (!token && config::SplitHostPort(admin_options.listen, &host, &port) &&
        !IsLoopbackHost(host)) {
      kLog.Warn(
          "the admin API listens on {} without a token: anyone who can reach it reads the "
          "metrics and the config (secrets masked) and can reload it; set admin.token or "
          "admin.token_file",
          admin_options.listen);
    }
  }
  auto reloader =
      std::make_shared<Reloader>(service, flags.path(), systemd, [&](const config::Config& next) {
        return ApplyReloadedSettings(next, started_with, flags, admin);
      });
  StartSignalThread(
      [&service](const char* signal) { service.RequestStop(std::string("received ") + signal); },
      [weak = std::weak_ptr<Reloader>(reloader)] {
        if (auto r = weak.lock()) {
          r->RequestReload("SIGHUP");
        } else {
          kLog.Warn("SIGHUP while stopping: no reload");
        }
      });
  Status started = service.Start();
  if (!started.ok()) {
    kLog.Error("{}", started.ToString());
    service.RequestStop("start failed");
    service.Shutdown();
    return kExitRuntime;
  }
  admin.SetReloader(reloader);
  Notify(systemd, fmt::format("READY=1\nSTATUS={} pipeline(s) running", service.pipeline_count()));
  ServiceWatchdog watchdog(service, systemd);
  watchdog.Start();
  std::string reason = service.WaitForStop();
  kLog.Info("stopping: {}; draining (shutdown_timeout {})", reason,
            service.config()->process.shutdown_timeout.ToString());
  watchdog.Stop();
  Notify(systemd, "STOPPING=1\nSTATUS=draining: " + reason);
  admin.SetReloader(nullptr);
  reloader.reset();  // waits for a reload in progress (the service would wait for it too)
  ShutdownResult result = service.Shutdown();
  PrintSummary(service);
  admin.Stop();
  switch (result) {
    case ShutdownResult::kClean:
      kLog.Info("stopped cleanly: every event delivered and acked");
      return kExitOk;
    case ShutdownResult::kDeliveryFailed:
      return kExitRuntime;
    case ShutdownResult::kTimedOut:
      // Threads may still be stuck in a dead destination: leave without destroying them.
      std::fflush(nullptr);
      _exit(kExitUnflushed);
  }
  return kExitRuntime;
}

int Plugins(bool markdown) {
  if (markdown) {
    // Sections that scripts/gen-docs copies between the <!-- options:begin/end --> markers.
    auto section = [](const std::string& name, const std::vector<config::OptionInfo>& infos) {
      std::printf("<!-- section:%s -->\n%s", name.c_str(), config::OptionsMarkdown(infos).c_str());
    };
    section("settings/process", config::ProcessOptions::Schema().infos());
    section("settings/admin", config::AdminOptions::Schema().infos());
    section("settings/admin_tls", config::AdminTlsOptions::Schema().infos());
    section("settings/log", config::LogOptions::Schema().infos());
    section("settings/priority", config::PriorityOptions::Schema().infos());
    section("settings/pipeline", config::PipelineOptions::Schema().infos());
    section("settings/buffer", buffer::BufferOptions::Schema().infos());
    for (const PluginFactory* f : Registry::Get().All()) {
      std::printf("<!-- section:%ss/%s -->\n%s", PluginKindName(f->kind()), f->type().c_str(),
                  config::OptionsMarkdownWithNested(f->options()).c_str());
    }
    // ... and between the <!-- metrics:begin/end --> markers.
    auto metrics = [](const std::string& name, const std::vector<MetricInfo>& infos) {
      std::printf("<!-- section:metrics/%s -->\n%s", name.c_str(), MetricsMarkdown(infos).c_str());
    };
    metrics("engine/component", ComponentMetricSet::Infos());
    metrics("engine/filter", FilterMetrics::Infos());
    metrics("engine/pipeline", PipelineMetrics::Infos());
    metrics("engine/buffer", buffer::BufferMetrics::Infos());
    metrics("engine/tap", TapMetrics::Infos());
    for (const PluginFactory* f : Registry::Get().All()) {
      if (f->metrics().empty()) continue;
      metrics(std::string(PluginKindName(f->kind())) + "s/" + f->type(), f->metrics());
    }
    return kExitOk;
  }
  for (const PluginFactory* f : Registry::Get().All()) {
    {
      std::printf("%-7s %-12s %s\n", PluginKindName(f->kind()), f->type().c_str(),
                  f->summary().c_str());
    }
  }
  return kExitOk;
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{"Sluice: a log shipping agent for Spark on EMR, YARN and EKS."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("sluice ") + SLUICE_VERSION);

  CommonFlags flags;
  CLI::App* run = app.add_subcommand(
      "run",
      "Run the pipelines of a config until stopped (SIGTERM/SIGINT) or, when every input is "
      "finite, until everything is delivered.");
  AddConfigFlags(run, &flags);
  run->add_option("--log-level", flags.log_level, "Override log.level")
      ->check(CLI::IsMember(config::OptionTraits<LogLevel>::Names()));
  run->add_option("--log-format", flags.log_format, "Override log.format")
      ->check(CLI::IsMember(config::OptionTraits<LogFormat>::Names()));

  CLI::App* validate = app.add_subcommand(
      "validate", "Check a config without running it; prints every error with file:line:column.");
  AddConfigFlags(validate, &flags);
  validate->add_flag("--print-config", flags.print_config,
                     "Print the config in effect as YAML on stdout (defaults filled in, ${VAR}s "
                     "expanded, secrets shown as ***); the verdict goes to stderr");

  CLI::App* test = app.add_subcommand(
      "test",
      "Run the config's own 'tests:' section (input lines through the filters, compared with the "
      "expected fields); exit 5 when a test fails.");
  AddConfigFlags(test, &flags);

  bool markdown = false;
  CLI::App* plugins = app.add_subcommand("plugins", "List the plugins and their options.");
  plugins->add_flag("--markdown", markdown,
                    "Print every option table as markdown (scripts/gen-docs puts them in docs/)");

  CLI::App* version = app.add_subcommand("version", "Print the version.");

  AdminClientFlags admin_flags;
  int reload_timeout_s = 300;
  CLI::App* reload = app.add_subcommand(
      "reload",
      "Ask a running instance to read its config again (POST /api/v1/reload): unchanged pipelines "
      "keep running, changed ones are drained and replaced; prints what changed, or the new "
      "config's errors (exit 1; nothing changed).");
  AddAdminClientFlags(reload, &admin_flags);
  reload
      ->add_option("--timeout", reload_timeout_s,
                   "Seconds to wait for the reload to finish (drains take up to "
                   "shutdown_timeout)")
      ->check(CLI::PositiveNumber);

  TapFlags tap_flags;
  CLI::App* tap = app.add_subcommand(
      "tap",
      "Print samples of the events passing the components of a running instance, as they pass: "
      "PATTERN is PIPELINE.COMPONENT with globs (spark.*, *.grok). Never slows or drops the "
      "pipeline's events.");
  AddAdminClientFlags(tap, &admin_flags);
  tap->add_option("pattern", tap_flags.patterns, "Components to tap: PIPELINE.ID, globs allowed")
      ->required();
  tap->add_option("--limit", tap_flags.limit, "Stop after N samples (default: until Ctrl-C)");
  tap->add_option("--rate", tap_flags.rate,
                  "Samples per second of each component at most (default 100)")
      ->check(CLI::Range(0.001, 100000.0));
  tap->add_option("--format", tap_flags.format,
                  "json (the sample as the API sends it) or text (component, kind, message)")
      ->check(CLI::IsMember({"json", "text"}));

  bool top_once = false;
  double top_interval_s = 1.0;
  CLI::App* top = app.add_subcommand(
      "top",
      "A live view of a running instance: per pipeline and component, events/s in and out, "
      "errors, bytes in flight, disk buffers, Kafka and checkpoint lag; q or Ctrl-C quits.");
  AddAdminClientFlags(top, &admin_flags);
  top->add_flag("--once", top_once,
                "Print one frame (rates over --interval) and exit, for scripts");
  top->add_option("--interval", top_interval_s, "Seconds between refreshes (default 1)")
      ->check(CLI::Range(0.1, 3600.0));

  TemplatesFlags templates_flags;
  CLI::App* templates = app.add_subcommand(
      "templates",
      "Print the message templates the `template` filters of an instance have learned, with "
      "counts (from their state files under data_dir, saved every save_interval).");
  templates->add_option("-c,--config", templates_flags.config, "Config file: its data_dir");
  templates->add_option("--data-dir", templates_flags.data_dir, "The instance's data_dir");
  templates->add_option("--sort", templates_flags.sort, "count (default), first or last (seen)")
      ->check(CLI::IsMember({"count", "first", "last"}));
  templates->add_option("--limit", templates_flags.limit, "At most N templates per filter");
  templates
      ->add_option("--format", templates_flags.format,
                   "text (a table per filter) or json (one object a line)")
      ->check(CLI::IsMember({"text", "json"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (*version) {
    std::printf("sluice %s\n", SLUICE_VERSION);
    return kExitOk;
  }
  if (*plugins) return Plugins(markdown);
  if (*reload) return ReloadCommand(admin_flags, std::chrono::seconds(reload_timeout_s));
  if (*tap) return TapCommand(admin_flags, tap_flags);
  if (*templates) return TemplatesCommand(templates_flags);
  if (*top) {
    return TopCommand(admin_flags, top_once,
                      std::chrono::milliseconds(static_cast<int64_t>(top_interval_s * 1000)));
  }
  if (flags.path().empty()) {
    std::fprintf(stderr, "error: no config given; use -c FILE (see %s --help)\n",
                 *validate ? "validate"
                 : *test   ? "test"
                           : "run");
    return kExitUsage;
  }
  if (*validate) return Validate(flags);
  if (*test) return Test(flags);
  return Run(flags);
}

}  // namespace sluice::agent
