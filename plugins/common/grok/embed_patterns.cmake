# Writes OUTPUT, a C++ source holding every file of PATTERN_DIR (config/patterns/) as a raw string
# literal, so that the builtin grok library is the text of those files. Run as a script:
#   cmake -DPATTERN_DIR=config/patterns -DOUTPUT=grok_builtin_patterns.cc -P embed_patterns.cmake
cmake_minimum_required(VERSION 3.25)

if(NOT DEFINED PATTERN_DIR OR NOT DEFINED OUTPUT)
  message(FATAL_ERROR "usage: cmake -DPATTERN_DIR=<dir> -DOUTPUT=<file.cc> -P embed_patterns.cmake")
endif()

set(delimiter "sluice_grok_")
file(GLOB files LIST_DIRECTORIES false RELATIVE "${PATTERN_DIR}" "${PATTERN_DIR}/*")
list(SORT files)

set(body "")
foreach(name IN LISTS files)
  if(name MATCHES "^\\.")
    continue()  # editor and VCS files
  endif()
  file(READ "${PATTERN_DIR}/${name}" content)
  string(FIND "${content}" ")${delimiter}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${PATTERN_DIR}/${name} contains the literal delimiter )${delimiter}\"")
  endif()
  string(APPEND body "    {\"${name}\", R\"${delimiter}(${content})${delimiter}\"},\n")
endforeach()

if(body STREQUAL "")
  message(FATAL_ERROR "no pattern files in ${PATTERN_DIR}")
endif()

set(source "// Generated from config/patterns/ by plugins/common/grok/embed_patterns.cmake. Do not edit.
#include \"plugins/common/grok/grok_builtin_patterns.h\"

namespace sluice::common::grok {
namespace {

constexpr BuiltinPatternFile kFiles[] = {
${body}};

}  // namespace

std::span<const BuiltinPatternFile> BuiltinPatternFiles() { return kFiles; }

}  // namespace sluice::common::grok
")

file(WRITE "${OUTPUT}" "${source}")
