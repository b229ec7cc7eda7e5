// k8s filter: adds the Kubernetes identity of the pod Sluice runs in (the EKS sidecar case) to
// every event: `kubernetes.pod.name`, `kubernetes.namespace`, `kubernetes.node.name`,
// `kubernetes.container.name`, `kubernetes.pod.uid`, `kubernetes.labels.<key>` and optionally
// `kubernetes.annotations.<key>`. Everything is read once at Build() from downward-API environment
// variables and the downward-API volume files (`key="value"` lines, values quoted with Go escapes);
// per event the filter only points fields at the strings it owns.
// Thread-safety: one instance per worker thread; Apply() reads immutable state only.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/options/env.h"
#include "pipeline/registry.h"

namespace sluice::filters {

class K8sFilter final : public Filter {
 public:
  struct Options {
    std::string pod_name_env = "POD_NAME";
    std::string namespace_env = "POD_NAMESPACE";
    std::string node_name_env = "NODE_NAME";
    std::string container_name_env = "CONTAINER_NAME";
    std::string pod_uid_env = "POD_UID";
    std::string labels_file = "/etc/podinfo/labels";
    std::string annotations_file;
    std::string prefix = "kubernetes.";
    bool dedot = true;
    bool overwrite = false;
    // Where environment variables come from; null: the process environment. Not a config option
    // (tests inject a map).
    config::EnvLookup env;
    static const config::OptionSchema<Options>& Schema();
  };
  static Result<std::unique_ptr<K8sFilter>> Build(const Options& options, PluginContext& context);

  K8sFilter(const Options& options, PluginContext& context);

  // kMatched when at least one field was set; kSkipped when nothing is known (or, without
  // `overwrite`, the event already had every field).
  FilterResult Apply(Event& event) override;

  // The (name, value) pairs set on every event, in order. For tests and the start-up log.
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

  // One line of a downward-API file, `key="value"` with the value quoted as Go's %q does
  // (\" \\ \a \b \f \n \r \t \v, \xHH, \ooo, \uHHHH, \UHHHHHHHH). Returns false when the line is
  // not of that form.
  static bool ParseDownwardApiLine(std::string_view line, std::string* key, std::string* value);

 private:
  // Reads `path` into (key, value) pairs; a missing file gives none (logged at info).
  std::vector<std::pair<std::string, std::string>> ReadDownwardApiFile(const std::string& path,
                                                                       std::string_view what,
                                                                       const Logger& logger);

  const Options options_;
  std::vector<std::pair<std::string, std::string>> fields_;
};

}  // namespace sluice::filters
