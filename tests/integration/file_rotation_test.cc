// End-to-end tests of the `file` input across rotation: rename (create mode), copytruncate (with
// the copy matched, shorter, or made while sluice was stopped), truncation in place, deletion,
// inode reuse, a multiline event across a rename, and Debian's logrotate in both modes. The
// fixture is in file_input_fixture.h.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/file_input_fixture.h"
#include "tests/unit/gzip_util.h"

namespace sluice::testing {
namespace {

void WriteGzipFile(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << GzipBytes(text);
}

// 1. Rename rotation (vector's test harness): app.log -> app.log.1, a new app.log.
TEST_F(FileInputTest, RenameRotationThenNewFileDeliversEveryLineOnce) {
  Configure(Glob("*.log"));
  auto w = std::make_unique<LogWriter>(logs_ / "app.log");
  w->Write(SeqLine(0));
  auto p = Start();
  ASSERT_TRUE(WaitForLines(1)) << p->Stderr();
  fs::rename(logs_ / "app.log", logs_ / "app.log.1");
  w = std::make_unique<LogWriter>(logs_ / "app.log");
  w->Write(SeqLine(1));
  w->Write(SeqLine(2));
  ASSERT_TRUE(WaitForLines(3)) << p->Stderr();
  // The renamed file is let go after rotate_wait (1s) without growth: nothing can re-read it later.
  EXPECT_TRUE(WaitForInputMetric(*p, "sluice_file_input_files_watched", 1))
      << InputMetric(*p, "sluice_file_input_files_watched");
  EXPECT_GE(InputMetric(*p, "sluice_file_input_rotations_total"), 1);
  size_t first_run = 0;
  std::vector<std::string> lines = Finish(p, &first_run);
  EXPECT_EQ(first_run, 3u);
  EXPECT_EQ(lines.size(), 3u);
  EXPECT_EQ(NotExactlyOnce(Check(lines, {{"", 3}})), "");
}

// 2. copytruncate with a glob that matches the copy: the copy continues where the original was
// read up to (Track()), so the lines the input had not read before the truncation are read from the
// copy, and nothing already read is read again.
TEST_F(FileInputTest, CopyTruncateWithCopyMatchedDeliversEveryLineOnce) {
  Configure(Glob("*.log*"));
  LogWriter w(logs_ / "app.log");
  for (uint64_t i = 0; i < 100; ++i) w.Write(SeqLine(i));  // > fingerprint_bytes (1KiB)
  auto p = Start();
  ASSERT_TRUE(WaitForLines(100)) << p->Stderr();
  for (uint64_t i = 100; i < 150; ++i) w.Write(SeqLine(i));  // read or not before the copy
  fs::copy_file(logs_ / "app.log", logs_ / "app.log.1");
  ASSERT_EQ(::truncate((logs_ / "app.log").c_str(), 0), 0);
  for (uint64_t i = 150; i < 200; ++i) w.Write(SeqLine(i));
  ASSERT_TRUE(WaitForLines(200)) << p->Stderr();
  size_t first_run = 0;
  std::vector<std::string> lines = Finish(p, &first_run);
  SequenceReport report = Check(lines, {{"", 200}});
  EXPECT_EQ(NotExactlyOnce(report, /*ordered=*/false), "")
      << "lines after the first run: " << first_run;
}

// copytruncate's window: lines written after the copy and before the truncation are in neither
// file afterwards, but the input may have read them from the original. The copy is then shorter
// than what was read: it has nothing new, and must not be read again from its start.
TEST_F(FileInputTest, CopyTruncateCopyShorterThanWhatWasReadIsNotReadAgain) {
  Configure(Glob("*.log*"));
  LogWriter w(logs_ / "app.log");
  for (uint64_t i = 0; i < 100; ++i) w.Write(SeqLine(i));
  auto p = Start();
  ASSERT_TRUE(WaitForLines(100)) << p->Stderr();
  fs::copy_file(logs_ / "app.log", logs_ / "app.log.1");
  for (uint64_t i = 100; i < 150; ++i) w.Write(SeqLine(i));
  ASSERT_TRUE(WaitForLines(150)) << p->Stderr();
  ASSERT_EQ(::truncate((logs_ / "app.log").c_str(), 0), 0);
  for (uint64_t i = 150; i < 200; ++i) w.Write(SeqLine(i));
  ASSERT_TRUE(WaitForLines(200)) << p->Stderr();
  size_t first_run = 0;
  std::vector<std::string> lines = Finish(p, &first_run);
  EXPECT_EQ(NotExactlyOnce(Check(lines, {{"", 200}}), /*ordered=*/false), "")
      << "lines after the first run: " << first_run;
}

// copytruncate while sluice is down: at the restart app.log holds new content (its checkpoint's
// fingerprint no longer matches) and app.log.1 is the copy of what the checkpoint covers. The copy
// must continue after the checkpoint, not from its start: Track() remembers app.log's checkpoint
// as a truncated origin when its fingerprint no longer matches, and app.log.1 (sorted after it)
// takes that checkpoint over.
TEST_F(FileInputTest, CopyTruncateWhileStoppedContinuesTheCopyAfterTheCheckpoint) {
  Configure(Glob("*.log*"));
  LogWriter w(logs_ / "app.log");
  for (uint64_t i = 0; i < 100; ++i) w.Write(SeqLine(i));
  auto p = Start();
  ASSERT_TRUE(WaitForLines(100)) << p->Stderr();
  Stop(*p);
  for (uint64_t i = 100; i < 150; ++i) w.Write(SeqLine(i));
  fs::copy_file(logs_ / "app.log", logs_ / "app.log.1");
  ASSERT_EQ(::truncate((logs_ / "app.log").c_str(), 0), 0);
  for (uint64_t i = 150; i < 200; ++i) w.Write(SeqLine(i));
  p = Start();
  ASSERT_TRUE(WaitForLines(200)) << p->Stderr();
  size_t second_run = 0;
  std::vector<std::string> lines = Finish(p, &second_run);
  EXPECT_EQ(NotExactlyOnce(Check(lines, {{"", 200}}), /*ordered=*/false), "")
      << "lines after the second run: " << second_run;
}

// A file truncated in place gets new content at the offsets the old content had: its events must
// not get the old events' ids (Elasticsearch would refuse them as duplicates with `create`).
TEST_F(FileInputTest, ContentWrittenAfterATruncationGetsNewEventIds) {
  Configure(Glob("*.log"), "", "json");
  LogWriter w(logs_ / "app.log");
  for (uint64_t i = 0; i < 3; ++i) w.Write(SeqLine(i));
  auto p = Start();
  ASSERT_TRUE(WaitForLines(3)) << p->Stderr();
  ASSERT_EQ(::truncate((logs_ / "app.log").c_str(), 0), 0);
  // The same offsets as lines 0 and 1; fewer bytes, or the truncation could go unnoticed (a file
  // rewritten to its old size before the input looks is indistinguishable from one not changed).
  for (uint64_t i = 3; i < 5; ++i) w.Write(SeqLine(i));
  ASSERT_TRUE(WaitForLines(5)) << p->Stderr();
  Stop(*p);
  std::set<std::string> ids;
  static const std::regex id_re("\"event\":\\{\"id\":\"([0-9a-f]{16})\"");
  for (const std::string& line : ReadLines(out_)) {
    std::smatch m;
    ASSERT_TRUE(std::regex_search(line, m, id_re)) << line;
    ids.insert(m[1]);
  }
  EXPECT_EQ(ids.size(), 5u);
}

// copytruncate of a file shorter than fingerprint_bytes: its copy cannot match a whole
// fingerprint, so it is recognised by starting with all of the original (and lying beside it).
// The copy is made, then a marker file is written and awaited: the rescan that found the marker
// saw the copy before the truncation (held back as a likely copy); then the original is truncated.
TEST_F(FileInputTest, CopyTruncateOfAFileShorterThanTheFingerprintDeliversEveryLineOnce) {
  scan_interval_ = "2s";  // a likely copy is held back 3 scan intervals: 6 s for this test's steps
  Configure(Glob("*.log*"));
  LogWriter w(logs_ / "app.log");
  for (uint64_t i = 0; i < 5; ++i) w.Write(SeqLine(i));  // 5 x 52 bytes: < fingerprint_bytes
  auto p = Start();
  ASSERT_TRUE(WaitForLines(5)) << p->Stderr();
  for (uint64_t i = 5; i < 8; ++i) w.Write(SeqLine(i));  // read or not before the copy
  fs::copy_file(logs_ / "app.log", logs_ / "app.log.1");
  LogWriter(logs_ / "marker.log").Write(SeqLine(0, "marker"));
  ASSERT_TRUE(
      WaitUntil([&] { return ReadFile(out_).find("file=marker") != std::string::npos; }, kDeadline))
      << p->Stderr();
  ASSERT_EQ(::truncate((logs_ / "app.log").c_str(), 0), 0);
  for (uint64_t i = 8; i < 12; ++i) w.Write(SeqLine(i));
  ASSERT_TRUE(WaitForLines(13)) << p->Stderr();
  size_t first_run = 0;
  std::vector<std::string> lines = Finish(p, &first_run);
  SequenceReport report = Check(lines, {{"", 12}, {"marker", 1}});
  EXPECT_EQ(NotExactlyOnce(report, /*ordered=*/false), "")
      << "lines after the first run: " << first_run;
}

// The same with the truncation right after the copy: the copy is found after it (its inotify
// event and the truncation race; either way each line arrives once).
TEST_F(FileInputTest, CopyTruncateOfAShortFileRightAfterTheCopyDeliversEveryLineOnce) {
  Configure(Glob("*.log*"));
  LogWriter w(logs_ / "app.log");
  for (uint64_t i = 0; i < 5; ++i) w.Write(SeqLine(i));
  auto p = Start();
  ASSERT_TRUE(WaitForLines(5)) << p->Stderr();
  fs::copy_file(logs_ / "app.log", logs_ / "app.log.1");
  ASSERT_EQ(::truncate((logs_ / "app.log").c_str(), 0), 0);
  for (uint64_t i = 5; i < 9; ++i) w.Write(SeqLine(i));
  ASSERT_TRUE(WaitForLines(9)) << p->Stderr();
  size_t first_run = 0;
  std::vector<std::string> lines = Finish(p, &first_run);
  EXPECT_EQ(NotExactlyOnce(Check(lines, {{"", 9}}), /*ordered=*/false), "")
      << "lines after the first run: " << first_run;
}

// New files are found through inotify, not only by the rescans: with scan_interval at 60s, the
// file a rename rotation creates and a file new to the directory are read within the deadline
// (20 s, far less than the rescan would take even on a loaded machine).
TEST_F(FileInputTest, NewFilesAreFoundByInotifyEventsWithoutWaitingForTheRescan) {
  scan_interval_ = "60s";
  Configure(Glob("*.log"));
  auto w = std::make_unique<LogWriter>(logs_ / "app.log");
  w->Write(SeqLine(0));
  auto p = Start();
  ASSERT_TRUE(WaitForLines(1)) << p->Stderr();
  auto rotated = std::chrono::steady_clock::now();
  fs::rename(logs_ / "app.log", logs_ / "app.log.1");
  w = std::make_unique<LogWriter>(logs_ / "app.log");  // created empty: tracked at its first write
  w->Write(SeqLine(1));
  LogWriter(logs_ / "other.log").Write(SeqLine(0, "other"));
  ASSERT_TRUE(WaitForLines(3, seconds(20))) << p->Stderr();
  std::printf("[   INFO   ] new files read %lld ms after the rotation (scan_interval 60s)\n",
              static_cast<long long>(std::chrono::duration_cast<milliseconds>(
                                         std::chrono::steady_clock::now() - rotated)
                                         .count()));
  EXPECT_GE(InputMetric(*p, "sluice_file_input_rotations_total"), 1);
  Stop(*p);
  EXPECT_EQ(NotExactlyOnce(Check(ReadLines(out_), {{"", 2}, {"other", 1}}), /*ordered=*/false), "");
}

// A file renamed out of the globs is read to its end under the name it has now: the lines written
// to it after the rename carry app.log.1, not app.log.
TEST_F(FileInputTest, LinesReadAfterARenameCarryTheFilesNewPath) {
  Configure(Glob("*.log"), "", "json");
  LogWriter w(logs_ / "app.log");
  w.Write(SeqLine(0));
  auto p = Start();
  ASSERT_TRUE(WaitForLines(1)) << p->Stderr();
  fs::rename(logs_ / "app.log", logs_ / "app.log.1");
  ASSERT_TRUE(WaitUntil([&] { return InputMetric(*p, "sluice_file_input_rotations_total") >= 1; },
                        kDeadline));
  w.Write(SeqLine(1));
  ASSERT_TRUE(WaitForLines(2)) << p->Stderr();
  Stop(*p);
  std::vector<std::string> lines = ReadLines(out_);
  ASSERT_EQ(lines.size(), 2u);
  const std::string old_path = "\"" + (logs_ / "app.log").string() + "\"";
  const std::string new_path = "\"" + (logs_ / "app.log.1").string() + "\"";
  EXPECT_NE(lines[0].find(old_path), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find(new_path), std::string::npos) << lines[1];
}

// 3. Truncation in place (`> app.log`): the content after it is read from offset 0.
TEST_F(FileInputTest, TruncatedFileIsReadAgainFromItsStart) {
  Configure(Glob("*.log"));
  LogWriter w(logs_ / "app.log");
  for (uint64_t i = 0; i < 5; ++i) w.Write(SeqLine(i));
  auto p = Start();
  ASSERT_TRUE(WaitForLines(5)) << p->Stderr();
  ASSERT_EQ(::truncate((logs_ / "app.log").c_str(), 0), 0);
  w.Write(SeqLine(5));  // shorter than what was read: the size is below the read offset
  ASSERT_TRUE(WaitForLines(6)) << p->Stderr();
  EXPECT_EQ(InputMetric(*p, "sluice_file_input_truncations_total"), 1);
  FinishExactlyOnce(p, {{"", 6}});
}

// 4. A file deleted while it still has unread lines is read to its end, then let go.
TEST_F(FileInputTest, DeletedFileIsReadToItsEndThenReleased) {
  Configure(Glob("*.log"));
  auto w = std::make_unique<LogWriter>(logs_ / "app.log");
  w->Write(SeqLine(0));
  auto p = Start();
  ASSERT_TRUE(WaitForLines(1)) << p->Stderr();
  std::string burst;
  for (uint64_t i = 1; i < 30000; ++i) burst += SeqLine(i);  // ~1.5MiB: more than one read turn
  w->Write(burst);
  ASSERT_EQ(::unlink((logs_ / "app.log").c_str()), 0);
  w.reset();  // the writer lets go too: only the input holds the file
  ASSERT_TRUE(WaitForLines(30000)) << p->Stderr();
  EXPECT_TRUE(WaitForInputMetric(*p, "sluice_file_input_files_watched", 0))
      << InputMetric(*p, "sluice_file_input_files_watched");
  EXPECT_TRUE(WaitForInputMetric(*p, "sluice_file_input_files_open", 0));
  FinishExactlyOnce(p, {{"", 30000}});
}

// 5. Inode reuse across a restart: A is read, sluice stops, A is deleted and B created at the same
// path (ext4 usually hands B A's inode). B's checkpoint key matches A's, its fingerprint does not:
// B is read from its start.
TEST_F(FileInputTest, NewFileOnReusedInodeIsReadFromItsStart) {
  Configure(Glob("*.log"));
  const fs::path path = logs_ / "app.log";
  {
    LogWriter a(path);
    for (uint64_t i = 0; i < 10; ++i) a.Write(SeqLine(i, "A"));
  }
  struct stat st_a;
  ASSERT_EQ(::stat(path.c_str(), &st_a), 0);
  auto p = Start();
  ASSERT_TRUE(WaitForLines(10)) << p->Stderr();
  Stop(*p);
  p.reset();
  fs::remove(path);
  {
    LogWriter b(path);
    for (uint64_t i = 0; i < 10; ++i) b.Write(SeqLine(i, "B"));  // as long as A: offsets match
  }
  struct stat st_b;
  ASSERT_EQ(::stat(path.c_str(), &st_b), 0);
  bool reused = st_a.st_ino == st_b.st_ino;
  RecordProperty("inode_reused", reused ? "yes" : "no");
  std::printf("[   INFO   ] inode %s (A %llu, B %llu)\n", reused ? "reused" : "not reused",
              static_cast<unsigned long long>(st_a.st_ino),
              static_cast<unsigned long long>(st_b.st_ino));
  p = Start();
  ASSERT_TRUE(WaitForLines(20)) << p->Stderr();
  FinishExactlyOnce(p, {{"A", 10}, {"B", 10}});
}

// 9. A Java stack trace (multiline preset spark) whose first half is in the file when it is renamed
// and whose rest the application writes to the renamed file through its open descriptor, before it
// reopens the new app.log: one event.
TEST_F(FileInputTest, MultilineStackTraceAcrossRenameRotationIsOneEvent) {
  Configure(Glob("*.log"), "multiline: {preset: spark, timeout: 1s}", "json");
  const std::vector<std::string> record = {
      "17/06/09 20:10:40 ERROR executor.Executor: Exception in task 0.0 in stage 1.0 (TID 1)",
      "java.lang.RuntimeException: boom",
      "\tat org.example.Job.map(Job.java:42)",
      "\tat org.apache.spark.rdd.RDD.iterator(RDD.scala:288)",
      "Caused by: java.io.IOException: disk",
      "\tat org.example.Io.read(Io.java:7)",
      "\t... 2 more",
  };
  const std::string next = "17/06/09 20:10:41 INFO executor.Executor: Finished task 1.0";
  auto old_file = std::make_unique<LogWriter>(logs_ / "app.log");
  for (int i = 0; i < 3; ++i) old_file->Write(record[i] + "\n");
  auto p = Start();
  ASSERT_TRUE(WaitForInputMetric(*p, "sluice_file_input_read_lines_total", 3)) << p->Stderr();
  fs::rename(logs_ / "app.log", logs_ / "app.log.1");
  for (size_t i = 3; i < record.size(); ++i) old_file->Write(record[i] + "\n");
  LogWriter new_file(logs_ / "app.log");
  new_file.Write(next + "\n");
  ASSERT_TRUE(WaitForLines(2)) << p->Stderr();
  std::vector<std::string> lines = Finish(p);
  std::string trace;
  for (const std::string& l : record) trace += (trace.empty() ? "" : "\n") + l;
  ASSERT_EQ(lines.size(), 2u) << ReadFile(out_);
  // Two files, two assemblers: which one's timeout fires first is not an order the input promises.
  std::vector<std::string> messages = {JsonMessage(lines[0]), JsonMessage(lines[1])};
  std::sort(messages.begin(), messages.end());
  EXPECT_EQ(messages[0], trace) << ReadFile(out_);
  EXPECT_EQ(messages[1], next) << ReadFile(out_);
}

// Kubernetes container logs (format: cri): a line that is not CRI is kept and tagged; prefixes are
// removed; a Spark record and its stack trace, written as container lines, are one event; a line
// written in three parts is joined; the runtime's time is the event time and `stream` is set.
// Then a line whose first part is read before a SIGTERM and whose last part is written after it

// 12. Debian's logrotate, run 3 times (-f) while a writer writes 4,000 numbered lines.
class FileInputLogrotateTest : public FileInputTest {
 protected:
  static constexpr uint64_t kLines = 4000;
  void SetUp() override {
    if (!fs::exists(kLogrotate)) {
      GTEST_SKIP() << kLogrotate << " is missing (apt-get install logrotate; scripts/deps.sh)";
    }
    FileInputTest::SetUp();
  }
  // Runs the writer and logrotate with `directive` (create or copytruncate) 3 times, when a
  // quarter, half and three quarters of the lines are written.
  // `compression`: logrotate's `nocompress`, `compress` or `compress\n  delaycompress`.
  void WriteAndRotate(const std::string& directive, bool reopen,
                      const std::string& compression = "nocompress") {
    std::string conf = (dir_ / "logrotate.conf").string();
    std::ofstream(conf) << (logs_ / "app.log").string() << " {\n  rotate 5\n  " << directive
                        << "\n  missingok\n  " << compression << "\n}\n";
    fs::permissions(conf, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                              fs::perms::others_read);
    PacedWriter writer({logs_ / "app.log"}, kLines, 10, milliseconds(5), reopen);
    for (int k = 1; k <= 3; ++k) {
      ASSERT_TRUE(WaitUntil([&] { return writer.written() >= k * kLines / 4; }, kDeadline));
      fs::path run = dir_ / ("logrotate" + std::to_string(k));
      fs::create_directories(run);
      Subprocess rotate({kLogrotate, "-f", "-s", (dir_ / "logrotate.state").string(), conf}, run);
      ASSERT_EQ(rotate.WaitFor(seconds(10)), 0) << rotate.Stderr();
    }
    ASSERT_FALSE(writer.done()) << "the writer finished before the rotations";
    writer.Join();
    if (reopen) {
      EXPECT_EQ(writer.reopens(), 3);
    }
    ASSERT_TRUE(fs::exists(logs_ / "app.log.3") || fs::exists(logs_ / "app.log.3.gz"));
  }
  // What is on disk in app.log*, checked like the output.
  SequenceChecker OnDisk() const {
    SequenceChecker disk;
    disk.Expect("app", kLines);
    for (const auto& entry : fs::directory_iterator(logs_)) {
      disk.AddAll(entry.path().extension() == ".gz" ? GunzipLines(entry.path())
                                                    : ReadLines(entry.path()));
    }
    return disk;
  }
};

// create: rename, new empty file; the writer reopens. The input follows the renamed file through
// its descriptor (the glob does not match app.log.N) until rotate_wait.
TEST_F(FileInputLogrotateTest, CreateModeDeliversEveryLineOnce) {
  Configure(Glob("*.log"));
  Touch(logs_ / "app.log");
  auto p = Start();
  // The writer starts once the input tracks app.log: a slow start (ASan, a loaded machine) would
  // otherwise miss the first file, rotated out of the glob before the first scan.
  ASSERT_TRUE(WaitForInputMetric(*p, "sluice_file_input_files_watched", 1)) << p->Stderr();
  ASSERT_NO_FATAL_FAILURE(WriteAndRotate("create", /*reopen=*/true));
  ASSERT_TRUE(WaitForLines(kLines)) << p->Stderr();
  SequenceReport on_disk = OnDisk().Report();  // the files are read in no particular order
  EXPECT_EQ(on_disk.total.lost + on_disk.total.duplicates + on_disk.malformed, 0u)
      << "on disk (the test's own writer and logrotate):\n"
      << on_disk.ToString();
  FinishExactlyOnce(p, {{"app", kLines}}, /*ordered=*/false);
}

// copytruncate: copy to app.log.1, truncate app.log; the writer keeps its O_APPEND descriptor. The
// glob matches the copies. logrotate itself loses the lines written between its copy and its
// truncation (a known limit of copytruncate); every line that is on disk must arrive once.
TEST_F(FileInputLogrotateTest, CopyTruncateModeDeliversEveryLineOnDiskOnce) {
  Configure(Glob("*.log*"));
  Touch(logs_ / "app.log");
  auto p = Start();
  // The writer starts once the input tracks app.log: a slow start (ASan, a loaded machine) would
  // otherwise miss the first file, rotated out of the glob before the first scan.
  ASSERT_TRUE(WaitForInputMetric(*p, "sluice_file_input_files_watched", 1)) << p->Stderr();
  ASSERT_NO_FATAL_FAILURE(WriteAndRotate("copytruncate", /*reopen=*/false));
  SequenceChecker disk = OnDisk();
  SequenceReport on_disk = disk.Report();
  std::printf("[   INFO   ] logrotate copytruncate lost %llu of %llu lines\n",
              static_cast<unsigned long long>(on_disk.total.lost),
              static_cast<unsigned long long>(kLines));
  EXPECT_EQ(on_disk.total.duplicates + on_disk.malformed, 0u) << on_disk.ToString();
  ASSERT_TRUE(WaitForLines(kLines - on_disk.total.lost)) << p->Stderr();
  size_t before_drain = 0;
  std::vector<std::string> lines = Finish(p, &before_drain);
  SequenceChecker got;
  got.Expect("app", kLines);
  got.AddAll(lines);
  SequenceReport report = got.Report();
  // Lines logrotate lost may still have been read from app.log before its truncation: at most once.
  uint64_t missing = 0, repeated = 0;
  for (uint64_t i = 0; i < kLines; ++i) {
    uint32_t n = got.Arrivals("app", i);
    missing += disk.Arrivals("app", i) > 0 && n == 0 ? 1 : 0;
    repeated += n > 1 ? 1 : 0;
  }
  EXPECT_EQ(missing, 0u) << report.ToString() << "on disk:\n" << on_disk.ToString();
  EXPECT_EQ(repeated, 0u) << report.ToString() << "lines before the drain run: " << before_drain;
  EXPECT_EQ(report.total.duplicates, 0u);
  EXPECT_EQ(report.malformed + report.unexpected, 0u) << report.ToString();
}

// compress: each rotation renames app.log to app.log.1 and gzips it into app.log.1.gz at once
// (deleting app.log.1). The glob matches the .gz files: each is the compressed copy of a file the
// input already read, so nothing is read twice, and nothing is lost.
TEST_F(FileInputLogrotateTest, CompressModeReadsNoLineTwice) {
  Configure(Glob("*.log*"));
  Touch(logs_ / "app.log");
  auto p = Start();
  ASSERT_TRUE(WaitForInputMetric(*p, "sluice_file_input_files_watched", 1)) << p->Stderr();
  ASSERT_NO_FATAL_FAILURE(WriteAndRotate("create", /*reopen=*/true, "compress"));
  ASSERT_TRUE(fs::exists(logs_ / "app.log.1.gz"));
  ASSERT_TRUE(WaitForLines(kLines)) << p->Stderr();
  SequenceReport on_disk = OnDisk().Report();
  EXPECT_EQ(on_disk.total.lost + on_disk.total.duplicates + on_disk.malformed, 0u)
      << on_disk.ToString();
  FinishExactlyOnce(p, {{"app", kLines}}, /*ordered=*/false);
}

// delaycompress: app.log.1 stays plain until the next rotation compresses it into app.log.2.gz.
TEST_F(FileInputLogrotateTest, DelayCompressModeReadsNoLineTwice) {
  Configure(Glob("*.log*"));
  Touch(logs_ / "app.log");
  auto p = Start();
  ASSERT_TRUE(WaitForInputMetric(*p, "sluice_file_input_files_watched", 1)) << p->Stderr();
  ASSERT_NO_FATAL_FAILURE(WriteAndRotate("create", /*reopen=*/true, "compress\n  delaycompress"));
  ASSERT_TRUE(fs::exists(logs_ / "app.log.2.gz"));
  ASSERT_TRUE(WaitForLines(kLines)) << p->Stderr();
  SequenceReport on_disk = OnDisk().Report();
  EXPECT_EQ(on_disk.total.lost + on_disk.total.duplicates + on_disk.malformed, 0u)
      << on_disk.ToString();
  FinishExactlyOnce(p, {{"app", kLines}}, /*ordered=*/false);
}

// A .gz never seen as a plain file (copied in, or written by log4j2's RollingFile) is read once,
// from its start, when it is complete; its events carry its path. One still being written (cut
// short) waits; completed later, it is read then, and the first is not read again.
TEST_F(FileInputTest, GzipFilesAreReadOnceWhenComplete) {
  std::string first, second;
  for (int i = 0; i < 3000; ++i) first += SeqLine(static_cast<uint64_t>(i), "old");
  for (int i = 0; i < 3000; ++i) second += SeqLine(static_cast<uint64_t>(i), "new");
  WriteGzipFile(logs_ / "old.log.1.gz", first);
  const std::string gz = GzipBytes(second);
  {
    std::ofstream part(logs_ / "new.log.1.gz", std::ios::binary);
    part << gz.substr(0, gz.size() / 2);  // still being written
  }
  Configure(Glob("*.log*"), "exit_on_eof: true", "json");
  auto p = Start();
  ASSERT_EQ(p->WaitFor(seconds(60)), 0) << p->Stderr();
  std::vector<std::string> lines = ReadLines(out_);
  ASSERT_EQ(lines.size(), 3000u);
  EXPECT_NE(lines[0].find("\"path\":\"" + (logs_ / "old.log.1.gz").string() + "\""),
            std::string::npos)
      << lines[0];
  EXPECT_NE(lines[0].find("\"offset\":0"), std::string::npos) << lines[0];

  {
    std::ofstream whole(logs_ / "new.log.1.gz", std::ios::binary | std::ios::trunc);
    whole << gz;
  }
  auto again = Start();
  ASSERT_EQ(again->WaitFor(seconds(60)), 0) << again->Stderr();
  SequenceChecker got;
  got.Expect("old", 3000);
  got.Expect("new", 3000);
  for (const std::string& line : ReadLines(out_)) got.Add(JsonMessage(line));
  SequenceReport report = got.Report();
  EXPECT_EQ(report.total.lost + report.total.duplicates + report.malformed, 0u)
      << report.ToString();
}

}  // namespace
}  // namespace sluice::testing
