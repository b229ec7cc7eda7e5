#include "pipeline/options/config_value.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

namespace sluice::config {
namespace {

ConfigValue Sample() {
  ConfigValue admin = ConfigValue::Map();
  admin.Set("enabled", ConfigValue::Bool(true));
  admin.Set("listen", ConfigValue::String("0.0.0.0:9600"));
  admin.Set("token", ConfigValue::String("***"));
  ConfigValue include = ConfigValue::List();
  include.Append(ConfigValue::String("/var/log/*.log"));
  include.Append(ConfigValue::String("/tmp/a"));
  ConfigValue input = ConfigValue::Map();
  input.Set("type", ConfigValue::String("file"));
  input.Set("include", std::move(include));
  input.Set("headers", ConfigValue::Map());
  ConfigValue inputs = ConfigValue::List();
  inputs.Append(std::move(input));
  ConfigValue root = ConfigValue::Map();
  root.Set("data_dir", ConfigValue::String("/var/lib/sluice"));
  root.Set("admin", std::move(admin));
  root.Set("ratio", ConfigValue::Number("0.05"));
  root.Set("inputs", std::move(inputs));
  root.Set("filters", ConfigValue::List());
  return root;
}

TEST(ConfigValueTest, YamlIsBlockStyle) {
  EXPECT_EQ(Sample().ToYaml(),
            "data_dir: /var/lib/sluice\n"
            "admin:\n"
            "  enabled: true\n"
            "  listen: \"0.0.0.0:9600\"\n"
            "  token: \"***\"\n"
            "ratio: 0.05\n"
            "inputs:\n"
            "  - type: file\n"
            "    include:\n"
            "      - \"/var/log/*.log\"\n"
            "      - /tmp/a\n"
            "    headers: {}\n"
            "filters: []\n");
}

TEST(ConfigValueTest, JsonIsIndented) {
  EXPECT_EQ(Sample().ToJson(),
            "{\n"
            "  \"data_dir\": \"/var/lib/sluice\",\n"
            "  \"admin\": {\n"
            "    \"enabled\": true,\n"
            "    \"listen\": \"0.0.0.0:9600\",\n"
            "    \"token\": \"***\"\n"
            "  },\n"
            "  \"ratio\": 0.05,\n"
            "  \"inputs\": [\n"
            "    {\n"
            "      \"type\": \"file\",\n"
            "      \"include\": [\n"
            "        \"/var/log/*.log\",\n"
            "        \"/tmp/a\"\n"
            "      ],\n"
            "      \"headers\": {}\n"
            "    }\n"
            "  ],\n"
            "  \"filters\": []\n"
            "}\n");
  EXPECT_EQ(ConfigValue().ToJson(), "null\n");
}

// Every string reads back from the YAML as the same string, and keys too; those that a reader
// could take for a bool, a number or null are quoted (yaml-cpp tags a quoted scalar "!", a plain
// one "?").
TEST(ConfigValueTest, YamlStringsReadBackAsThemselves) {
  const std::vector<std::string> typeable = {
      "",     "true",  "False", "yes", "no",  "on",   "off",  "y",        "N",
      "null", "~",     "123",   "1.5", "1e3", "0x1f", "0o17", "1_000",    "1:30",
      ".inf", "-.inf", ".NaN",  "nan", "inf", "-1",   "+1",   "127.0.0.1"};
  const std::vector<std::string> other = {
      "***",  "*a",    "&a",   "!a",  "|",     ">",    "%x",   "@x", "`x",
      "a: b", "a:",    "a #b", "#a",  " a",    "a ",   "- a",  "-",  "?",
      "[a]",  "{a}",   "a,b",  "'a'", "\"a\"", "a\nb", "a\tb", "\\", "{{host.name}}",
      "é",    "a\x01b"};
  const std::vector<std::string> plain = {"30s", "64MiB", "/var/log/app.log",
                                          "x.y", "a-b_c", "http://u:p@h:1/x"};
  std::vector<std::string> strings = typeable;
  strings.insert(strings.end(), other.begin(), other.end());
  strings.insert(strings.end(), plain.begin(), plain.end());
  ConfigValue map = ConfigValue::Map();
  ConfigValue list = ConfigValue::List();
  for (size_t i = 0; i < strings.size(); ++i) {
    map.Set("k" + std::to_string(i), ConfigValue::String(strings[i]));
    list.Append(ConfigValue::String(strings[i]));
  }
  map.Set("list", list);
  for (const char* key : {"true", "1", "a b", "x.y"}) map.Set(key, ConfigValue::String("v"));
  const std::string yaml = map.ToYaml();
  YAML::Node node = YAML::Load(yaml);
  for (size_t i = 0; i < strings.size(); ++i) {
    YAML::Node value = node["k" + std::to_string(i)];
    ASSERT_TRUE(value.IsScalar()) << i << "\n" << yaml;
    EXPECT_EQ(value.Scalar(), strings[i]) << yaml;
    EXPECT_EQ(node["list"][i].Scalar(), strings[i]) << yaml;
    if (i < typeable.size()) {
      EXPECT_EQ(value.Tag(), "!") << "'" << strings[i] << "' is not quoted";
    }
    if (i >= typeable.size() + other.size()) {
      EXPECT_EQ(value.Tag(), "?") << "'" << strings[i] << "' is quoted";
    }
  }
  for (const char* key : {"true", "1", "a b", "x.y"}) EXPECT_EQ(node[key].Scalar(), "v") << yaml;
}

TEST(ConfigValueTest, ListsOfListsAndScalarsAtTheTop) {
  ConfigValue inner = ConfigValue::List();
  inner.Append(ConfigValue::Number("1"));
  inner.Append(ConfigValue::Number("2"));
  ConfigValue outer = ConfigValue::List();
  outer.Append(inner);
  outer.Append(ConfigValue::String("x"));
  EXPECT_EQ(outer.ToYaml(), "- - 1\n  - 2\n- x\n");
  EXPECT_EQ(ConfigValue::String("a b").ToYaml(), "\"a b\"\n");
  EXPECT_EQ(ConfigValue().ToYaml(), "null\n");
}

TEST(ConfigValueTest, FindLooksUpMapKeys) {
  ConfigValue root = Sample();
  ASSERT_NE(root.Find("admin"), nullptr);
  ASSERT_NE(root.Find("admin")->Find("token"), nullptr);
  EXPECT_EQ(root.Find("admin")->Find("token")->text(), "***");
  EXPECT_EQ(root.Find("nope"), nullptr);
  EXPECT_EQ(root.Find("filters")->Find("x"), nullptr);  // not a map
}

}  // namespace
}  // namespace sluice::config
