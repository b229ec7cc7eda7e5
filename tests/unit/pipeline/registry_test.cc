#include "pipeline/registry.h"
#include "pipeline/tap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "pipeline/buffer/disk_buffer.h"
#include "pipeline/config.h"
#include "pipeline/engine_metrics.h"

namespace sluice {
namespace {

TEST(RegistryTest, ExactlyTheseTypesAreRegistered) {
  EXPECT_EQ(Registry::Get().Types(PluginKind::kInput),
            std::vector<std::string>({"file", "generate", "kafka", "s3", "stdin"}));
  EXPECT_EQ(Registry::Get().Types(PluginKind::kFilter),
            std::vector<std::string>({"dissect", "drop", "grok", "json", "k8s", "kv", "mutate",
                                      "regex", "sample", "spark", "template", "timestamp"}));
  EXPECT_EQ(
      Registry::Get().Types(PluginKind::kOutput),
      std::vector<std::string>({"blackhole", "elasticsearch", "file", "kafka", "s3", "stdout"}));
}

TEST(RegistryTest, EveryOptionIsDocumented) {
  for (const PluginFactory* f : Registry::Get().All()) {
    EXPECT_FALSE(f->summary().empty()) << f->type();
    for (const auto& o : f->options()) {
      EXPECT_GE(o.doc.size(), 10u) << f->type() << "." << o.key << " needs a real description";
      EXPECT_EQ(o.key.find_first_not_of("abcdefghijklmnopqrstuvwxyz_"), std::string::npos)
          << f->type() << "." << o.key << " is not snake_case";
    }
  }
}

// Every plugin has a docs page, and the option table in it is the one the schema generates (run
// scripts/gen-docs after changing options).
TEST(RegistryTest, DocsPagesCarryTheGeneratedOptionTables) {
  for (const PluginFactory* f : Registry::Get().All()) {
    std::string path = std::string(SLUICE_SOURCE_DIR) + "/docs/plugins/" +
                       PluginKindName(f->kind()) + "s/" + f->type() + ".md";
    std::ifstream in(path);
    ASSERT_TRUE(in) << "missing docs page " << path;
    std::stringstream text;
    text << in.rdbuf();
    std::string expected = "<!-- options:begin -->\n" +
                           config::OptionsMarkdownWithNested(f->options()) + "<!-- options:end -->";
    EXPECT_NE(text.str().find(expected), std::string::npos)
        << path << " has a stale option table; run scripts/gen-docs";
  }
}

// docs/configuration.md carries the generated tables of the process and pipeline settings.
TEST(RegistryTest, ConfigurationDocsCarryTheGeneratedSettingsTables) {
  std::ifstream in(std::string(SLUICE_SOURCE_DIR) + "/docs/configuration.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::vector<std::pair<std::string, std::vector<config::OptionInfo>>> sections = {
      {"process", config::ProcessOptions::Schema().infos()},
      {"admin", config::AdminOptions::Schema().infos()},
      {"admin_tls", config::AdminTlsOptions::Schema().infos()},
      {"log", config::LogOptions::Schema().infos()},
      {"priority", config::PriorityOptions::Schema().infos()},
      {"pipeline", config::PipelineOptions::Schema().infos()},
      {"buffer", buffer::BufferOptions::Schema().infos()},
  };
  for (const auto& [name, infos] : sections) {
    std::string expected = "<!-- options:begin settings/" + name + " -->\n" +
                           config::OptionsMarkdown(infos) + "<!-- options:end -->";
    EXPECT_NE(text.str().find(expected), std::string::npos)
        << "docs/configuration.md: stale settings/" << name << " table; run scripts/gen-docs";
  }
}

// Every plugin with metrics of its own carries their generated table in its docs page, and
// docs/operations.md the engine's (run scripts/gen-docs after changing a metric set).
TEST(RegistryTest, DocsCarryTheGeneratedMetricTables) {
  auto read = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  for (const PluginFactory* f : Registry::Get().All()) {
    if (f->metrics().empty()) continue;
    std::string path = std::string(SLUICE_SOURCE_DIR) + "/docs/plugins/" +
                       PluginKindName(f->kind()) + "s/" + f->type() + ".md";
    std::string expected =
        "<!-- metrics:begin -->\n" + MetricsMarkdown(f->metrics()) + "<!-- metrics:end -->";
    EXPECT_NE(read(path).find(expected), std::string::npos)
        << path << " has a stale metric table; run scripts/gen-docs";
    for (const MetricInfo& m : f->metrics()) {
      EXPECT_EQ(m.name.rfind("sluice_", 0), 0u) << m.name << " lacks the sluice_ prefix";
      EXPECT_GE(m.help.size(), 10u) << m.name << " needs a real description";
    }
  }
  const std::string operations = read(std::string(SLUICE_SOURCE_DIR) + "/docs/operations.md");
  const std::vector<std::pair<std::string, std::vector<MetricInfo>>> engine = {
      {"component", ComponentMetricSet::Infos()},
      {"filter", FilterMetrics::Infos()},
      {"pipeline", PipelineMetrics::Infos()},
      {"buffer", buffer::BufferMetrics::Infos()},
      {"tap", TapMetrics::Infos()},
  };
  for (const auto& [name, infos] : engine) {
    std::string expected = "<!-- metrics:begin engine/" + name + " -->\n" + MetricsMarkdown(infos) +
                           "<!-- metrics:end -->";
    EXPECT_NE(operations.find(expected), std::string::npos)
        << "docs/operations.md: stale engine/" << name << " metric table; run scripts/gen-docs";
  }
}

// No metric is registered around the metric sets: every "sluice_..." name written in the engine,
// the agent or a plugin is a declared metric (or a prefix of some, as the admin API's grouping
// uses), so every metric /metrics exposes is in the generated docs.
TEST(RegistryTest, EveryMetricNameInTheSourcesIsDeclared) {
  std::set<std::string> declared;
  auto add = [&](const std::vector<MetricInfo>& infos) {
    for (const MetricInfo& m : infos) declared.insert(m.name);
  };
  add(ComponentMetricSet::Infos());
  add(FilterMetrics::Infos());
  add(PipelineMetrics::Infos());
  add(buffer::BufferMetrics::Infos());
  add(TapMetrics::Infos());
  for (const PluginFactory* f : Registry::Get().All()) add(f->metrics());
  const std::regex name("\"(sluice_[a-z0-9_]+)\"");
  size_t seen = 0;
  for (const char* dir : {"pipeline", "plugins", "agent"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(
             std::filesystem::path(SLUICE_SOURCE_DIR) / dir)) {
      const std::string ext = entry.path().extension().string();
      if (ext != ".cc" && ext != ".h") continue;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      const std::string source = text.str();
      for (std::sregex_iterator it(source.begin(), source.end(), name), end; it != end; ++it) {
        const std::string found = (*it)[1];
        ++seen;
        bool known = declared.count(found) > 0 ||
                     std::any_of(declared.begin(), declared.end(),
                                 [&](const std::string& d) { return d.starts_with(found); });
        EXPECT_TRUE(known) << entry.path() << " names metric " << found
                           << ", which no metric set declares (pipeline/metric_set.h)";
      }
    }
  }
  EXPECT_GT(seen, 50u);  // the scan found the declarations themselves
}

// Each plugin's docs page has an example config; it must validate.
TEST(RegistryTest, DocsExamplesValidate) {
  for (const PluginFactory* f : Registry::Get().All()) {
    std::string path = std::string(SLUICE_SOURCE_DIR) + "/docs/plugins/" +
                       PluginKindName(f->kind()) + "s/" + f->type() + ".md";
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    std::string doc = text.str();
    size_t begin = doc.find("```yaml\n");
    ASSERT_NE(begin, std::string::npos) << path << " has no ```yaml example";
    begin += 8;
    size_t end = doc.find("```", begin);
    config::Diagnostics diags;
    config::LoadConfigText(doc.substr(begin, end - begin), path, diags,
                           [](const std::string&) { return std::optional<std::string>("x"); });
    EXPECT_TRUE(diags.ok()) << diags.ToString();
  }
}

}  // namespace
}  // namespace sluice
