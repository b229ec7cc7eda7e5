#include "plugins/outputs/file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/unit/plugins/outputs/output_test.h"
#include "tests/unit/test_util.h"

namespace sluice::outputs {
namespace {

std::string Read(const std::filesystem::path& p) { return testing::ReadFile(p); }

class FileOutputTest : public testing::OutputTest {
 protected:
  void SetUp() override { MakeContext("sluice_file_output"); }
  std::unique_ptr<FileOutput> Make(const std::string& path,
                                   common::Codec codec = common::Codec::kJson) {
    FileOutput::Options o;
    o.path = Template::Compile(path).value();
    o.codec = codec;
    return std::make_unique<FileOutput>(o, context_);
  }
};

TEST_F(FileOutputTest, WritesNdjsonAndAcksOnlyAtFlush) {
  auto out = Make((dir_ / "sub/out.ndjson").string());
  EventBatch batch;
  batch.Add(0, "first").Set("k", Value::Int(1));
  batch.Add(0, "second \"quoted\"");
  out->Write(batch, Handle());
  EXPECT_EQ(Committed(), 0u);  // not durable yet: no ack
  out->Flush();
  EXPECT_EQ(Committed(), 1u);
  EXPECT_EQ(Read(dir_ / "sub/out.ndjson"),
            "{\"@timestamp\":\"1970-01-01T00:00:00Z\",\"message\":\"first\",\"k\":1}\n"
            "{\"@timestamp\":\"1970-01-01T00:00:00Z\",\"message\":\"second \\\"quoted\\\"\"}\n");
  EXPECT_TRUE(out->Close().ok());
}

TEST_F(FileOutputTest, PathTemplateSplitsEventsByFieldAndDate) {
  auto out = Make((dir_ / "{{host.name}}/%Y-%m-%d.log").string(), common::Codec::kText);
  EventBatch batch;
  const int64_t day = 86'400'000'000'000;
  batch.Add(0, "a1").Set("host.name", Value::String("a"));
  batch.Add(day, "b1").Set("host.name", Value::String("b"));
  batch.Add(day, "a2").Set("host.name", Value::String("a"));
  out->Write(batch, Handle());
  ASSERT_TRUE(out->Close().ok());
  EXPECT_EQ(Read(dir_ / "a/1970-01-01.log"), "a1\n");
  EXPECT_EQ(Read(dir_ / "a/1970-01-02.log"), "a2\n");
  EXPECT_EQ(Read(dir_ / "b/1970-01-02.log"), "b1\n");
  EXPECT_EQ(Committed(), 1u);
}

TEST_F(FileOutputTest, AppendsToAnExistingFile) {
  std::filesystem::create_directories(dir_);
  std::ofstream(dir_ / "o.log") << "old\n";
  auto out = Make((dir_ / "o.log").string(), common::Codec::kText);
  EventBatch batch;
  batch.Add(0, "new");
  out->Write(batch, Handle());
  ASSERT_TRUE(out->Close().ok());
  EXPECT_EQ(Read(dir_ / "o.log"), "old\nnew\n");
}

TEST_F(FileOutputTest, MaxOpenFilesEvictsAfterMakingDataDurable) {
  FileOutput::Options o;
  o.path = Template::Compile((dir_ / "{{n}}.log").string()).value();
  o.codec = common::Codec::kText;
  o.max_open_files = 2;
  FileOutput out(o, context_);
  for (int i = 0; i < 5; ++i) {
    EventBatch batch;
    batch.Add(0, "x" + std::to_string(i)).Set("n", Value::Int(i));
    out.Write(batch, Handle());
  }
  ASSERT_TRUE(out.Close().ok());
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(Read(dir_ / (std::to_string(i) + ".log")), "x" + std::to_string(i) + "\n");
  EXPECT_EQ(Committed(), 5u);
}

}  // namespace
}  // namespace sluice::outputs
