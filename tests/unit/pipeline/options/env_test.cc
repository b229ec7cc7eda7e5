#include "pipeline/options/env.h"

#include <gtest/gtest.h>

#include <map>

namespace sluice::config {
namespace {

EnvLookup Env() {
  static const std::map<std::string, std::string> vars = {
      {"HOST", "node-1"}, {"EMPTY", ""}, {"PORT", "9092"}};
  return [](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string Sub(std::string_view text) {
  auto r = SubstituteEnv(text, Env());
  return r.ok() ? r.value() : "ERROR: " + r.status().message();
}

TEST(EnvTest, PlainTextIsUnchanged) {
  EXPECT_EQ(Sub("no variables $ here"), "no variables $ here");
}

TEST(EnvTest, BracesInADefaultBalance) {
  EXPECT_EQ(Sub("${MISSING:-/var/log/std{out,err}}"), "/var/log/std{out,err}");
  EXPECT_EQ(Sub("${HOST:-/var/log/std{out,err}}/x"), "node-1/x");
  EXPECT_EQ(Sub("${MISSING:-{a,{b,c}}}!"), "{a,{b,c}}!");
  EXPECT_EQ(Sub("${MISSING:-{a}"),
            "ERROR: unclosed '${' in '${MISSING:-{a}'; write $${ for a literal ${");
}

TEST(EnvTest, SetVariables) {
  EXPECT_EQ(Sub("${HOST}:${PORT}"), "node-1:9092");
  EXPECT_EQ(Sub("pre-${HOST}-post"), "pre-node-1-post");
}

TEST(EnvTest, DefaultWhenUnsetOrEmpty) {
  EXPECT_EQ(Sub("${MISSING:-fallback}"), "fallback");
  EXPECT_EQ(Sub("${EMPTY:-fallback}"), "fallback");
  EXPECT_EQ(Sub("${HOST:-fallback}"), "node-1");
  EXPECT_EQ(Sub("${MISSING:-}"), "");
}

TEST(EnvTest, EmptyButSetVariableSubstitutesEmpty) { EXPECT_EQ(Sub("[${EMPTY}]"), "[]"); }

TEST(EnvTest, UnsetVariableIsAnError) {
  EXPECT_EQ(Sub("${MISSING}"),
            "ERROR: environment variable MISSING is not set; set it, or give a default with "
            "${MISSING:-default}");
}

TEST(EnvTest, RequiredVariable) {
  EXPECT_EQ(Sub("${PORT:?need a port}"), "9092");
  EXPECT_EQ(Sub("${MISSING:?need a port}"),
            "ERROR: environment variable MISSING is required: need a port");
  EXPECT_EQ(Sub("${EMPTY:?}"), "ERROR: environment variable EMPTY is required");
}

TEST(EnvTest, EscapedDollarBrace) { EXPECT_EQ(Sub("$${HOST} ${HOST}"), "${HOST} node-1"); }

TEST(EnvTest, MalformedReferences) {
  EXPECT_EQ(Sub("${HOST"), "ERROR: unclosed '${' in '${HOST'; write $${ for a literal ${");
  EXPECT_EQ(Sub("${}"),
            "ERROR: bad variable reference '${}': expected ${NAME}, ${NAME:-default} or "
            "${NAME:?message}");
  EXPECT_EQ(Sub("${A-B}"),
            "ERROR: bad variable reference '${A-B}': expected ${NAME}, ${NAME:-default} or "
            "${NAME:?message}");
}

}  // namespace
}  // namespace sluice::config
