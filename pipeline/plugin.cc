#include "pipeline/plugin.h"

namespace sluice {

const char* PluginKindName(PluginKind kind) {
  switch (kind) {
    case PluginKind::kInput:
      return "input";
    case PluginKind::kFilter:
      return "filter";
    case PluginKind::kOutput:
      return "output";
  }
  return "?";
}

const char* FilterResultName(FilterResult result) {
  switch (result) {
    case FilterResult::kMatched:
      return "matched";
    case FilterResult::kFailed:
      return "failed";
    case FilterResult::kSkipped:
      return "skipped";
    case FilterResult::kDropped:
      return "dropped";
  }
  return "?";
}

}  // namespace sluice
