// NodeReader: a YAML node being read, with what error messages need: the file, the 1-based
// line:column of the node, and its path in the config (`pipelines.spark.outputs[0].topic`). Scalars
// are read through it so that ${VAR} substitution applies everywhere. yaml-cpp is only touched here
// and in the loader; its exceptions never escape them.
// Thread-safety: none; one load at a time.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

#include "pipeline/options/diagnostics.h"
#include "pipeline/options/env.h"

namespace sluice::config {

class NodeReader {
 public:
  NodeReader(YAML::Node node, const std::string& file, std::string path, Diagnostics& diags,
             const EnvLookup& env)
      : node_(std::move(node)), file_(file), path_(std::move(path)), diags_(diags), env_(env) {}

  const YAML::Node& node() const { return node_; }
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  Diagnostics& diags() const { return diags_; }
  const EnvLookup& env() const { return env_; }

  SourceLocation where() const { return LocationOf(node_); }
  SourceLocation LocationOf(const YAML::Node& n) const;

  // A reader for the value of map key `key` / sequence element `index`.
  NodeReader Child(const YAML::Node& value, std::string_view key) const;
  NodeReader Item(const YAML::Node& value, size_t index) const;

  // Records "<path>: <message>" at this node.
  void Error(std::string_view message) const;
  void ErrorAt(const YAML::Node& n, std::string_view message) const;

  // The scalar's text with ${VAR} substituted. When the node is not a scalar, or substitution
  // fails, records "expected <expected>, got a map|a list|nothing" (or the substitution error) and
  // returns false.
  bool Scalar(std::string* out, std::string_view expected) const;
  // What the node is, for messages: "a map", "a list", "nothing", "'text'".
  std::string Describe() const;

 private:
  YAML::Node node_;
  const std::string& file_;
  std::string path_;
  Diagnostics& diags_;
  const EnvLookup& env_;
};

}  // namespace sluice::config
