#include "plugins/inputs/s3/s3_input.h"

#include <gtest/gtest.h>

#include "pipeline/registry.h"
#include "tests/unit/plugins/plugin_test_util.h"

namespace sluice::inputs {
namespace {

using testing::OptionErrors;
using testing::ParseFilterOptions;

TEST(S3InputTest, IsRegistered) {
  EXPECT_NE(Registry::Get().Find(PluginKind::kInput, "s3"), nullptr);
}

TEST(S3InputTest, IncludeAndExcludeGlobsSelectKeys) {
  PluginContext context;
  S3Input all(ParseFilterOptions<S3Input>("bucket: logs"), context);
  EXPECT_TRUE(all.Selected("j-1/containers/a/c/stderr.gz"));
  S3Input some(ParseFilterOptions<S3Input>("{bucket: logs, include: ['*/stderr.gz', '*/stdout*'],"
                                           " exclude: ['*/container_*_000001/*']}"),
               context);
  EXPECT_TRUE(some.Selected("j-1/containers/app/container_1_0001_01_000002/stderr.gz"));
  EXPECT_TRUE(some.Selected("j-1/containers/app/container_1_0001_01_000002/stdout.gz"));
  EXPECT_FALSE(some.Selected("j-1/containers/app/container_1_0001_01_000002/prelaunch.err"));
  EXPECT_FALSE(some.Selected("j-1/containers/app/container_1_0001_01_000001/stderr.gz"));
}

TEST(S3InputTest, OptionsAreChecked) {
  EXPECT_NE(OptionErrors<S3Input>("prefix: x").find("bucket"), std::string::npos);
  EXPECT_NE(OptionErrors<S3Input>("{bucket: b, endpoint: 'file:///tmp'}")
                .find("endpoint must start with http:// or https://"),
            std::string::npos);
  EXPECT_NE(OptionErrors<S3Input>("{bucket: b, access_key_id: k}")
                .find("access_key_id and secret_access_key go together"),
            std::string::npos);
  EXPECT_NE(OptionErrors<S3Input>("{bucket: b, decompress: zip}").find("expected one of"),
            std::string::npos);
  EXPECT_NE(OptionErrors<S3Input>("{bucket: b, multiline: {preset: sparks}}").find("did you mean"),
            std::string::npos);
}

}  // namespace
}  // namespace sluice::inputs
