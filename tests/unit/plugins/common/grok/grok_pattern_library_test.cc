#include "plugins/common/grok/grok_pattern_library.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "plugins/common/grok/grok_builtin_patterns.h"
#include "plugins/common/grok/grok_compiler.h"
#include "plugins/common/grok/grok_pattern_matcher.h"
#include "tests/unit/test_util.h"

namespace sluice::common::grok {
namespace {

TEST(PatternLibraryTest, ParsesLogstashPatternFiles) {
  PatternLibrary lib;
  ASSERT_TRUE(lib.AddText("# comment\n\n  # indented comment\nA  x+ y\r\nB\t%{A}\nC z", "f").ok());
  ASSERT_NE(lib.Find("A"), nullptr);
  EXPECT_EQ(*lib.Find("A"), "x+ y");
  EXPECT_EQ(*lib.Find("B"), "%{A}");
  EXPECT_EQ(*lib.Find("C"), "z");
  EXPECT_EQ(lib.Names(), (std::vector<std::string>{"A", "B", "C"}));
  Status bad = lib.AddText("OK a\nNOREGEX\n", "my.patterns");
  EXPECT_NE(bad.message().find("my.patterns:2: expected `NAME regex`"), std::string::npos)
      << bad.message();
  EXPECT_NE(lib.AddText("bad-name x", "f").message().find("f:1"), std::string::npos);
  EXPECT_FALSE(lib.Define("has space", "x").ok());
  EXPECT_TRUE(lib.Define("A", "redefined").ok());
  EXPECT_EQ(*lib.Find("A"), "redefined");
}

TEST(PatternLibraryTest, FilesAndDirectories) {
  auto dir = testing::FreshTestDir("sluice_grok_library");
  std::ofstream(dir / "b") << "SAME second\nB_ONLY b\n";
  std::ofstream(dir / "a") << "SAME first\nA_ONLY a\n";
  std::ofstream(dir / ".hidden") << "garbage line without regex\n";
  std::filesystem::create_directory(dir / "sub");
  PatternLibrary lib;
  ASSERT_TRUE(lib.AddDirectory(dir.string()).ok());
  EXPECT_EQ(*lib.Find("SAME"), "second");  // files in name order, later ones win
  EXPECT_NE(lib.Find("A_ONLY"), nullptr);
  EXPECT_NE(lib.Find("B_ONLY"), nullptr);
  EXPECT_NE(lib.AddDirectory((dir / "nope").string()).message().find("does not exist"),
            std::string::npos);
  EXPECT_NE(lib.AddFile((dir / "nope").string()).message().find("cannot read pattern file"),
            std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(PatternLibraryTest, BuiltinIsTheTextOfConfigPatterns) {
  std::set<std::string> seen;
  for (const BuiltinPatternFile& f : BuiltinPatternFiles()) {
    seen.insert(std::string(f.name));
    std::string path = std::string(SLUICE_SOURCE_DIR) + "/config/patterns/" + std::string(f.name);
    EXPECT_EQ(testing::ReadFile(path), f.text) << path;
    PatternLibrary one;
    EXPECT_TRUE(one.AddText(f.text, f.name).ok()) << f.name;
  }
  EXPECT_EQ(seen, (std::set<std::string>{"grok-patterns", "httpd", "java", "spark"}));
}

TEST(PatternLibraryTest, EveryBuiltinPatternCompilesAndNoNameIsDefinedTwice) {
  std::map<std::string, std::string> defined_in;
  for (const BuiltinPatternFile& f : BuiltinPatternFiles()) {
    PatternLibrary one;
    ASSERT_TRUE(one.AddText(f.text, f.name).ok());
    for (const std::string& name : one.Names()) {
      auto [it, fresh] = defined_in.emplace(name, std::string(f.name));
      EXPECT_TRUE(fresh) << name << " is defined in " << it->second << " and " << f.name;
    }
  }
  const PatternLibrary& lib = PatternLibrary::Builtin();
  EXPECT_EQ(lib.size(), defined_in.size());
  EXPECT_GE(lib.size(), 90u);
  for (const std::string& name : lib.Names()) {
    auto c = CompilePattern("%{" + name + ":x}", lib);
    EXPECT_TRUE(c.ok()) << name << ": " << c.status().message();
    if (c.ok()) {
      EXPECT_TRUE(PatternMatcher::Create(std::move(c).value()).ok()) << name;
    }
  }
}

TEST(PatternLibraryTest, EveryBuiltinPatternIsDocumented) {
  std::string doc = testing::ReadFile(std::string(SLUICE_SOURCE_DIR) + "/docs/grok-patterns.md");
  ASSERT_FALSE(doc.empty());
  for (const std::string& name : PatternLibrary::Builtin().Names()) {
    EXPECT_NE(doc.find("| `" + name + "` |"), std::string::npos)
        << name << " has no row in docs/grok-patterns.md";
  }
}

}  // namespace
}  // namespace sluice::common::grok
