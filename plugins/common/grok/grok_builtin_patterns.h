// The grok pattern library shipped inside the binary: the files of config/patterns/, embedded at
// build time by embed_patterns.cmake (plugins/CMakeLists.txt runs it), so `%{SPARK_LOG4J}` works
// with no file installed. Thread-safety: constant data.
#pragma once

#include <span>
#include <string_view>

namespace sluice::common::grok {

struct BuiltinPatternFile {
  std::string_view name;  // the file name under config/patterns/ ("grok-patterns", "spark")
  std::string_view text;  // its content, byte for byte
};

// Every embedded file, sorted by name.
std::span<const BuiltinPatternFile> BuiltinPatternFiles();

}  // namespace sluice::common::grok
