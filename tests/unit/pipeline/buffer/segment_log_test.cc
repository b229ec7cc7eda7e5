#include "pipeline/buffer/segment_log.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/unit/test_util.h"

namespace sluice::buffer {
namespace {

namespace fs = std::filesystem;

std::string Payload(int i) { return "record-" + std::to_string(i) + std::string(100, 'x'); }

std::unique_ptr<SegmentLog> OpenLog(const fs::path& dir, uint64_t segment_bytes = 1024) {
  auto log = SegmentLog::Open({.dir = dir.string(), .segment_bytes = segment_bytes});
  EXPECT_TRUE(log.ok()) << log.status().message();
  return log.ok() ? std::move(log).value() : nullptr;
}

struct Read {
  std::vector<std::string> payloads;
  std::vector<RecordPos> positions;
  std::vector<RecordPos> nexts;
  Skipped skipped;
};

Read ReadAll(SegmentLog& log) {
  Read r;
  std::string payload;
  RecordPos pos;
  RecordPos next;
  while (log.ReadNext(&payload, &pos, &next, &r.skipped)) {
    r.payloads.push_back(payload);
    r.positions.push_back(pos);
    r.nexts.push_back(next);
  }
  return r;
}

std::vector<fs::path> Segments(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".seg") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SegmentLogTest, ReadsBackInOrderAcrossSegments) {
  fs::path dir = testing::FreshTestDir("segment_log");
  auto log = OpenLog(dir);
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(log->Append(Payload(i)).ok());
  ASSERT_TRUE(log->Sync().ok());
  EXPECT_GT(log->segment_count(), 3u);  // 40 records of ~120 bytes in 1 KiB segments
  Read r = ReadAll(*log);
  ASSERT_EQ(r.payloads.size(), 40u);
  for (int i = 0; i < 40; ++i) EXPECT_EQ(r.payloads[i], Payload(i));
  EXPECT_EQ(r.skipped.records, 0u);
  // Caught up: nothing more until the writer appends.
  ASSERT_TRUE(log->Append(Payload(40)).ok());
  Read more = ReadAll(*log);
  ASSERT_EQ(more.payloads.size(), 1u);
  EXPECT_EQ(more.payloads[0], Payload(40));
}

TEST(SegmentLogTest, CommitDeletesTheSegmentsBeforeItAndFreesTheirBytes) {
  fs::path dir = testing::FreshTestDir("segment_log");
  auto log = OpenLog(dir);
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(log->Append(Payload(i)).ok());
  Read r = ReadAll(*log);
  const uint64_t before = log->disk_bytes();
  const size_t segments = Segments(dir).size();
  ASSERT_TRUE(log->Commit(r.positions[30]).ok());
  EXPECT_LT(Segments(dir).size(), segments);
  EXPECT_LT(log->disk_bytes(), before);
  // The segment holding record 30 stays.
  ASSERT_TRUE(log->ReadAt(r.positions[30], &r.payloads[0]).ok());
  EXPECT_EQ(r.payloads[0], Payload(30));
}

TEST(SegmentLogTest, AReopenedLogResumesAtTheCommittedPosition) {
  fs::path dir = testing::FreshTestDir("segment_log");
  RecordPos first_pending;
  {
    auto log = OpenLog(dir);
    for (int i = 0; i < 30; ++i) ASSERT_TRUE(log->Append(Payload(i)).ok());
    Read r = ReadAll(*log);
    first_pending = r.positions[17];
    ASSERT_TRUE(log->Commit(first_pending).ok());
  }
  auto log = OpenLog(dir);
  for (int i = 30; i < 35; ++i) ASSERT_TRUE(log->Append(Payload(i)).ok());
  Read r = ReadAll(*log);
  ASSERT_EQ(r.payloads.size(), 18u);  // 17..34: nothing before the position, nothing lost
  for (int i = 0; i < 18; ++i) EXPECT_EQ(r.payloads[i], Payload(17 + i));
  EXPECT_EQ(r.skipped.records, 0u);
}

TEST(SegmentLogTest, ABadAckFileReplaysEverythingRatherThanSkipping) {
  fs::path dir = testing::FreshTestDir("segment_log");
  {
    auto log = OpenLog(dir, 1 << 20);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(log->Append(Payload(i)).ok());
    Read r = ReadAll(*log);
    ASSERT_TRUE(log->Commit(r.positions[3]).ok());
  }
  {
    std::fstream f(dir / "ack", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(9);
    f.put('\x7f');
  }
  auto log = OpenLog(dir, 1 << 20);
  EXPECT_EQ(ReadAll(*log).payloads.size(), 5u);
}

TEST(SegmentLogTest, ATornTailIsSkippedAndCountedOnce) {
  fs::path dir = testing::FreshTestDir("segment_log");
  {
    auto log = OpenLog(dir, 1 << 20);
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(log->Append(Payload(i)).ok());
  }
  // A crash in the middle of the last record.
  fs::path seg = Segments(dir).front();
  fs::resize_file(seg, fs::file_size(seg) - 50);
  auto log = OpenLog(dir, 1 << 20);
  ASSERT_TRUE(log->Append(Payload(10)).ok());
  Read r = ReadAll(*log);
  ASSERT_EQ(r.payloads.size(), 10u);
  for (int i = 0; i < 9; ++i) EXPECT_EQ(r.payloads[i], Payload(i));
  EXPECT_EQ(r.payloads[9], Payload(10));
  EXPECT_EQ(r.skipped.records, 1u);
  EXPECT_EQ(r.skipped.bytes, SegmentLog::kHeaderBytes + Payload(9).size() - 50);
}

TEST(SegmentLogTest, FlippedBytesCostExactlyTheRecordTheyHit) {
  fs::path dir = testing::FreshTestDir("segment_log");
  std::vector<RecordPos> positions;
  {
    auto log = OpenLog(dir, 1 << 20);
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(log->Append(Payload(i)).ok());
    positions = ReadAll(*log).positions;
  }
  fs::path seg = Segments(dir).front();
  // Flip bytes inside the payload of record 5 and in the header (length) of record 12.
  for (uint64_t at : {positions[5].offset + 40, positions[12].offset + 5}) {
    std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(at));
    char c = 0;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(at));
    f.put(static_cast<char>(c ^ 0x5A));
  }
  auto log = OpenLog(dir, 1 << 20);
  Read r = ReadAll(*log);
  EXPECT_EQ(r.skipped.records, 2u);
  EXPECT_EQ(r.skipped.bytes, 2 * SegmentLog::kHeaderBytes + Payload(5).size() + Payload(12).size());
  ASSERT_EQ(r.payloads.size(), 18u);
  std::vector<std::string> want;
  for (int i = 0; i < 20; ++i) {
    if (i != 5 && i != 12) want.push_back(Payload(i));
  }
  EXPECT_EQ(r.payloads, want);
}

TEST(SegmentLogTest, ASecondProcessCannotOpenTheSameDirectory) {
  fs::path dir = testing::FreshTestDir("segment_log");
  auto log = OpenLog(dir);
  // flock locks belong to the open file description: a second open in this process conflicts
  // just as another process would.
  auto second = SegmentLog::Open({.dir = dir.string()});
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("in use by another process"), std::string::npos);
}

TEST(SegmentLogTest, AFailedAppendLeavesNothingHalfWritten) {
  fs::path dir = testing::FreshTestDir("segment_log");
  auto log = OpenLog(dir, 1 << 20);
  ASSERT_TRUE(log->Append(Payload(0)).ok());
  // The file size limit stands in for a full disk: the write stops part-way through a record.
  const uint64_t record = SegmentLog::kHeaderBytes + Payload(0).size();
  struct rlimit old {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = record + record / 2;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  Status failed = log->Append(Payload(1));
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(fs::file_size(Segments(dir).back()), record);
  // Space is back: the same record goes in whole, and the reader sees no corruption.
  ASSERT_TRUE(log->Append(Payload(1)).ok());
  Read r = ReadAll(*log);
  EXPECT_EQ(r.payloads, (std::vector<std::string>{Payload(0), Payload(1)}));
  EXPECT_EQ(r.skipped.records, 0u);
}

}  // namespace
}  // namespace sluice::buffer
