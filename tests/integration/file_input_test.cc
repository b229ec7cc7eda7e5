// End-to-end tests of the `file` input's reading: where it starts, which files it skips, closing
// and reopening, symlinks, long and slow lines, event ids, deleted files while blocked, lag
// metrics, many files, CRI container logs, and restarts (SIGTERM, SIGKILL) while a writer writes.
// Rotation, truncation and deletion are in file_rotation_test.cc; the fixture in
// file_input_fixture.h.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include "tests/integration/file_input_fixture.h"

namespace sluice::testing {
namespace {

TEST_F(FileInputTest, ReadFromEndSkipsExistingContentAtFirstStart) {
  Configure(Glob("*.log"), "read_from: end");
  LogWriter w(logs_ / "app.log");
  w.Write(SeqLine(0, "old"));
  w.Write(SeqLine(1, "old"));
  auto p = Start();
  ASSERT_TRUE(WaitForInputMetric(*p, "sluice_file_input_files_open", 1)) << p->Stderr();
  w.Write(SeqLine(0, "new"));
  ASSERT_TRUE(WaitForLines(1)) << p->Stderr();
  FinishExactlyOnce(p, {{"new", 1}});
}

// ignore_older: a file not modified for longer is not read; a fresh one is.
TEST_F(FileInputTest, IgnoreOlderSkipsStaleFiles) {
  Configure(Glob("*.log"), "ignore_older: 1h");
  {
    LogWriter old(logs_ / "old.log");
    old.Write(SeqLine(0, "old"));
  }
  struct timespec times[2] = {{::time(nullptr) - 7200, 0}, {::time(nullptr) - 7200, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (logs_ / "old.log").c_str(), times, 0), 0);
  LogWriter fresh(logs_ / "fresh.log");
  fresh.Write(SeqLine(0, "fresh"));
  auto p = Start();
  ASSERT_TRUE(WaitForLines(1)) << p->Stderr();
  FinishExactlyOnce(p, {{"fresh", 1}});
}

// close_inactive releases the descriptor of an idle file; growth reopens it and is read.
TEST_F(FileInputTest, CloseInactiveReleasesIdleFilesAndReopensOnGrowth) {
  Configure(Glob("*.log"), "close_inactive: 300ms");
  LogWriter w(logs_ / "app.log");
  w.Write(SeqLine(0));
  auto p = Start();
  ASSERT_TRUE(WaitForLines(1)) << p->Stderr();
  ASSERT_TRUE(WaitForInputMetric(*p, "sluice_file_input_files_open", 0))
      << InputMetric(*p, "sluice_file_input_files_open");
  EXPECT_EQ(InputMetric(*p, "sluice_file_input_files_watched"), 1);
  w.Write(SeqLine(1));
  ASSERT_TRUE(WaitForLines(2)) << p->Stderr();
  FinishExactlyOnce(p, {{"", 2}});
}

// A symlinked file is read through its link and named by the link path.
TEST_F(FileInputTest, SymlinkedFileIsReadThroughTheLink) {
  fs::create_directories(dir_ / "real");
  LogWriter w(dir_ / "real" / "app.log");
  w.Write(SeqLine(0));
  fs::create_symlink(dir_ / "real" / "app.log", logs_ / "link.log");
  Configure(Glob("*.log"), "", "json");
  auto p = Start();
  ASSERT_TRUE(WaitForLines(1)) << p->Stderr();
  w.Write(SeqLine(1));
  ASSERT_TRUE(WaitForLines(2)) << p->Stderr();
  std::vector<std::string> lines = Finish(p);
  ASSERT_EQ(lines.size(), 2u);
  for (const std::string& line : lines) {
    EXPECT_NE(line.find("\"path\":\"" + (logs_ / "link.log").string() + "\""), std::string::npos)
        << line;
  }
}

// Lines longer than max_line_bytes are cut into tagged pieces; the next line is whole.
TEST_F(FileInputTest, HugeLineIsCutIntoTaggedPieces) {
  Configure(Glob("*.log"), "max_line_bytes: 1000", "json");
  LogWriter w(logs_ / "app.log");
  w.Write(std::string(2500, 'y') + "\n" + SeqLine(0));
  auto p = Start();
  ASSERT_TRUE(WaitForLines(4)) << p->Stderr();
  std::vector<std::string> lines = Finish(p);
  ASSERT_EQ(lines.size(), 4u);
  size_t bytes = 0;
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_NE(lines[i].find("\"tags\":[\"_line_truncated\"]"), std::string::npos) << lines[i];
    bytes += JsonMessage(lines[i]).size();
  }
  EXPECT_EQ(bytes, 2500u);
  EXPECT_EQ(lines[3].find("_line_truncated"), std::string::npos);
  EXPECT_EQ(JsonMessage(lines[3]) + "\n", SeqLine(0));
}

// event.id depends only on the file and the offset: a full re-read gives the same ids.
TEST_F(FileInputTest, EventIdsAreStableAcrossAReRead) {
  Configure(Glob("*.log"), "exit_on_eof: true", "json");
  LogWriter w(logs_ / "app.log");
  for (uint64_t i = 0; i < 50; ++i) w.Write(SeqLine(i));
  auto ids = [&] {
    std::vector<std::string> out;
    static const std::regex re("\"id\":\"([0-9a-f]{16})\"");
    for (const std::string& line : ReadLines(out_)) {
      std::smatch m;
      if (std::regex_search(line, m, re)) out.push_back(m[1]);
    }
    return out;
  };
  auto first = Start();
  ASSERT_EQ(first->WaitFor(seconds(30)), 0) << first->Stderr();
  std::vector<std::string> a = ids();
  fs::remove_all(dir_ / "data");  // forget the checkpoints: everything is read again
  fs::remove(out_);
  auto second = Start();
  ASSERT_EQ(second->WaitFor(seconds(30)), 0) << second->Stderr();
  std::vector<std::string> b = ids();
  ASSERT_EQ(a.size(), 50u);
  EXPECT_EQ(a, b);
  std::sort(a.begin(), a.end());
  EXPECT_EQ(std::adjacent_find(a.begin(), a.end()), a.end()) << "ids must differ per event";
}

// A deleted file is not held open without bound while the pipeline is blocked: after
// close_removed_after its unread bytes are abandoned, counted and the descriptor released.
TEST_F(FileInputTest, DeletedFileIsAbandonedAfterCloseRemovedAfterWhenBlocked) {
  {
    LogWriter w(logs_ / "app.log");
    std::string chunk;
    for (uint64_t i = 0; i < 100000; ++i) chunk += SeqLine(i);  // ~5 MiB
    w.Write(chunk);
  }
  std::string cfg = (dir_ / "blocked.yaml").string();
  std::ofstream(cfg) << "data_dir: " << (dir_ / "data").string()
                     << "\nadmin: {listen: '127.0.0.1:0'}\nshutdown_timeout: 500ms\npipelines:\n"
                     << "  p:\n    max_inflight_bytes: 64KiB\n    inputs: [{type: file, include: ["
                     << Glob("*.log") << "], close_removed_after: 1s, max_read_bytes: 64KiB}]\n"
                     << "    outputs: [{type: stdout, codec: text}]\n";
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);  // stdout into a pipe nobody reads: the output blocks
  fs::create_directories(dir_ / "blocked");
  Subprocess p({SLUICE_BINARY, "run", "-c", cfg}, dir_ / "blocked", false, fds[1]);
  ::close(fds[1]);
  ASSERT_GT(WaitForAdminPort(p), 0) << p.Stderr();
  ASSERT_TRUE(WaitUntil([&] { return InputMetric(p, "sluice_file_input_read_bytes_total") > 0; },
                        kDeadline))
      << p.Stderr();
  fs::remove(logs_ / "app.log");
  ASSERT_TRUE(WaitUntil(
      [&] { return InputMetric(p, "sluice_file_input_abandoned_bytes_total") > 0; }, kDeadline))
      << p.Stderr();
  EXPECT_TRUE(WaitForInputMetric(p, "sluice_file_input_files_open", 0));
  EXPECT_NE(p.Stderr().find("could not be read within close_removed_after (1s): abandoned"),
            std::string::npos)
      << p.Stderr();
  p.Signal(SIGKILL);
  p.Wait();
  ::close(fds[0]);
}

// Checkpoint lag per file: a series per tracked file, at 0 once everything read is acked, gone
// once the file is.
TEST_F(FileInputTest, PerFileCheckpointLagIsExportedAndDropsWithTheFile) {
  Configure(Glob("*.log"));
  {
    LogWriter w(logs_ / "app.log");
    for (uint64_t i = 0; i < 100; ++i) w.Write(SeqLine(i));
  }
  auto p = Start();
  ASSERT_TRUE(WaitForLines(100)) << p->Stderr();
  const std::string series =
      "sluice_file_input_file_lag_bytes{pipeline=\"p\",kind=\"input\","
      "type=\"file\",id=\"file\",file=\"";
  const std::string path_label = "path=\"" + (logs_ / "app.log").string() + "\"} ";
  auto lag = [&]() -> std::string {
    std::string metrics = Metrics(*p);
    if (metrics.empty()) return "no answer";
    size_t at = metrics.find(series);
    if (at == std::string::npos) return "absent";
    size_t value = metrics.find(path_label, at);
    if (value == std::string::npos) return "no path label";
    return metrics.substr(value + path_label.size(),
                          metrics.find('\n', value) - value - path_label.size());
  };
  EXPECT_TRUE(WaitUntil([&] { return lag() == "0"; }, kDeadline)) << lag();
  fs::remove(logs_ / "app.log");
  EXPECT_TRUE(WaitUntil([&] { return lag() == "absent"; }, kDeadline)) << lag();
  FinishExactlyOnce(p, {{"", 100}});
}

// The fraction of `path`'s pages in the page cache (mincore); -1 when it cannot be told.
double ResidentFraction(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat st;
  if (::fstat(fd, &st) != 0 || st.st_size == 0) {
    ::close(fd);
    return -1;
  }
  const auto size = static_cast<size_t>(st.st_size);
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return -1;
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> resident((size + page - 1) / page);
  const bool ok = ::mincore(map, size, resident.data()) == 0;
  ::munmap(map, size);
  if (!ok) return -1;
  const auto in =
      std::count_if(resident.begin(), resident.end(), [](unsigned char r) { return r & 1; });
  return static_cast<double>(in) / static_cast<double>(resident.size());
}

// What every output acked leaves the page cache (drop_cache, on by default), so tailing logs does
// not evict a Spark executor's shuffle and cached files; with drop_cache: false the pages stay.
TEST_F(FileInputTest, AckedDataLeavesThePageCacheUnlessDropCacheIsOff) {
  constexpr uint64_t kLines = 100'000;  // about 6 MiB
  for (const bool drop : {true, false}) {
    SCOPED_TRACE(drop ? "drop_cache: true (the default)" : "drop_cache: false");
    const std::string name = drop ? "dropped.log" : "kept.log";
    const fs::path log = logs_ / name;
    {
      LogWriter w(log);
      // Lines of their own: the second file may get the first's inode, and must not be taken
      // for it (same identity, same fingerprint) and skipped as read.
      for (uint64_t i = 0; i < kLines; ++i) w.Write(SeqLine(i, log.stem().string()));
    }
    // Written back, so the pages are clean (DONTNEED leaves dirty pages alone) and in the cache.
    int fd = ::open(log.c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::fsync(fd), 0);
    ::close(fd);
    ASSERT_GT(ResidentFraction(log), 0.9) << "the test's own file is not in the page cache";
    fs::remove(out_);
    Configure(Glob(name), drop ? "" : "drop_cache: false");
    auto p = Start();
    ASSERT_TRUE(WaitForLines(kLines)) << p->Stderr();
    // Every byte acked: the checkpoint lag of the input is 0.
    ASSERT_TRUE(WaitForInputMetric(*p, "sluice_file_input_checkpoint_lag_bytes", 0)) << p->Stderr();
    if (drop) {
      EXPECT_TRUE(WaitUntil([&] { return ResidentFraction(log) < 0.05; }, kDeadline))
          << ResidentFraction(log);
    } else {
      EXPECT_GT(ResidentFraction(log), 0.9);
    }
    FinishExactlyOnce(p, {{log.stem().string(), kLines}});
    fs::remove(log);
  }
}

// Two different files that begin with the same 1 KiB (a common banner) are both read whole: the
// second is not mistaken for a copy of the first (it is only held back for a few scans).
TEST_F(FileInputTest, FilesWithTheSameFirstKilobyteAreNotTakenForCopies) {
  std::string banner;
  for (int i = 0; i < 40; ++i) banner += "17/06/09 20:10:40 INFO SignalUtils: Registered handler\n";
  ASSERT_GT(banner.size(), 1024u);
  {
    LogWriter a(logs_ / "a.log");
    a.Write(banner + SeqLine(0, "a"));
  }
  Configure(Glob("*.log"));
  auto p = Start();
  ASSERT_TRUE(WaitForLines(41)) << p->Stderr();
  {
    LogWriter b(logs_ / "b.log");
    b.Write(banner + SeqLine(0, "b"));
  }
  ASSERT_TRUE(WaitForLines(82)) << p->Stderr();
  std::vector<std::string> lines = Finish(p);
  EXPECT_EQ(lines.size(), 82u);
  EXPECT_EQ(
      std::count(lines.begin(), lines.end(), SeqLine(0, "b").substr(0, SeqLine(0, "b").size() - 1)),
      1);
}

// 6. A file shorter than fingerprint_bytes is read at once, grows past it (its fingerprint grows
// with it), and survives a restart.
TEST_F(FileInputTest, SmallFileIsReadAtOnceAndFollowedAsItGrows) {
  Configure(Glob("*.log"));
  LogWriter w(logs_ / "app.log");
  std::string first = SeqLine(0, "", 18);
  ASSERT_EQ(first.size(), 30u);
  w.Write(first);
  auto p = Start();
  ASSERT_TRUE(WaitForLines(1)) << p->Stderr();
  for (uint64_t i = 1; i < 40; ++i) w.Write(SeqLine(i));  // ~1.9KiB in all
  ASSERT_TRUE(WaitForLines(40)) << p->Stderr();
  Stop(*p);
  p = Start();
  for (uint64_t i = 40; i < 60; ++i) w.Write(SeqLine(i));
  ASSERT_TRUE(WaitForLines(60)) << p->Stderr();
  FinishExactlyOnce(p, {{"", 60}});
}

// 7. More files than max_open_files: all are read, each line once, and exit_on_eof ends the run.
TEST_F(FileInputTest, ThousandFilesWithHundredOpenAtMost) {
  Configure(Glob("*.log"), "max_open_files: 100, exit_on_eof: true");
  std::vector<std::pair<std::string, uint64_t>> expected;
  for (int f = 0; f < 1000; ++f) {
    char name[16];
    std::snprintf(name, sizeof(name), "f%04d", f);
    std::string text;
    for (uint64_t i = 0; i < 10; ++i) text += SeqLine(i, name);
    LogWriter(logs_ / (std::string(name) + ".log")).Write(text);
    expected.emplace_back(name, 10);
  }
  auto p = Start(WriteInputConfig("sluice.yaml", input_options_, /*admin=*/false));
  ASSERT_EQ(p->WaitFor(seconds(30)), 0) << p->Stderr();
  std::vector<std::string> lines = ReadLines(out_);
  EXPECT_EQ(lines.size(), 10000u);
  SequenceReport report = Check(lines, expected);
  EXPECT_EQ(report.total.lost, 0u) << report.ToString();
  EXPECT_EQ(report.total.duplicates, 0u) << report.ToString();
  EXPECT_EQ(report.total.out_of_order, 0u) << report.ToString();
  EXPECT_EQ(report.malformed + report.unexpected, 0u) << report.ToString();
}

// 8. A slow writer: one line written in 3 pieces, each pause shorter than partial_timeout (3s) but
// all of them together longer. The line arrives whole, once. A last line without newline is sent
// as it is once partial_timeout passed.
TEST_F(FileInputTest, LineWrittenInSlowPiecesArrivesWhole) {
  Configure(Glob("*.log"), "partial_timeout: 3s");
  LogWriter w(logs_ / "app.log");
  w.Write(SeqLine(0));
  auto p = Start();
  ASSERT_TRUE(WaitForLines(1)) << p->Stderr();
  const std::string whole = SeqLine(1, "", 60);
  w.Write(whole.substr(0, 20));
  std::this_thread::sleep_for(milliseconds(1800));  // pacing the writer
  w.Write(whole.substr(20, 20));
  std::this_thread::sleep_for(milliseconds(1800));
  w.Write(whole.substr(40));
  w.Write(SeqLine(2));
  ASSERT_TRUE(WaitForLines(3)) << p->Stderr();
  std::vector<std::string> lines = ReadLines(out_);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[1] + "\n", whole);
  const std::string unterminated = "seq=000003 no newline yet";
  w.Write(unterminated);
  ASSERT_TRUE(WaitUntil(
      [&] {
        std::vector<std::string> l = ReadLines(out_);
        return !l.empty() && l.back() == unterminated;
      },
      seconds(10)))
      << ReadFile(out_);
  Stop(*p);
  lines = ReadLines(out_);
  EXPECT_EQ(NotExactlyOnce(Check(lines, {{"", 4}})), "");
  EXPECT_EQ(lines.size(), 4u);
}

// arrives once, whole: the checkpoint never lands inside a partial line.
TEST_F(FileInputTest, CriContainerLogsAreDecodedJoinedAndNeverCheckpointedMidLine) {
  Configure(Glob("*.log"), "format: cri, multiline: {preset: spark, timeout: 1s}", "json");
  const std::string part(100, 'x');
  LogWriter log(logs_ / "0.log");
  log.Write("not a cri line\n");
  log.Write(
      "2024-05-01T12:00:00.000000001Z stderr F 24/05/01 12:00:00 INFO SparkContext: Running\n");
  log.Write(
      "2024-05-01T12:00:01.5Z stderr F 24/05/01 12:00:01 ERROR Executor: Exception in task\n");
  log.Write("2024-05-01T12:00:01.5Z stderr F java.lang.RuntimeException: boom\n");
  log.Write("2024-05-01T12:00:01.5Z stderr F \tat org.example.Job.run(Job.scala:42)\n");
  log.Write("2024-05-01T12:00:02Z stdout P 24/05/01 12:00:02 INFO Long: " + part + "\n");
  log.Write("2024-05-01T12:00:02.1Z stdout P " + part + "\n");
  log.Write("2024-05-01T12:00:02.2Z stdout F end\n");
  auto p = Start();
  ASSERT_TRUE(WaitForLines(4)) << p->Stderr();
  log.Write("2024-05-01T12:00:03Z stdout P 24/05/01 12:00:03 INFO Split: first half, ");
  log.Write("\n");
  ASSERT_TRUE(WaitForInputMetric(*p, "sluice_file_input_read_lines_total", 9)) << p->Stderr();
  Stop(*p);
  log.Write("2024-05-01T12:00:03.5Z stdout F second half\n");
  p.reset();
  std::vector<std::string> lines = Finish(p);
  ASSERT_EQ(lines.size(), 5u) << ReadFile(out_);
  EXPECT_EQ(JsonMessage(lines[0]), "not a cri line");
  EXPECT_NE(lines[0].find("\"_cri_parse_failure\""), std::string::npos) << lines[0];
  EXPECT_EQ(lines[0].find("\"stream\""), std::string::npos) << lines[0];
  EXPECT_EQ(JsonMessage(lines[1]), "24/05/01 12:00:00 INFO SparkContext: Running");
  EXPECT_NE(lines[1].find("\"@timestamp\":\"2024-05-01T12:00:00."), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("\"stream\":\"stderr\""), std::string::npos) << lines[1];
  EXPECT_EQ(JsonMessage(lines[2]),
            "24/05/01 12:00:01 ERROR Executor: Exception in task\n"
            "java.lang.RuntimeException: boom\n\tat org.example.Job.run(Job.scala:42)");
  EXPECT_NE(lines[2].find("\"@timestamp\":\"2024-05-01T12:00:01.5"), std::string::npos) << lines[2];
  EXPECT_EQ(JsonMessage(lines[3]), "24/05/01 12:00:02 INFO Long: " + part + part + "end");
  EXPECT_NE(lines[3].find("\"stream\":\"stdout\""), std::string::npos) << lines[3];
  EXPECT_EQ(lines[3].find("_cri_parse_failure"), std::string::npos) << lines[3];
  EXPECT_EQ(JsonMessage(lines[4]), "24/05/01 12:00:03 INFO Split: first half, second half");
  EXPECT_NE(lines[4].find("\"@timestamp\":\"2024-05-01T12:00:03"), std::string::npos) << lines[4];
}

// 10. and 11.: a writer appends 20,000 numbered lines to 3 files at a steady pace (about 4s);
// sluice is stopped midway (SIGTERM or SIGKILL) and started again while the writer goes on.
class FileInputRestartTest : public FileInputTest {
 protected:
  static constexpr uint64_t kLines = 20000;
  std::vector<fs::path> Files() const {
    return {logs_ / "app0.log", logs_ / "app1.log", logs_ / "app2.log"};
  }
  static std::vector<std::pair<std::string, uint64_t>> Expected() {
    // Round-robin: app0 and app1 get one line more than app2.
    return {{"app0", 6667}, {"app1", 6667}, {"app2", 6666}};
  }
  // Starts sluice over Files() (touched first) and `writer`, which writes kLines lines to them;
  // returns once 5,000 lines are out.
  void StartWhileWriting(std::unique_ptr<Subprocess>& p, std::unique_ptr<PacedWriter>& writer) {
    for (const fs::path& f : Files()) Touch(f);
    p = Start();
    writer = std::make_unique<PacedWriter>(Files(), kLines, 20, milliseconds(4));
    ASSERT_TRUE(WaitForLines(5000)) << p->Stderr();
  }
  // Starts sluice again, lets `writer` finish, waits for every line and drains (Finish()):
  // `*report` checks what came out against Expected(); `*before_drain` gets how many lines were
  // out before the drain run.
  void RestartAndDrain(std::unique_ptr<Subprocess>& p, PacedWriter& writer, SequenceReport* report,
                       size_t* before_drain) {
    p = Start();
    writer.Join();
    ASSERT_TRUE(WaitForLines(kLines)) << p->Stderr();
    *report = Check(Finish(p, before_drain), Expected());
  }
};

TEST_F(FileInputRestartTest, SigtermAndRestartWhileWritingLosesAndRepeatsNothing) {
  Configure(Glob("*.log"));
  std::unique_ptr<Subprocess> p;
  std::unique_ptr<PacedWriter> writer;
  ASSERT_NO_FATAL_FAILURE(StartWhileWriting(p, writer));
  Stop(*p);
  ASSERT_FALSE(writer->done()) << "the writer finished before the stop; the test proves nothing";
  size_t after_first = CountLines(out_);
  SequenceReport report;
  size_t before_drain = 0;
  ASSERT_NO_FATAL_FAILURE(RestartAndDrain(p, *writer, &report, &before_drain));
  EXPECT_EQ(NotExactlyOnce(report), "")
      << "first run " << after_first << " lines, before the drain run " << before_drain;
}

// After SIGKILL a restart resumes at the last persisted checkpoint: what was delivered after it is
// delivered again. Bound: events in flight (max_inflight_bytes 1MiB over at least 80 bytes of batch
// memory each: at most 13,107) plus what was acked in the last checkpoint_interval (50ms of a
// 5,000 lines/s writer: about 250), so fewer than 14,000.
TEST_F(FileInputRestartTest, SigkillAndRestartWhileWritingLosesNothing) {
  Configure(Glob("*.log"), "", "text", "checkpoint_interval: 50ms", "max_inflight_bytes: 1MiB");
  std::unique_ptr<Subprocess> p;
  std::unique_ptr<PacedWriter> writer;
  ASSERT_NO_FATAL_FAILURE(StartWhileWriting(p, writer));
  p->Signal(SIGKILL);
  EXPECT_EQ(p->WaitFor(seconds(10)), 128 + SIGKILL);
  ASSERT_FALSE(writer->done()) << "the writer finished before the kill; the test proves nothing";
  // A write cut by the kill leaves a partial last line (never acked, so it is read again); cut it
  // off so that the next run's first line is not glued to it.
  std::string out = ReadFile(out_);
  size_t torn = out.empty() || out.back() == '\n' ? 0 : out.size() - (out.rfind('\n') + 1);
  if (torn > 0) fs::resize_file(out_, out.size() - torn);
  size_t after_first = CountLines(out_);
  SequenceReport report;
  size_t before_drain = 0;
  ASSERT_NO_FATAL_FAILURE(RestartAndDrain(p, *writer, &report, &before_drain));
  std::printf("[   INFO   ] SIGKILL after %zu lines (torn tail %zu bytes): %llu duplicates\n",
              after_first, torn, static_cast<unsigned long long>(report.total.duplicates));
  RecordProperty("duplicates", static_cast<int>(report.total.duplicates));
  EXPECT_EQ(report.total.lost, 0u) << report.ToString();
  EXPECT_LT(report.total.duplicates, 14000u) << report.ToString();
  EXPECT_EQ(report.malformed + report.unexpected, 0u) << report.ToString();
}

}  // namespace
}  // namespace sluice::testing
