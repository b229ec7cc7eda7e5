#include "pipeline/options/node_reader.h"

namespace sluice::config {

SourceLocation NodeReader::LocationOf(const YAML::Node& n) const {
  YAML::Mark mark = n.Mark();
  if (mark.is_null()) return SourceLocation{file_, 0, 0};
  return SourceLocation{file_, mark.line + 1, mark.column + 1};
}

NodeReader NodeReader::Child(const YAML::Node& value, std::string_view key) const {
  std::string path = path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  return NodeReader(value, file_, std::move(path), diags_, env_);
}

NodeReader NodeReader::Item(const YAML::Node& value, size_t index) const {
  return NodeReader(value, file_, path_ + "[" + std::to_string(index) + "]", diags_, env_);
}

void NodeReader::Error(std::string_view message) const { ErrorAt(node_, message); }

void NodeReader::ErrorAt(const YAML::Node& n, std::string_view message) const {
  std::string text = path_.empty() ? std::string(message) : path_ + ": " + std::string(message);
  diags_.Error(LocationOf(n), std::move(text));
}

std::string NodeReader::Describe() const {
  switch (node_.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "'" + node_.Scalar() + "'";
    default:
      return "nothing";
  }
}

bool NodeReader::Scalar(std::string* out, std::string_view expected) const {
  if (!node_.IsScalar()) {
    Error("expected " + std::string(expected) + ", got " + Describe());
    return false;
  }
  Result<std::string> value = SubstituteEnv(node_.Scalar(), env_);
  if (!value.ok()) {
    Error(value.status().message());
    return false;
  }
  *out = std::move(value).value();
  return true;
}

}  // namespace sluice::config
