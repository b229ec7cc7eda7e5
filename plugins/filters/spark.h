// spark filter: names the Spark application, YARN container, executor and role an event comes from:
// `spark.app_id`, `yarn.container_id`, `spark.executor_id` and `spark.role` (`driver` or
// `executor`). It reads them from the event's file path (YARN / EMR container directories, Spark
// standalone work directories, EMR Serverless and EMR on EKS log layouts, Kubernetes node log
// paths) and, for events whose path says nothing, from the Spark-on-Kubernetes environment
// variables
// (`SPARK_APPLICATION_ID`, `SPARK_EXECUTOR_ID`, `SPARK_ROLE`) read once at Build().
// Per event it compares the path with the previous event's (every line of a file has the same path)
// and reuses that parse: values are views into the current event's path bytes, so a repeated path
// costs one comparison and no allocation.
// Thread-safety: one instance per worker thread; Apply() uses the instance's own cache.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/options/env.h"
#include "pipeline/registry.h"

namespace sluice::filters {

class SparkFilter final : public Filter {
 public:
  struct Options {
    std::string path_field = "log.file.path";
    bool use_env = true;
    bool overwrite = false;
    bool launch_script = true;
    // Where environment variables come from; null: the process environment. Not a config option
    // (tests inject a map).
    config::EnvLookup env;
    static const config::OptionSchema<Options>& Schema();
  };
  static Result<std::unique_ptr<SparkFilter>> Build(const Options& options, PluginContext& context);

  SparkFilter(const Options& options, PluginContext& context);

  // kMatched when at least one field was set, kSkipped otherwise (path unrecognized or absent and
  // no environment values, or every field already present without `overwrite`).
  FilterResult Apply(Event& event) override;

  enum class Role : uint8_t { kNone, kDriver, kExecutor };
  // A byte range of the parsed path.
  struct Span {
    size_t offset = 0;
    size_t length = 0;
    bool empty() const { return length == 0; }
    std::string_view In(std::string_view text) const { return text.substr(offset, length); }
  };
  // What a path says, as ranges of the path (valid for any byte-identical path).
  struct PathInfo {
    Span app_id;
    // `_<cluster timestamp>_<sequence>` of a container id when the path has no application
    // directory: the app id is "application" + this.
    Span app_id_suffix;
    Span container_id;
    Span executor_id;
    Role role = Role::kNone;
    bool recognized() const {
      return !app_id.empty() || !app_id_suffix.empty() || !container_id.empty() ||
             !executor_id.empty() || role != Role::kNone;
    }
  };
  // Parses `path`; `components` is scratch space. Exposed for tests.
  static PathInfo ParsePath(std::string_view path, std::vector<Span>& components);
  // The Spark executor id in a YARN container's launch_container.sh (the NodeManager's copy in
  // the container's log directory, Hadoop 3): the `--executor-id` of an executor's command line,
  // "driver" for a cluster-mode ApplicationMaster (it runs the driver), "" for a client-mode one
  // (ExecutorLauncher: the driver runs outside YARN) or a script of something else; nullopt when
  // the script cannot be read. Exposed for tests.
  static std::optional<std::string> ExecutorIdFromLaunchScript(const std::string& script_path);

 private:
  bool SetField(Event& event, std::string_view name, std::string_view value) const;
  bool SetFromPath(Event& event, std::string_view path) const;
  bool SetFromEnv(Event& event) const;
  // The executor id of the cached path's YARN container ("" when not a container, or none).
  std::string YarnExecutorId() const;

  const Options options_;
  // From the environment, read once (owned: given to events as views).
  std::string env_app_id_;
  std::string env_executor_id_;
  Role env_role_ = Role::kNone;
  // The last path parsed and its result.
  bool cache_valid_ = false;
  std::string cache_path_;
  PathInfo cache_info_;
  // The executor id of cache_path_'s YARN container (launch_container.sh or the AM rule); "" for
  // none. Copied into each event's arena: the cache changes under events already handed on.
  std::string cache_executor_id_;
  std::vector<Span> components_;
};

}  // namespace sluice::filters
