#include "pipeline/config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "pipeline/json_string.h"
#include "pipeline/read_file.h"
#include "pipeline/registry.h"

namespace sluice::config {
namespace {

const std::vector<std::string> kPluginReserved = {"type", "id", "when", "buffer"};
const std::vector<std::string> kPipelineSections = {"inputs", "filters", "outputs"};
const std::vector<std::string> kTopLevelSections = {"pipelines", "tests"};

struct Loader {
  Diagnostics& diags;
  const EnvLookup& env;
  Config config;
  std::map<std::string, SourceLocation> top_level_seen;
  std::string_view source_text;  // the YAML text being loaded, for positions inside scalars

  void LoadText(const std::string& text, const std::string& file);
  void LoadPipeline(const NodeReader& r, const std::string& name);
  void LoadPlugins(const NodeReader& r, PluginKind kind, std::vector<PluginConfig>* out);
  std::shared_ptr<const Condition> LoadCondition(const NodeReader& r, PluginKind kind);
};

void Loader::LoadText(const std::string& text, const std::string& file) {
  config.files.push_back(file);
  source_text = text;
  // YAML is Unicode text; yaml-cpp passes other bytes through, into field names and values.
  if (const size_t bad = FirstInvalidUtf8(text); bad != std::string::npos) {
    const std::string_view before(text.data(), bad);
    const size_t newline = before.rfind('\n');
    const auto line = static_cast<int>(1 + std::count(before.begin(), before.end(), '\n'));
    const auto column =
        static_cast<int>(bad - (newline == std::string::npos ? 0 : newline + 1) + 1);
    diags.Error(SourceLocation{file, line, column},
                fmt::format("invalid UTF-8 (byte 0x{:02X}): a config file is UTF-8 text; was it "
                            "saved in another encoding (Latin-1, Windows-1252)?",
                            static_cast<uint8_t>(text[bad])));
    return;
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    SourceLocation where{file, e.mark.is_null() ? 0 : e.mark.line + 1,
                         e.mark.is_null() ? 0 : e.mark.column + 1};
    diags.Error(where, "invalid YAML: " + e.msg);
    return;
  }
  NodeReader r(root, file, "", diags, env);
  if (root.IsNull()) return;  // an empty file adds nothing
  if (!root.IsMap()) {
    r.Error("expected a map with 'pipelines:' at the top level, got " + r.Describe());
    return;
  }
  for (const auto& kv : root) {
    std::string key = kv.first.Scalar();
    if (key == "tests") config.tests.push_back(TestsSection{file, kv.second});
    if (key == "pipelines" || key == "tests") continue;
    SourceLocation here = r.LocationOf(kv.first);
    auto [it, inserted] = top_level_seen.emplace(key, here);
    if (!inserted) {
      diags.Error(here, "'" + key + "' is already set at " + it->second.ToString() +
                            "; set it in one file only");
    }
  }
  ProcessOptions::Schema().Parse(r, &config.process, "", kTopLevelSections);

  YAML::Node pipelines = root["pipelines"];
  if (!pipelines) return;
  NodeReader pr = r.Child(pipelines, "pipelines");
  if (!pipelines.IsMap()) {
    pr.Error("expected a map of pipeline names to pipelines, got " + pr.Describe());
    return;
  }
  for (const auto& kv : pipelines) {
    std::string name = kv.first.Scalar();
    auto dup = std::find_if(config.pipelines.begin(), config.pipelines.end(),
                            [&](const PipelineConfig& p) { return p.name == name; });
    if (dup != config.pipelines.end()) {
      pr.ErrorAt(kv.first, "pipeline '" + name + "' is already defined at " +
                               dup->where.ToString() + "; pipeline names must be unique");
      continue;
    }
    LoadPipeline(pr.Child(kv.second, name), name);
    config.pipelines.back().where = pr.LocationOf(kv.first);
  }
}

void Loader::LoadPipeline(const NodeReader& r, const std::string& name) {
  PipelineConfig& p = config.pipelines.emplace_back();
  p.name = name;
  p.fingerprint = YAML::Dump(r.node());
  if (!r.node().IsMap()) {
    r.Error("expected a pipeline (a map with inputs, filters and outputs), got " + r.Describe());
    return;
  }
  PipelineOptions::Schema().Parse(r, &p.options, "pipeline '" + name + "'", kPipelineSections);
  LoadPlugins(r.Child(r.node()["inputs"], "inputs"), PluginKind::kInput, &p.inputs);
  LoadPlugins(r.Child(r.node()["filters"], "filters"), PluginKind::kFilter, &p.filters);
  LoadPlugins(r.Child(r.node()["outputs"], "outputs"), PluginKind::kOutput, &p.outputs);
  // A missing or empty list (a list whose elements all had errors was reported already).
  auto empty = [&](const char* key) {
    YAML::Node n = r.node()[key];
    return !n || n.IsNull() || (n.IsSequence() && n.size() == 0);
  };
  if (empty("inputs")) {
    r.Error("pipeline '" + name + "' has no inputs; add e.g. 'inputs: [{type: stdin}]'");
  }
  if (empty("outputs")) {
    r.Error("pipeline '" + name + "' has no outputs; add e.g. 'outputs: [{type: stdout}]'");
  }
}

// Where byte `offset` of a scalar's text is in the file `source` (the YAML text being loaded):
// after the opening quote of a quoted scalar; for a block scalar (`|`, `>`), which yaml-cpp marks
// at its indicator, on the right line below it, after the block's indentation.
SourceLocation LocationInScalar(const NodeReader& r, std::string_view source,
                                const std::string& text, size_t offset) {
  SourceLocation where = r.where();
  if (!where.known() || where.line == 0) return where;
  // The file's line where the scalar starts (0-based where.line - 1).
  auto line_at = [&](int line) -> std::string_view {
    size_t pos = 0;
    for (int i = 0; i < line && pos != std::string_view::npos; ++i) {
      pos = source.find('\n', pos);
      if (pos != std::string_view::npos) ++pos;
    }
    if (pos == std::string_view::npos || pos > source.size()) return {};
    return source.substr(pos, source.find('\n', pos) - pos);
  };
  std::string_view first = line_at(where.line - 1);
  size_t col = static_cast<size_t>(where.column - 1);
  char indicator = col < first.size() ? first[col] : '\0';
  size_t line_start = offset == 0 ? 0 : text.rfind('\n', offset - 1);
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  int lines = static_cast<int>(std::count(text.begin(), text.begin() + offset, '\n'));
  if (indicator == '|' || indicator == '>') {
    size_t indent = line_at(where.line).find_first_not_of(' ');  // the block's first line
    where.line += 1 + lines;
    where.column = static_cast<int>((indent == std::string_view::npos ? 0 : indent) +
                                    (offset - line_start) + 1);
    return where;
  }
  if (lines == 0) {
    where.column += static_cast<int>(offset) + (indicator == '"' || indicator == '\'' ? 1 : 0);
    return where;
  }
  where.line += lines;  // a multi-line flow scalar: the best guess is the column in its line
  where.column = static_cast<int>(offset - line_start + 1);
  return where;
}

std::shared_ptr<const Condition> Loader::LoadCondition(const NodeReader& r, PluginKind kind) {
  if (kind == PluginKind::kInput) {
    r.Error(
        "'when' applies to filters and outputs, not inputs; put the condition on the filters or "
        "outputs that should see only some events");
    return nullptr;
  }
  std::string text;
  if (!r.Scalar(&text, "a condition such as 'log.level == \"ERROR\"'")) return nullptr;
  size_t offset = 0;
  auto parsed = Condition::Parse(text, &offset);
  if (!parsed.ok()) {
    std::string line = text.substr(0, text.find('\n', offset));
    size_t start = line.rfind('\n', offset == 0 ? 0 : offset - 1);
    start = start == std::string::npos ? 0 : start + 1;
    r.diags().Error(LocationInScalar(r, source_text, text, offset),
                    fmt::format("{}: {}\n    {}\n    {}^", r.path(), parsed.status().message(),
                                line.substr(start), std::string(offset - start, ' ')));
    return nullptr;
  }
  return std::make_shared<const Condition>(std::move(parsed).value());
}

void Loader::LoadPlugins(const NodeReader& r, PluginKind kind, std::vector<PluginConfig>* out) {
  if (!r.node() || r.node().IsNull()) return;
  std::string kind_name = PluginKindName(kind);
  if (!r.node().IsSequence()) {
    r.Error("expected a list of " + kind_name + "s (each '- type: ...'), got " + r.Describe());
    return;
  }
  std::map<std::string, int> type_count;
  for (const auto& element : r.node()) {
    if (element.IsMap() && element["type"] && element["type"].IsScalar()) {
      ++type_count[element["type"].Scalar()];
    }
  }
  std::map<std::string, SourceLocation> ids;
  for (size_t i = 0; i < r.node().size(); ++i) {
    NodeReader er = r.Item(r.node()[i], i);
    if (!er.node().IsMap()) {
      er.Error("expected a " + kind_name + " (a map with 'type:'), got " + er.Describe());
      continue;
    }
    std::string type;
    if (!er.node()["type"]) {
      er.Error("missing 'type'; available " + kind_name +
               " types: " + fmt::format("{}", fmt::join(Registry::Get().Types(kind), ", ")));
      continue;
    }
    if (!er.Child(er.node()["type"], "type").Scalar(&type, "a plugin type name")) continue;
    const PluginFactory* factory = Registry::Get().Find(kind, type);
    if (factory == nullptr) {
      std::vector<std::string> types = Registry::Get().Types(kind);
      er.Child(er.node()["type"], "type")
          .Error("unknown " + kind_name + " type '" + type + "'" + DidYouMean(type, types) +
                 " (available: " + fmt::format("{}", fmt::join(types, ", ")) + ")");
      continue;
    }
    PluginConfig pc;
    pc.kind = kind;
    pc.type = type;
    pc.factory = factory;
    pc.where = er.where();
    if (er.node()["id"]) {
      er.Child(er.node()["id"], "id").Scalar(&pc.id, "an id string");
    } else {
      pc.id = type_count[type] > 1 ? type + "_" + std::to_string(i) : type;
    }
    auto [it, inserted] = ids.emplace(pc.id, pc.where);
    if (!inserted) {
      er.Error("duplicate " + kind_name + " id '" + pc.id + "' (also at " + it->second.ToString() +
               "); give each a distinct 'id:'");
    }
    if (er.node()["when"]) pc.when = LoadCondition(er.Child(er.node()["when"], "when"), kind);
    if (er.node()["buffer"]) {
      NodeReader br = er.Child(er.node()["buffer"], "buffer");
      if (kind == PluginKind::kOutput) {
        buffer::BufferOptions::Schema().Parse(br, &pc.buffer, "the buffer");
      } else {
        br.Error("'buffer' applies to outputs only (where undelivered batches wait)");
      }
    }
    pc.options = factory->ParseOptions(er, kPluginReserved);
    out->push_back(std::move(pc));
  }
}

}  // namespace

bool SplitHostPort(const std::string& listen, std::string* host, int* port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  *host = listen.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  std::string_view p = std::string_view(listen).substr(colon + 1);
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), *port);
  return ec == std::errc() && end == p.data() + p.size() && *port >= 0 && *port <= 65535;
}

const OptionSchema<AdminTlsOptions>& AdminTlsOptions::Schema() {
  static const auto* schema =
      &(*new OptionSchema<AdminTlsOptions>())
           .Add("cert_file", &AdminTlsOptions::cert_file,
                "PEM certificate (with its chain) the admin API presents; set: HTTPS only.",
                {.example = "/etc/sluice/admin.crt"})
           .Add("key_file", &AdminTlsOptions::key_file, "PEM private key of `cert_file`.",
                {.example = "/etc/sluice/admin.key"})
           .Add("ca_file", &AdminTlsOptions::ca_file,
                "PEM CA certificates that `sluice tap`, `top` and `reload` trust when they call "
                "this API; empty: the system's store. For a self-signed certificate, the "
                "certificate itself.",
                {.example = "/etc/sluice/admin.crt"})
           .Check([](const AdminTlsOptions& o) -> std::string {
             if (o.cert_file.empty() != o.key_file.empty()) {
               return o.cert_file.empty() ? "key_file is set without cert_file"
                                          : "cert_file is set without key_file";
             }
             // Read where the config names them, so that validate reports what run would.
             for (const auto& [key, path] :
                  {std::pair{"cert_file", &o.cert_file}, std::pair{"key_file", &o.key_file},
                   std::pair{"ca_file", &o.ca_file}}) {
               if (path->empty()) continue;
               Result<std::string> pem = ReadBoundedFile(*path, 1 << 20);
               if (!pem.ok()) {
                 return fmt::format("{}: cannot read {}: {}", key, *path, pem.status().message());
               }
               if (pem->find("-----BEGIN ") == std::string::npos) {
                 return fmt::format("{}: {} is not PEM (no -----BEGIN line)", key, *path);
               }
             }
             return "";
           });
  return *schema;
}

const OptionSchema<AdminOptions>& AdminOptions::Schema() {
  static const auto* schema =
      &(*new OptionSchema<AdminOptions>())
           .Add("enabled", &AdminOptions::enabled, "Serve the admin HTTP API.")
           .Add("listen", &AdminOptions::listen,
                "Address of the admin HTTP API (/health, /ready, /metrics, /api/v1/stats, "
                "/api/v1/config). Port 0 picks a free port (logged at start).",
                {.example = "127.0.0.1:9600"})
           .Add("token", &AdminOptions::token,
                "Bearer token that every endpoint but /health and /ready requires "
                "(`Authorization: Bearer TOKEN`, else 401). Not set: no authentication.",
                {.non_empty = true, .example = "${SLUICE_ADMIN_TOKEN}", .secret = true})
           .Add("token_file", &AdminOptions::token_file,
                "File holding the token instead (read at start, trailing newlines removed).",
                {.example = "/etc/sluice/admin-token"})
           .Exclusive({"token", "token_file"})
           .Add("tls", &AdminOptions::tls,
                "HTTPS for the admin API (`cert_file`, `key_file`, `ca_file`; see below). Probes "
                "then need `scheme: HTTPS`.")
           .Check([](const AdminOptions& o) -> std::string {
             std::string host;
             int port = 0;
             if (SplitHostPort(o.listen, &host, &port)) return "";
             return "listen: expected host:port such as 127.0.0.1:9600, got '" + o.listen + "'";
           })
           .Check([](const AdminOptions& o) -> std::string {
             const std::string& token = o.BearerToken();
             bool printable =
                 std::all_of(token.begin(), token.end(), [](char c) { return c > ' ' && c < 127; });
             if (printable) return "";
             return std::string(o.token_file.empty() ? "token" : "token_file") +
                    ": the token may hold only printable ASCII characters without spaces (it "
                    "travels in an Authorization header)";
           });
  return *schema;
}

const OptionSchema<LogOptions>& LogOptions::Schema() {
  static const auto* schema =
      &(*new OptionSchema<LogOptions>())
           .Add("level", &LogOptions::level, "Lowest level of self-log lines written to stderr.")
           .Add("format", &LogOptions::format, "Self-log line format.");
  return *schema;
}

const OptionSchema<PriorityOptions>& PriorityOptions::Schema() {
  static const auto* schema =
      &(*new OptionSchema<PriorityOptions>())
           .Add("nice", &PriorityOptions::nice,
                "Nice value of every thread, -20 (first) to 19 (last); 0 leaves it as started. "
                "Below the current value needs CAP_SYS_NICE (a warning otherwise).",
                {.min = -20, .max = 19, .example = "10"})
           .Add("cpu_scheduling", &PriorityOptions::cpu_scheduling,
                "Linux scheduling policy: `normal`, `batch` (SCHED_BATCH: throughput work that "
                "yields to interactive tasks; the nice value still applies) or `idle` "
                "(SCHED_IDLE: only CPU time nobody else wants; risks falling behind on a busy "
                "node).")
           .Add("io_class", &PriorityOptions::io_class,
                "I/O scheduling class of the reads and writes (ioprio): `inherit` (leave it), "
                "`best-effort` (with `io_priority`) or `idle` (only when the disk is otherwise "
                "idle). Honoured by the BFQ and CFQ schedulers, not by `none` or mq-deadline.")
           .Add("io_priority", &PriorityOptions::io_priority,
                "Level within `best-effort`, 0 (first) to 7 (last).", {.min = 0, .max = 7});
  return *schema;
}

const OptionSchema<ProcessOptions>& ProcessOptions::Schema() {
  static const auto* schema =
      &(*new OptionSchema<ProcessOptions>())
           .Add("data_dir", &ProcessOptions::data_dir,
                "Directory for checkpoints, buffers and dead-letter files. Created when missing.")
           .Add("admin", &ProcessOptions::admin, "The admin HTTP API (see below).")
           .Add("log", &ProcessOptions::log, "Self-logging (see below).")
           .Add("priority", &ProcessOptions::priority,
                "CPU and I/O priority of every thread of `sluice run` (see below).")
           .Add("shutdown_timeout", &ProcessOptions::shutdown_timeout,
                "How long a shutdown may take to drain in-flight events and flush outputs. Past it "
                "Sluice exits with code 4 and logs what was not flushed.",
                {.min = Duration{std::chrono::milliseconds(1)}})
           .Add("checkpoint_interval", &ProcessOptions::checkpoint_interval,
                "How often acked checkpoints are written to data_dir (atomically; also at "
                "shutdown). "
                "A crash re-reads at most what was acked in the last interval.",
                {.min = Duration{std::chrono::milliseconds(10)}});
  return *schema;
}

const OptionSchema<PipelineOptions>& PipelineOptions::Schema() {
  static const auto* schema =
      &(*new OptionSchema<PipelineOptions>())
           .Add("max_inflight_bytes", &PipelineOptions::max_inflight_bytes,
                "Bound on the bytes of events between the inputs and the outputs' acks. When it "
                "is reached the inputs stop reading (backpressure); nothing is dropped.",
                {.min = ByteSize{64 * 1024}})
           .Add("workers", &PipelineOptions::workers,
                "Filter worker threads: a number, or `auto` for one per core (at most 8). Events "
                "of one source stay in order.",
                {.example = "4"})
           .Check([](const PipelineOptions& o) -> std::string {
             if (o.workers == "auto") return "";
             int64_t n = 0;
             auto [end, ec] =
                 std::from_chars(o.workers.data(), o.workers.data() + o.workers.size(), n);
             if (ec != std::errc() || end != o.workers.data() + o.workers.size() || n < 1 ||
                 n > 256) {
               return "workers: expected 'auto' or a number from 1 to 256, got '" + o.workers + "'";
             }
             return "";
           });
  return *schema;
}

int PipelineOptions::WorkerCount() const {
  if (workers == "auto") {
    return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 8u));
  }
  return std::stoi(workers);
}

Config LoadConfigText(const std::string& text, const std::string& name, Diagnostics& diags,
                      const EnvLookup& env) {
  Loader loader{diags, env, {}, {}};
  loader.LoadText(text, name);
  loader.config.secret_files = diags.secret_files();
  if (diags.ok() && loader.config.pipelines.empty()) {
    diags.Error(SourceLocation{name, 0, 0},
                "no pipelines defined; add 'pipelines: {NAME: {inputs: [...], outputs: [...]}}'");
  }
  return std::move(loader.config);
}

Config LoadConfig(const std::string& path, Diagnostics& diags, const EnvLookup& env) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      std::string ext = entry.path().extension().string();
      if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml")) {
        files.push_back(entry.path().string());
      }
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      diags.Error(SourceLocation{path, 0, 0}, "no *.yaml or *.yml files in this directory");
      return {};
    }
  } else {
    files.push_back(path);
  }
  Loader loader{diags, env, {}, {}};
  for (const std::string& file : files) {
    // 16 MiB: a config of thousands of pipelines is far smaller.
    Result<std::string> text = ReadBoundedFile(file, 16 << 20);
    if (!text.ok()) {
      diags.Error(SourceLocation{file, 0, 0},
                  "cannot read config file: " + std::string(text.status().message()));
      continue;
    }
    loader.LoadText(*text, file);
  }
  loader.config.secret_files = diags.secret_files();
  if (diags.ok() && loader.config.pipelines.empty()) {
    diags.Error(SourceLocation{path, 0, 0},
                "no pipelines defined; add 'pipelines: {NAME: {inputs: [...], outputs: [...]}}'");
  }
  return std::move(loader.config);
}

}  // namespace sluice::config
