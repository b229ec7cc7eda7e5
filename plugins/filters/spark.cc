#include "plugins/filters/spark.h"

#include <array>
#include <cctype>
#include <cstring>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>

namespace sluice::filters {

SLUICE_REGISTER_FILTER(SparkFilter, "spark",
                       "Spark app id, YARN container, executor id and role from the file path "
                       "(YARN, EMR, standalone, Kubernetes) or the Spark-on-Kubernetes env.");

namespace {

constexpr std::string_view kAppIdField = "spark.app_id";
constexpr std::string_view kContainerIdField = "yarn.container_id";
constexpr std::string_view kExecutorIdField = "spark.executor_id";
constexpr std::string_view kRoleField = "spark.role";
constexpr std::string_view kDriver = "driver";
constexpr std::string_view kExecutor = "executor";
// Spark's default container names in its driver and executor pods.
constexpr std::string_view kK8sDriverContainer = "spark-kubernetes-driver";
constexpr std::string_view kK8sExecutorContainer = "spark-kubernetes-executor";
// launch_container.sh is a few KiB; a longer file is read this far.
constexpr size_t kMaxLaunchScriptBytes = 1 << 20;

using Span = SparkFilter::Span;
using Role = SparkFilter::Role;

// A left-to-right matcher over one path component.
struct Cursor {
  std::string_view s;
  size_t i = 0;
  bool Lit(std::string_view lit) {
    if (s.substr(i, lit.size()) != lit) return false;
    i += lit.size();
    return true;
  }
  // At least `min` and at most `max` ASCII digits.
  bool Digits(size_t min = 1, size_t max = std::string_view::npos) {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < max) ++i;
    return i - start >= min;
  }
  bool End() const { return i == s.size(); }
};

bool IsDigits(std::string_view s) {
  Cursor c{s};
  return c.Digits() && c.End();
}

// `application_<digits>_<digits>`.
bool IsYarnApplication(std::string_view s) {
  Cursor c{s};
  return c.Lit("application_") && c.Digits() && c.Lit("_") && c.Digits() && c.End();
}

// `container_[e<epoch>_]<cluster ts>_<app seq>_<attempt>_<container>`. On success *suffix is the
// range of `_<cluster ts>_<app seq>` within `s` and *first whether the container number is 1 (the
// ApplicationMaster).
bool IsYarnContainer(std::string_view s, Span* suffix, bool* first) {
  Cursor c{s};
  if (!c.Lit("container_")) return false;
  size_t mark = c.i;
  if (!(c.Lit("e") && c.Digits() && c.Lit("_"))) c.i = mark;
  size_t suffix_start = c.i - 1;  // the '_' before the cluster timestamp
  if (!(c.Digits() && c.Lit("_") && c.Digits())) return false;
  size_t suffix_end = c.i;
  if (!(c.Lit("_") && c.Digits() && c.Lit("_"))) return false;
  size_t number_start = c.i;
  if (!(c.Digits() && c.End())) return false;
  std::string_view number = s.substr(number_start);
  size_t nonzero = number.find_first_not_of('0');
  *first = nonzero != std::string_view::npos && number.substr(nonzero) == "1";
  *suffix = Span{suffix_start, suffix_end - suffix_start};
  return true;
}

// Spark standalone ids: `app-yyyyMMddHHmmss-NNNN`, `driver-yyyyMMddHHmmss-NNNN`.
bool IsStandaloneId(std::string_view s, std::string_view prefix) {
  Cursor c{s};
  return c.Lit(prefix) && c.Digits(14, 14) && c.Lit("-") && c.Digits() && c.End();
}

// The executor id N of a Spark-on-Kubernetes executor pod name `...-exec-N`, or an empty span.
Span K8sExecutorId(std::string_view pod, size_t pod_offset) {
  size_t at = pod.rfind("-exec-");
  if (at == std::string_view::npos) return {};
  std::string_view id = pod.substr(at + 6);
  if (!IsDigits(id)) return {};
  return Span{pod_offset + at + 6, id.size()};
}

// Whether `s` is `name-...` (a container name followed by its id).
bool IsContainerFile(std::string_view s, std::string_view name) {
  return s.size() > name.size() + 1 && s.starts_with(name) && s[name.size()] == '-';
}

}  // namespace

const config::OptionSchema<SparkFilter::Options>& SparkFilter::Options::Schema() {
  static const auto* schema =
      &(*new config::OptionSchema<Options>())
           .Add("path_field", &Options::path_field,
                "Field holding the log file path (set by the `file` input). Empty: do not look "
                "at paths.")
           .Add("use_env", &Options::use_env,
                "For events whose path is absent or says nothing, use SPARK_APPLICATION_ID, "
                "SPARK_EXECUTOR_ID and SPARK_ROLE from Sluice's environment (read at start).")
           .Add("overwrite", &Options::overwrite,
                "Replace fields the event already has. `false`: existing fields are kept.")
           .Add("launch_script", &Options::launch_script,
                "On YARN, read `spark.executor_id` from the container's `launch_container.sh` "
                "beside its logs (Hadoop 3 keeps it there): the executor's `--executor-id`, or "
                "`driver` for a cluster-mode ApplicationMaster. Read once per container.")
           .Check([](const Options& o) -> std::string {
             if (o.path_field.empty() && !o.use_env) {
               return "spark: path_field is empty and use_env is false: nothing to derive the "
                      "fields from";
             }
             return "";
           });
  return *schema;
}

Result<std::unique_ptr<SparkFilter>> SparkFilter::Build(const Options& options,
                                                        PluginContext& context) {
  return std::make_unique<SparkFilter>(options, context);
}

SparkFilter::SparkFilter(const Options& options, PluginContext& context) : options_(options) {
  if (!options_.use_env) return;
  config::EnvLookup env = options_.env ? options_.env : config::ProcessEnv();
  env_app_id_ = env("SPARK_APPLICATION_ID").value_or("");
  env_executor_id_ = env("SPARK_EXECUTOR_ID").value_or("");
  std::string role = env("SPARK_ROLE").value_or("");
  for (char& ch : role) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (role == kDriver) {
    env_role_ = Role::kDriver;
  } else if (role == kExecutor) {
    env_role_ = Role::kExecutor;
  } else {
    if (!role.empty()) {
      context.logger.Once(LogLevel::kWarn,
                          "SPARK_ROLE is '" + role + "', not driver or executor; ignored");
    }
    if (!env_executor_id_.empty()) env_role_ = Role::kExecutor;
  }
}

SparkFilter::PathInfo SparkFilter::ParsePath(std::string_view path, std::vector<Span>& components) {
  components.clear();
  for (size_t i = 0; i < path.size();) {
    size_t end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    if (end > i) components.push_back(Span{i, end - i});
    i = end + 1;
  }
  const size_t n = components.size();
  auto comp = [&](size_t i) { return components[i].In(path); };
  PathInfo info;

  // YARN (NodeManager log dirs, EMR's /var/log/hadoop-yarn and /mnt/var/log/hadoop-yarn, their S3
  // copies): .../application_<ts>_<seq>/container_[eN_]<ts>_<seq>_<attempt>_<number>/FILE. The
  // last match of each wins (the directory closest to the file).
  for (size_t i = 0; i < n; ++i) {
    std::string_view c = comp(i);
    Span suffix;
    bool first = false;
    if (IsYarnApplication(c)) {
      info.app_id = components[i];
    } else if (IsYarnContainer(c, &suffix, &first)) {
      info.container_id = components[i];
      info.app_id_suffix = Span{components[i].offset + suffix.offset, suffix.length};
      info.role = first ? Role::kDriver : Role::kExecutor;
    }
  }
  if (!info.app_id.empty()) info.app_id_suffix = {};
  if (info.recognized()) return info;

  // The other layouts are directories with at least the file below them: component i is a
  // directory when i + 1 < n. The last match wins.
  for (size_t i = 0; i + 1 < n; ++i) {
    std::string_view c = comp(i);
    // Spark standalone worker: .../app-<yyyyMMddHHmmss>-<seq>/<executor id>/FILE, and a driver
    // launched in cluster mode: .../driver-<yyyyMMddHHmmss>-<seq>/FILE.
    if (IsStandaloneId(c, "app-")) {
      info = PathInfo{};
      info.app_id = components[i];
      if (i + 2 < n && IsDigits(comp(i + 1))) {
        info.executor_id = components[i + 1];
        info.role = Role::kExecutor;
      }
    } else if (IsStandaloneId(c, "driver-")) {
      info = PathInfo{};
      info.role = Role::kDriver;
    } else if (c == "SPARK_DRIVER") {
      // EMR Serverless: .../applications/<id>/jobs/<run>/SPARK_DRIVER/FILE.
      info = PathInfo{};
      info.role = Role::kDriver;
    } else if (c == "SPARK_EXECUTOR" && i + 2 < n && IsDigits(comp(i + 1))) {
      // EMR Serverless: .../SPARK_EXECUTOR/<executor id>/FILE.
      info = PathInfo{};
      info.executor_id = components[i + 1];
      info.role = Role::kExecutor;
    } else if (c == "containers" && i + 3 < n && comp(i + 1).size() > 6 &&
               comp(i + 1).starts_with("spark-")) {
      // EMR on EKS: .../jobs/<job>/containers/spark-<job>/<pod>/FILE, the pod being
      // spark-<job>-driver or <prefix>-exec-<N>.
      std::string_view pod = comp(i + 2);
      Span exec = K8sExecutorId(pod, components[i + 2].offset);
      if (pod.ends_with("-driver")) {
        info = PathInfo{};
        info.app_id = components[i + 1];
        info.role = Role::kDriver;
      } else if (!exec.empty()) {
        info = PathInfo{};
        info.app_id = components[i + 1];
        info.executor_id = exec;
        info.role = Role::kExecutor;
      }
    } else if (i + 2 < n &&
               (comp(i + 1) == kK8sDriverContainer || comp(i + 1) == kK8sExecutorContainer)) {
      // Kubernetes node: /var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log.
      size_t first = c.find('_');
      size_t last = c.rfind('_');
      if (first == std::string_view::npos || first == 0 || last == first || last + 1 == c.size() ||
          c.find('_', first + 1) != last) {
        continue;
      }
      info = PathInfo{};
      if (comp(i + 1) == kK8sDriverContainer) {
        info.role = Role::kDriver;
      } else {
        info.role = Role::kExecutor;
        info.executor_id =
            K8sExecutorId(c.substr(first + 1, last - first - 1), components[i].offset + first + 1);
      }
    }
  }
  if (info.recognized()) return info;

  // Kubernetes node: /var/log/containers/<pod>_<namespace>_<container>-<container id>.log.
  if (n >= 2 && comp(n - 2) == "containers" && comp(n - 1).ends_with(".log")) {
    std::string_view file = comp(n - 1);
    size_t first = file.find('_');
    size_t second = first == std::string_view::npos ? first : file.find('_', first + 1);
    if (first != std::string_view::npos && first > 0 && second != std::string_view::npos) {
      std::string_view container = file.substr(second + 1);
      if (IsContainerFile(container, kK8sDriverContainer)) {
        info.role = Role::kDriver;
      } else if (IsContainerFile(container, kK8sExecutorContainer)) {
        info.role = Role::kExecutor;
        info.executor_id = K8sExecutorId(file.substr(0, first), components[n - 1].offset);
      }
    }
  }
  return info;
}

std::optional<std::string> SparkFilter::ExecutorIdFromLaunchScript(const std::string& script_path) {
  std::ifstream in(script_path, std::ios::binary);
  if (!in) return std::nullopt;
  // Read in chunks: the script is a few KiB, and a path change must not cost a 1 MiB buffer.
  std::string script;
  std::array<char, 16 << 10> chunk;
  while (script.size() < kMaxLaunchScriptBytes) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    if (in.gcount() <= 0) break;
    script.append(chunk.data(), static_cast<size_t>(in.gcount()));
  }
  constexpr std::string_view kFlag = "--executor-id";
  for (size_t at = script.find(kFlag); at != std::string::npos; at = script.find(kFlag, at + 1)) {
    size_t begin = at + kFlag.size();
    if (begin >= script.size() || (script[begin] != ' ' && script[begin] != '=')) continue;
    while (begin < script.size() && (script[begin] == ' ' || script[begin] == '=')) ++begin;
    size_t end = begin;
    while (end < script.size() && (std::isalnum(static_cast<unsigned char>(script[end])) ||
                                   script[end] == '-' || script[end] == '_')) {
      ++end;
    }
    if (end > begin) return script.substr(begin, end - begin);
  }
  if (script.find("org.apache.spark.deploy.yarn.ApplicationMaster") != std::string::npos) {
    return std::string(kDriver);
  }
  return std::string();
}

std::string SparkFilter::YarnExecutorId() const {
  const PathInfo& info = cache_info_;
  if (info.container_id.empty() || !info.executor_id.empty()) return "";
  const bool application_master = info.role == Role::kDriver;
  if (options_.launch_script) {
    const std::string dir(std::string_view(cache_path_)
                              .substr(0, info.container_id.offset + info.container_id.length));
    if (auto id = ExecutorIdFromLaunchScript(dir + "/launch_container.sh")) return *id;
  }
  // No script: the ApplicationMaster is labelled the driver, as its role is.
  return application_master ? std::string(kDriver) : "";
}

bool SparkFilter::SetField(Event& event, std::string_view name, std::string_view value) const {
  if (value.empty()) return false;
  if (!options_.overwrite && event.Get(name) != nullptr) return false;
  event.SetView(name, Value::String(value));
  return true;
}

bool SparkFilter::SetFromPath(Event& event, std::string_view path) const {
  const PathInfo& info = cache_info_;
  bool set = false;
  if (!info.app_id.empty()) {
    set |= SetField(event, kAppIdField, info.app_id.In(path));
  } else if (!info.app_id_suffix.empty() &&
             (options_.overwrite || event.Get(kAppIdField) == nullptr)) {
    // application_<ts>_<seq> from the container id: new bytes, in the event's arena.
    std::string_view suffix = info.app_id_suffix.In(path);
    constexpr std::string_view kPrefix = "application";
    char* bytes = static_cast<char*>(event.arena().Allocate(kPrefix.size() + suffix.size(), 1));
    std::memcpy(bytes, kPrefix.data(), kPrefix.size());
    std::memcpy(bytes + kPrefix.size(), suffix.data(), suffix.size());
    set |= SetField(event, kAppIdField, std::string_view(bytes, kPrefix.size() + suffix.size()));
  }
  set |= SetField(event, kContainerIdField, info.container_id.In(path));
  if (!info.executor_id.empty()) {
    set |= SetField(event, kExecutorIdField, info.executor_id.In(path));
  } else if (!cache_executor_id_.empty() &&
             (options_.overwrite || event.Get(kExecutorIdField) == nullptr)) {
    set |= SetField(event, kExecutorIdField, event.arena().Copy(cache_executor_id_));
  }
  if (info.role != Role::kNone) {
    set |= SetField(event, kRoleField, info.role == Role::kDriver ? kDriver : kExecutor);
  }
  return set;
}

bool SparkFilter::SetFromEnv(Event& event) const {
  bool set = false;
  set |= SetField(event, kAppIdField, env_app_id_);
  set |= SetField(event, kExecutorIdField, env_executor_id_);
  if (env_role_ != Role::kNone) {
    set |= SetField(event, kRoleField, env_role_ == Role::kDriver ? kDriver : kExecutor);
  }
  return set;
}

FilterResult SparkFilter::Apply(Event& event) {
  bool set = false;
  std::optional<std::string_view> path;
  if (!options_.path_field.empty()) path = event.GetText(options_.path_field);
  if (path) {
    if (!cache_valid_ || *path != cache_path_) {
      cache_path_.assign(path->data(), path->size());
      cache_info_ = ParsePath(cache_path_, components_);
      cache_valid_ = true;
      cache_executor_id_ = YarnExecutorId();
    }
    if (cache_info_.recognized()) {
      set = SetFromPath(event, *path);
      return set ? FilterResult::kMatched : FilterResult::kSkipped;
    }
  }
  if (options_.use_env) set = SetFromEnv(event);
  return set ? FilterResult::kMatched : FilterResult::kSkipped;
}

}  // namespace sluice::filters
