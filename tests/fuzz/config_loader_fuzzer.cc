// Fuzz target: the config loader. The input is the text of a config file, loaded with
// config::LoadConfigText() as `fuzz.yaml` with every plugin registered (the plugins are linked as
// objects, as in the sluice binary), so each plugin's option schema parses what the input holds
// and runs its Compile step (grok patterns, regexes, time formats, globs, dissect patterns).
// A config that loads is then used as `sluice test` would: each input frames a fixed text
// (multiline, CRI) and each `when:` condition is evaluated on a fixed event.
// Checks, besides no crash, leak or undefined behaviour: every error has a message, and a load
// without errors has a pipeline whose plugins all have a factory and parsed options.
// Deterministic: `${VAR}` reads a fixed fake environment, never the process's.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/config.h"
#include "pipeline/event_batch.h"
#include "pipeline/log.h"
#include "pipeline/registry.h"

namespace {

using sluice::config::Config;
using sluice::config::Diagnostics;
using sluice::config::EnvLookup;
using sluice::config::PluginConfig;

constexpr std::string_view kFramedText =
    "17/06/09 20:10:40 ERROR executor.Executor: Exception in task 0.0\n"
    "java.lang.OutOfMemoryError: Java heap space\n"
    "\tat java.util.Arrays.copyOf(Arrays.java:3236)\n"
    "2024-05-01T12:00:00.123456789Z stderr F 24/05/01 12:00:00 INFO SparkContext: ok\r\n"
    "last line without newline";

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "config_loader_fuzzer: %s\n", what);
  std::abort();
}

// ${VAR} lookups: SET_* variables are set, EMPTY_* are set to "", others are unset.
std::optional<std::string> FakeEnv(const std::string& name) {
  if (name.starts_with("SET")) return "value";
  if (name.starts_with("EMPTY")) return "";
  return std::nullopt;
}

// The loader reads the files a config names (`token_file`, grok `pattern_files` and
// `patterns_dir`). Reading a device such as /dev/zero never ends; keep the fuzzer off the paths
// where those live (a limit of the target, see README.md).
bool NamesASpecialPath(std::string_view text) {
  for (std::string_view dir : {"/dev", "/proc", "/sys"}) {
    if (text.find(dir) != std::string_view::npos) return true;
  }
  return false;
}

struct Fixture {
  Fixture() {
    sluice::SetLogLevel(sluice::LogLevel::kError);
    // Without the plugins' registrations the target would only reach "unknown type" errors.
    if (sluice::Registry::Get().Find(sluice::PluginKind::kFilter, "grok") == nullptr ||
        sluice::Registry::Get().Find(sluice::PluginKind::kInput, "file") == nullptr) {
      Fail("the plugins are not registered: link sluice_plugins as objects");
    }
    event.Set("log.level", sluice::Value::String("ERROR"));
    event.Set("bytes", sluice::Value::Int(1234));
    event.AddTag("java_exception");
  }
  EnvLookup env = FakeEnv;
  sluice::EventBatch batch;
  sluice::Event& event = batch.Add(0, "17/06/09 20:10:40 ERROR executor.Executor: OutOfMemory");
};

void CheckPlugins(const std::vector<PluginConfig>& plugins, const Fixture& fixture) {
  for (const PluginConfig& p : plugins) {
    if (p.factory == nullptr || p.options == nullptr) {
      Fail("a loaded plugin has no factory/options");
    }
    if (p.when != nullptr) (void)p.when->Matches(fixture.event);
    if (p.kind == sluice::PluginKind::kInput) {
      sluice::EventBatch framed;
      p.factory->FrameForTest(p.options.get(), kFramedText, framed);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Fixture* fixture = new Fixture();
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (NamesASpecialPath(text)) return -1;

  Diagnostics diags;
  const Config config = sluice::config::LoadConfigText(text, "fuzz.yaml", diags, fixture->env);
  for (const sluice::Status& error : diags.errors()) {
    if (error.message().empty()) Fail("an error without a message");
  }
  (void)diags.ToString();
  if (!diags.ok()) return 0;

  if (config.pipelines.empty()) Fail("a config without errors and without pipelines");
  for (const sluice::config::PipelineConfig& pipeline : config.pipelines) {
    CheckPlugins(pipeline.inputs, *fixture);
    CheckPlugins(pipeline.filters, *fixture);
    CheckPlugins(pipeline.outputs, *fixture);
  }
  return 0;
}
