// Fuzz target: the grok pattern compiler. The input is a pattern, compiled with CompilePattern()
// against the shipped pattern library (config/patterns/, embedded in the plugins library and
// reached through PatternLibrary::Builtin(), as the grok filter does), in grok syntax and again in
// the regex filter's syntax. A pattern that compiles is made into a PatternMatcher and run on a few
// fixed lines; its captures are applied to an event.
// Checks, besides no crash, leak or undefined behaviour: a rejected pattern has a message and is
// never an internal error (the expansion's groups and RE2's disagreeing, or RE2 rejecting the
// program after accepting the full regex); a compiled pattern keeps the text as written; non-empty
// captures are views of the matched text.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pipeline/event_batch.h"
#include "plugins/common/grok/grok_compiler.h"
#include "plugins/common/grok/grok_pattern_library.h"
#include "plugins/common/grok/grok_pattern_matcher.h"

namespace {

namespace grok = sluice::common::grok;

constexpr std::string_view kLines[] = {
    "17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers for "
    "[TERM, HUP, INT]",
    "2017-06-09 20:10:40,123 WARN org.apache.hadoop.yarn.server.nodemanager.NodeManager: "
    "container_1496996240000_0001_01_000002 exited\n\tat a.b.C.d(C.java:12)\n\tat e.f(G.java:3)",
    "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /a.gif HTTP/1.0\" 200 2326",
    "",
    std::string_view("\xff\xfe\x00 %{ \n\r\n", 9),
};

[[noreturn]] void Fail(const char* what, std::string_view pattern) {
  std::fprintf(stderr, "grok_compiler_fuzzer: %s: '%.*s'\n", what, static_cast<int>(pattern.size()),
               pattern.data());
  std::abort();
}

bool Inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

void CompileAndRun(std::string_view pattern, grok::PatternSyntax syntax) {
  const grok::PatternLibrary& library = grok::PatternLibrary::Builtin();
  sluice::Result<grok::CompiledPattern> compiled = grok::CompilePattern(pattern, library, syntax);
  if (!compiled.ok()) {
    if (compiled.status().message().empty()) Fail("a rejected pattern without a message", pattern);
    if (compiled.status().code() == sluice::StatusCode::kInternal) {
      std::fprintf(stderr, "grok_compiler_fuzzer: %s\n",
                   std::string(compiled.status().message()).c_str());
      Fail("an internal error compiling", pattern);
    }
    return;
  }
  if (compiled->pattern != pattern) Fail("the compiled pattern is not the text", pattern);
  sluice::Result<grok::PatternMatcher> matcher = grok::PatternMatcher::Create(*compiled);
  if (!matcher.ok()) Fail("RE2 rejects the program of a compiled pattern", pattern);

  for (std::string_view line : kLines) {
    sluice::EventBatch batch(1);
    sluice::Event& event = batch.Add(0, line);
    const std::string_view text = event.message();
    if (!matcher->Match(text)) continue;
    for (size_t i = 0; i < matcher->capture_count(); ++i) {
      const std::string_view capture = matcher->capture(i);
      // An empty capture's pointer is meaningless (RE2 gives one of its own for an empty text).
      if (!capture.empty() && !Inside(capture, text)) {
        Fail("a capture outside the matched text", pattern);
      }
    }
    matcher->Apply(event, /*keep_empty=*/(line.size() & 1) != 0);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The shipped library parses (a unit test checks it); an empty one means it was not embedded.
  static const bool library_loaded = grok::PatternLibrary::Builtin().size() > 0;
  const std::string_view pattern(reinterpret_cast<const char*>(data), size);
  if (!library_loaded) Fail("the builtin pattern library is empty", pattern);
  CompileAndRun(pattern, grok::PatternSyntax::kGrok);
  CompileAndRun(pattern, grok::PatternSyntax::kRegex);
  return 0;
}
