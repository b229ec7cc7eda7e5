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

}  // namespace sluice
