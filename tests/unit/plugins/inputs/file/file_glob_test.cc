#include "plugins/inputs/file/file_glob.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/unit/test_util.h"

namespace sluice::inputs::file {
namespace {

namespace fs = std::filesystem;
using Paths = std::vector<std::string>;

class FileGlobTest : public ::testing::Test {
 protected:
  void SetUp() override { root_ = sluice::testing::FreshTestDir("sluice_glob").string(); }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  // Creates the file root_/relative (and its directories).
  void Touch(const std::string& relative) {
    fs::path path = fs::path(root_) / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << "x\n";
  }
  void Mkdir(const std::string& relative) { fs::create_directories(fs::path(root_) / relative); }
  std::string P(const std::string& relative) const { return root_ + "/" + relative; }

  GlobSet Compile(Paths include, Paths exclude = {}) {
    Result<GlobSet> globs = GlobSet::Compile(std::move(include), std::move(exclude));
    EXPECT_TRUE(globs.ok()) << globs.status().message();
    return globs.ok() ? std::move(globs).value() : GlobSet();
  }

  std::string root_;
};

TEST_F(FileGlobTest, YarnContainerLayout) {
  Touch("containers/application_1_0001/container_1_0001_01_000001/stderr");
  Touch("containers/application_1_0001/container_1_0001_01_000001/stdout");
  Touch("containers/application_1_0001/container_1_0001_01_000002/stderr");
  Touch("containers/application_1_0002/container_1_0002_01_000001/stderr");
  Touch("containers/application_1_0002/container_1_0002_01_000001/prelaunch.err");
  Touch("containers/other/container_1_0003_01_000001/stderr");
  Touch("containers/application_1_0002/launch/stderr");
  Mkdir("containers/application_1_0002/container_1_0002_01_000002");  // no stderr yet

  GlobSet globs = Compile({P("containers/application_*/container_*/stderr")});
  EXPECT_EQ(globs.Expand(),
            (Paths{
                P("containers/application_1_0001/container_1_0001_01_000001/stderr"),
                P("containers/application_1_0001/container_1_0001_01_000002/stderr"),
                P("containers/application_1_0002/container_1_0002_01_000001/stderr"),
            }));
  EXPECT_EQ(globs.WatchDirectories(),
            (Paths{
                P("containers"),
                P("containers/application_1_0001"),
                P("containers/application_1_0001/container_1_0001_01_000001"),
                P("containers/application_1_0001/container_1_0001_01_000002"),
                P("containers/application_1_0002"),
                P("containers/application_1_0002/container_1_0002_01_000001"),
                P("containers/application_1_0002/container_1_0002_01_000002"),
            }));
}

TEST_F(FileGlobTest, YarnContainersWithBraces) {
  Touch("containers/application_1_0001/container_1_0001_01_000001/stderr");
  Touch("containers/application_1_0001/container_1_0001_01_000001/stdout");
  Touch("containers/application_1_0001/container_1_0001_01_000001/syslog");
  Touch("containers/application_1_0001/stderr");  // one level too shallow

  GlobSet globs = Compile({P("containers/*/*/{stderr,stdout}")});
  EXPECT_EQ(globs.include(), (Paths{P("containers/*/*/stderr"), P("containers/*/*/stdout")}));
  EXPECT_EQ(globs.Expand(),
            (Paths{P("containers/application_1_0001/container_1_0001_01_000001/stderr"),
                   P("containers/application_1_0001/container_1_0001_01_000001/stdout")}));
}

TEST_F(FileGlobTest, StarInLastSegmentMatchesHiddenFilesButNotSubdirectories) {
  Touch("spark/a.log");
  Touch("spark/b.log");
  Touch("spark/.hidden.log");
  Touch("spark/c.log.1");
  Touch("spark/sub/d.log");
  Mkdir("spark/dir.log");  // a directory is never listed

  GlobSet globs = Compile({P("spark/*.log")});
  EXPECT_EQ(globs.Expand(), (Paths{P("spark/.hidden.log"), P("spark/a.log"), P("spark/b.log")}));
  EXPECT_EQ(globs.WatchDirectories(), (Paths{P("spark")}));
}

TEST_F(FileGlobTest, LiteralPatternListsTheFileWhenItExists) {
  Touch("spark/app.log");
  EXPECT_EQ(Compile({P("spark/app.log")}).Expand(), (Paths{P("spark/app.log")}));
  EXPECT_EQ(Compile({P("spark/app.log")}).WatchDirectories(), (Paths{P("spark")}));
  EXPECT_EQ(Compile({P("spark/none.log")}).Expand(), Paths{});
  EXPECT_EQ(Compile({P("spark")}).Expand(), Paths{});  // a directory
}

TEST_F(FileGlobTest, DoubleStarMatchesZeroOneAndManyDirectories) {
  Touch("spark/a.log");
  Touch("spark/x/b.log.1");
  Touch("spark/x/y/z/c.log");
  Touch("spark/.hidden/d.log");
  Touch("spark/x/notes.txt");
  Touch("other.log");

  GlobSet globs = Compile({P("spark/**/*.log*")});
  EXPECT_EQ(globs.Expand(), (Paths{P("spark/.hidden/d.log"), P("spark/a.log"), P("spark/x/b.log.1"),
                                   P("spark/x/y/z/c.log")}));
  EXPECT_EQ(globs.WatchDirectories(), (Paths{P("spark"), P("spark/.hidden"), P("spark/x"),
                                             P("spark/x/y"), P("spark/x/y/z")}));
}

TEST_F(FileGlobTest, OneWalkGivesBothFilesAndWatchDirectories) {
  Touch("spark/a.log");
  Touch("spark/x/b.log");
  Touch("spark/x/y/c.txt");
  Touch("yarn/app_1/c_1/stderr");
  GlobSet globs = Compile({P("spark/**/*.log"), P("yarn/*/*/stderr")});
  Paths files, dirs;
  globs.ExpandWithWatchDirectories(&files, &dirs);
  EXPECT_EQ(files, globs.Expand());
  EXPECT_EQ(dirs, globs.WatchDirectories());
  EXPECT_EQ(files, (Paths{P("spark/a.log"), P("spark/x/b.log"), P("yarn/app_1/c_1/stderr")}));
}

TEST_F(FileGlobTest, DoubleStarBetweenLiteralSegments) {
  Touch("logs/stderr");
  Touch("logs/a/stderr");
  Touch("logs/a/b/c/stderr");
  Touch("logs/a/b/stdout");
  EXPECT_EQ(Compile({P("logs/**/stderr")}).Expand(),
            (Paths{P("logs/a/b/c/stderr"), P("logs/a/stderr"), P("logs/stderr")}));
  // Consecutive `**` are one; results stay unique.
  GlobSet doubled = Compile({P("logs/**/**/stderr")});
  EXPECT_EQ(doubled.include(), (Paths{P("logs/**/stderr")}));
  EXPECT_EQ(doubled.Expand().size(), 3u);
}

TEST_F(FileGlobTest, TrailingDoubleStarMatchesEverythingBelow) {
  Touch("data/a");
  Touch("data/.b");
  Touch("data/x/y/c");
  Touch("outside");
  Mkdir("data/empty");

  GlobSet globs = Compile({P("data/**")});
  EXPECT_EQ(globs.include(), (Paths{P("data/**")}));
  EXPECT_EQ(globs.Expand(), (Paths{P("data/.b"), P("data/a"), P("data/x/y/c")}));
  EXPECT_EQ(globs.WatchDirectories(),
            (Paths{P("data"), P("data/empty"), P("data/x"), P("data/x/y")}));
  EXPECT_FALSE(globs.Matches(P("data")));
  EXPECT_TRUE(globs.Matches(P("data/a")));
  EXPECT_TRUE(globs.Matches(P("data/x/y/z/c")));
}

TEST_F(FileGlobTest, BracesExpandIncludingNestedAndEmptyAlternatives) {
  Touch("spark/a.log");
  Touch("spark/a.log.1");
  Touch("spark/a.log.2");
  Touch("yarn/b.out");
  Touch("yarn/b1.out");
  Touch("yarn/b2.out");
  Touch("yarn/b3.out");

  GlobSet globs = Compile({P("spark/*.log{,.1}"), P("yarn/{b.out,b{1,2}.out}")});
  EXPECT_EQ(globs.include(), (Paths{P("spark/*.log"), P("spark/*.log.1"), P("yarn/b.out"),
                                    P("yarn/b1.out"), P("yarn/b2.out")}));
  EXPECT_EQ(globs.Expand(), (Paths{P("spark/a.log"), P("spark/a.log.1"), P("yarn/b.out"),
                                   P("yarn/b1.out"), P("yarn/b2.out")}));
}

TEST_F(FileGlobTest, BracesSpanningDirectoriesAndEscapedBraces) {
  Touch("a/x.log");
  Touch("b/c/x.log");
  Touch("{lit}.log");
  EXPECT_EQ(Compile({P("{a,b/c}/x.log")}).Expand(), (Paths{P("a/x.log"), P("b/c/x.log")}));
  EXPECT_EQ(Compile({P("\\{lit\\}.log")}).Expand(), (Paths{P("{lit}.log")}));
  // Braces inside a bracket expression are characters, not alternatives.
  EXPECT_EQ(Compile({P("[{]lit[}].log")}).Expand(), (Paths{P("{lit}.log")}));
}

TEST_F(FileGlobTest, ExcludeByBaseNameAndByPath) {
  Touch("spark/a.log");
  Touch("spark/a.log.gz");
  Touch("spark/b.log");
  Touch("spark/tmp/c.log");
  Touch("spark/tmp/deep/d.log");
  Touch("spark/keep/e.log");

  GlobSet globs = Compile({P("spark/**")}, {"*.gz", P("spark/tmp/**"), P("spark/b.log")});
  EXPECT_EQ(globs.Expand(), (Paths{P("spark/a.log"), P("spark/keep/e.log")}));
  EXPECT_FALSE(globs.Matches(P("spark/x/y.gz")));
  EXPECT_FALSE(globs.Matches(P("spark/tmp/c.log")));
  EXPECT_TRUE(globs.Matches(P("spark/tmpx/c.log")));

  GlobSet braced = Compile({P("spark/**")}, {"*.{gz,log}"});
  EXPECT_EQ(braced.exclude(), (Paths{"*.gz", "*.log"}));
  EXPECT_EQ(braced.Expand(), Paths{});
}

TEST_F(FileGlobTest, SymlinkToFileIsListedAsMatched) {
  Touch("target/real.txt");
  Mkdir("spark");
  fs::create_symlink(P("target/real.txt"), P("spark/link.log"));
  fs::create_symlink(P("target/missing.txt"), P("spark/dangling.log"));

  EXPECT_EQ(Compile({P("spark/*.log")}).Expand(), (Paths{P("spark/link.log")}));
  EXPECT_EQ(Compile({P("spark/**/*.log")}).Expand(), (Paths{P("spark/link.log")}));
  EXPECT_EQ(Compile({P("spark/link.log")}).Expand(), (Paths{P("spark/link.log")}));
}

TEST_F(FileGlobTest, SymlinkedDirectoryIsFollowedForAPlainSegmentOnly) {
  Touch("real/app/x.log");
  Mkdir("logs");
  fs::create_directory_symlink(P("real/app"), P("logs/app"));

  EXPECT_EQ(Compile({P("logs/*/x.log")}).Expand(), (Paths{P("logs/app/x.log")}));
  EXPECT_EQ(Compile({P("logs/app/x.log")}).Expand(), (Paths{P("logs/app/x.log")}));
  // `**` does not enter the symlinked directory, but the segment after it may.
  EXPECT_EQ(Compile({P("logs/**/x.log")}).Expand(), Paths{});
  EXPECT_EQ(Compile({P("logs/**/*/x.log")}).Expand(), (Paths{P("logs/app/x.log")}));
}

TEST_F(FileGlobTest, SymlinkLoopUnderDoubleStarDoesNotHangOrDuplicate) {
  Touch("a/real.log");
  Touch("a/b/deep.log");
  fs::create_directory_symlink(root_, P("a/loop"));
  fs::create_directory_symlink(P("a"), P("a/b/up"));

  GlobSet globs = Compile({P("**/*.log")});
  EXPECT_EQ(globs.Expand(), (Paths{P("a/b/deep.log"), P("a/real.log")}));
  EXPECT_EQ(Compile({P("**")}).Expand(), (Paths{P("a/b/deep.log"), P("a/real.log")}));
  EXPECT_EQ(globs.WatchDirectories(), (Paths{root_, P("a"), P("a/b")}));
}

TEST_F(FileGlobTest, MissingPrefixDirectoryIsSkipped) {
  Touch("spark/a.log");
  GlobSet globs = Compile({P("missing/dir/*.log"), P("spark/*.log")});
  EXPECT_EQ(globs.Expand(), (Paths{P("spark/a.log")}));
  // The nearest existing ancestor is watched so that the prefix's creation is seen.
  EXPECT_EQ(globs.WatchDirectories(), (Paths{root_, P("spark")}));
  EXPECT_EQ(Compile({P("spark/*/x/*.log")}).Expand(), Paths{});
}

TEST_F(FileGlobTest, NormalizesPatterns) {
  Touch("spark/a.log");
  GlobSet globs = Compile({root_ + "//spark/./*.log", root_ + "/spark/*.log/"});
  EXPECT_EQ(globs.include(), (Paths{P("spark/*.log")}));
  EXPECT_EQ(globs.Expand(), (Paths{P("spark/a.log")}));
  EXPECT_EQ(Compile({"/"}).Expand(), Paths{});
}

TEST_F(FileGlobTest, OverlappingPatternsGiveEachFileOnce) {
  Touch("spark/a.log");
  Touch("spark/x/b.log");
  GlobSet globs = Compile({P("spark/*.log"), P("spark/**/*.log"), P("spark/a.log"), P("**")});
  EXPECT_EQ(globs.Expand(), (Paths{P("spark/a.log"), P("spark/x/b.log")}));
}

TEST_F(FileGlobTest, LimitKeepsTheFirstPathsInSortedOrder) {
  for (char c : std::string("jihgfedcba")) Touch(std::string("spark/") + c + ".log");
  for (char c : std::string("edcba")) Mkdir(std::string("spark/") + c);
  GlobSet globs = Compile({P("spark/**/*.log")});
  EXPECT_EQ(globs.Expand().size(), 10u);
  EXPECT_EQ(globs.Expand(3), (Paths{P("spark/a.log"), P("spark/b.log"), P("spark/c.log")}));
  EXPECT_EQ(globs.Expand(0), Paths{});
  EXPECT_EQ(globs.WatchDirectories().size(), 6u);
  EXPECT_EQ(globs.WatchDirectories(2), (Paths{P("spark"), P("spark/a")}));
}

TEST(FileGlobMatchesTest, TruthTable) {
  struct Case {
    const char* pattern;
    const char* path;
    bool matches;
  };
  const Case cases[] = {
      {"/var/log/spark/*.log", "/var/log/spark/a.log", true},
      {"/var/log/spark/*.log", "/var/log/spark/.a.log", true},    // `*` matches a leading dot
      {"/var/log/spark/*.log", "/var/log/spark/x/a.log", false},  // `*` does not cross `/`
      {"/var/log/spark/*.log", "/var/log/spark/a.log.1", false},
      {"/var/log/spark/*", "/var/log/spark", false},
      {"/var/log/*/a.log", "/var/log/a.log", false},
      {"/var/log/?.log", "/var/log/a.log", true},
      {"/var/log/?.log", "/var/log/ab.log", false},
      {"/var/log/[ab].log", "/var/log/b.log", true},
      {"/var/log/[!ab].log", "/var/log/b.log", false},
      {"/var/log/[[:digit:]].log", "/var/log/7.log", true},
      {"/var/log/\\*.log", "/var/log/*.log", true},
      {"/var/log/\\*.log", "/var/log/a.log", false},
      {"/var/log/x**y", "/var/log/x/y", false},  // `**` inside a segment is `*`
      {"/var/log/x**y", "/var/log/xaby", true},
      {"/c/application_*/container_*/stderr", "/c/application_1/container_2/stderr", true},
      {"/c/application_*/container_*/stderr", "/c/application_1/stderr", false},
      {"/c/application_*/container_*/stderr", "/c/application_1/container_2/x/stderr", false},
      {"/s/**/*.log*", "/s/a.log", true},
      {"/s/**/*.log*", "/s/x/a.log.1", true},
      {"/s/**/*.log*", "/s/x/y/z/a.log", true},
      {"/s/**/*.log*", "/t/a.log", false},
      {"/s/**/*.log*", "/s/x/a.txt", false},
      {"/s/**/b/*.log", "/s/b/a.log", true},
      {"/s/**/b/*.log", "/s/b/b/b/a.log", true},
      {"/s/**/b/*.log", "/s/b/c/a.log", false},
      {"/s/**/b/**/c", "/s/x/b/y/z/c", true},
      {"/s/**/b/**/c", "/s/x/y/z/c", false},
      {"/data/**", "/data/a", true},
      {"/data/**", "/data/a/b/.c", true},
      {"/data/**", "/data", false},
      {"/data/**", "/database/a", false},
      {"/**", "/a", true},
      {"/x/{stderr,stdout}", "/x/stdout", true},
      {"/x/{stderr,stdout}", "/x/syslog", false},
  };
  for (const Case& c : cases) {
    Result<GlobSet> globs = GlobSet::Compile({c.pattern}, {});
    ASSERT_TRUE(globs.ok()) << c.pattern << ": " << globs.status().message();
    EXPECT_EQ(globs->Matches(c.path), c.matches) << c.pattern << " vs " << c.path;
  }
}

TEST(FileGlobMatchesTest, ExcludeRules) {
  Result<GlobSet> globs =
      GlobSet::Compile({"/var/log/**"}, {"*.gz", "/var/log/tmp/*", "/var/log/**/secret"});
  ASSERT_TRUE(globs.ok()) << globs.status().message();
  EXPECT_TRUE(globs->Matches("/var/log/a.log"));
  EXPECT_FALSE(globs->Matches("/var/log/a.log.gz"));
  EXPECT_FALSE(globs->Matches("/var/log/x/y/a.gz"));    // base name anywhere
  EXPECT_FALSE(globs->Matches("/var/log/tmp/a.log"));   // by path
  EXPECT_TRUE(globs->Matches("/var/log/tmp/x/a.log"));  // `*` does not cross `/`
  EXPECT_FALSE(globs->Matches("/var/log/secret"));
  EXPECT_FALSE(globs->Matches("/var/log/a/b/secret"));
  EXPECT_TRUE(globs->Matches("/var/log/a/b/secret.log"));
  EXPECT_FALSE(globs->Matches("/etc/passwd"));  // no include
}

TEST(FileGlobCompileTest, ErrorsNameThePatternAndSayWhy) {
  auto error = [](Paths include, Paths exclude = {}) {
    Result<GlobSet> globs = GlobSet::Compile(std::move(include), std::move(exclude));
    EXPECT_FALSE(globs.ok());
    EXPECT_EQ(globs.status().code(), StatusCode::kInvalidArgument);
    return globs.status().message();
  };
  EXPECT_EQ(error({"x/*.log"}), "include pattern 'x/*.log' must be an absolute path");
  EXPECT_EQ(error({"{/a,b}/*.log"}), "include pattern '{/a,b}/*.log' must be an absolute path");
  EXPECT_EQ(error({""}), "include pattern must not be empty");
  EXPECT_EQ(error({"/a"}, {""}), "exclude pattern must not be empty");
  EXPECT_EQ(error({"/a/{b,c"}), "include pattern '/a/{b,c' has an unbalanced brace");
  EXPECT_EQ(error({"/a/b,c}"}), "include pattern '/a/b,c}' has an unbalanced brace");
  EXPECT_EQ(error({"/a/}{"}), "include pattern '/a/}{' has an unbalanced brace");
  EXPECT_EQ(error({"/a"}, {"*.{gz"}), "exclude pattern '*.{gz' has an unbalanced brace");
  EXPECT_EQ(error({"/a/../b"}), "include pattern '/a/../b' must not contain '..'");
  EXPECT_EQ(error({"/a"}, {"tmp/*.log"}),
            "exclude pattern 'tmp/*.log' must be an absolute path or a base name without '/'");
  EXPECT_EQ(error({"/{0,1}{0,1}{0,1}{0,1}{0,1}{0,1}{0,1}{0,1}{0,1}{0,1}{0,1}"}),
            "include pattern '/{0,1}{0,1}{0,1}{0,1}{0,1}{0,1}{0,1}{0,1}{0,1}{0,1}{0,1}' expands "
            "to more than 1024 patterns");
  EXPECT_TRUE(GlobSet::Compile({"/{0,1}{0,1}{0,1}{0,1}{0,1}{0,1}{0,1}{0,1}{0,1}{0,1}"}, {}).ok());
}

}  // namespace
}  // namespace sluice::inputs::file
