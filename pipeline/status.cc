#include "pipeline/status.h"

namespace sluice {

std::string SourceLocation::ToString() const {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  if (!where_.known()) return message_;
  return where_.ToString() + ": " + message_;
}

}  // namespace sluice
