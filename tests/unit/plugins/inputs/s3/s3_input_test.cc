#include "plugins/inputs/s3/s3_input.h"

#include <gtest/gtest.h>

#include "pipeline/registry.h"
#include "plugins/inputs/s3/s3_input_sqs.h"
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

namespace sluice::inputs::s3 {
namespace {

TEST(SqsQueueTest, ReadsS3NotificationsDirectAndThroughSns) {
  const std::string s3_event = R"({"Records":[
    {"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put",
     "s3":{"bucket":{"name":"logs"},"object":{"key":"j-1/containers/app+1/a%3Db.gz","size":42,
     "eTag":"0123abcd"}}},
    {"eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"logs"},"object":{"key":"x"}}}]})";
  std::vector<S3Notification> objects;
  ASSERT_TRUE(SqsQueue::ParseNotification(s3_event, &objects));
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_EQ(objects[0].bucket, "logs");
  EXPECT_EQ(objects[0].key, "j-1/containers/app 1/a=b.gz");
  EXPECT_EQ(objects[0].etag, "0123abcd");
  EXPECT_EQ(objects[0].size, 42u);

  std::string escaped;
  for (char c : s3_event) {
    if (c == '"') escaped += '\\';
    if (c != '\n') escaped += c;
  }
  const std::string sns =
      R"({"Type":"Notification","TopicArn":"arn:aws:sns:eu-west-1:1:t","Message":")" + escaped +
      R"("})";
  ASSERT_TRUE(SqsQueue::ParseNotification(sns, &objects)) << sns;
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_EQ(objects[0].key, "j-1/containers/app 1/a=b.gz");

  EXPECT_TRUE(
      SqsQueue::ParseNotification(R"({"Service":"Amazon S3","Event":"s3:TestEvent"})", &objects));
  EXPECT_TRUE(objects.empty());
  EXPECT_FALSE(SqsQueue::ParseNotification("not json", &objects));
  EXPECT_FALSE(SqsQueue::ParseNotification(R"({"hello":"world"})", &objects));
}

}  // namespace
}  // namespace sluice::inputs::s3
