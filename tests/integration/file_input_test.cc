// End-to-end tests of the `file` input: the real `sluice` binary tails files that this test (and
// Debian's `logrotate`) writes, renames, truncates and deletes, and writes what it read to a file
// output; SequenceChecker tells what was lost, repeated or reordered.
//
// Synchronization: the tests wait for observable states (lines in the output file, the input's
// metrics on the admin API, a process's exit), each with a deadline. Sleeps only pace writers.
// Most tests end with Finish(): SIGTERM (a clean drain), then one more run with `exit_on_eof: true`
// that reads whatever the checkpoints say is unread and exits. A late re-read (a duplicate that a
// first run would have produced after the test looked) shows up deterministically in that run.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <regex>
#include <thread>

#include "tests/integration/http_get.h"
#include "tests/integration/sequence_checker.h"
#include "tests/integration/subprocess.h"

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr milliseconds kDeadline = seconds(15);
constexpr char kLogrotate[] = "/usr/sbin/logrotate";

// A writer's line: `seq=000042 file=app0 xxxx...` (no `file=` when `stream` is empty).
std::string SeqLine(uint64_t seq, const std::string& stream = "", size_t pad = 40) {
  char head[64];
  std::snprintf(head, sizeof(head), "seq=%06llu", static_cast<unsigned long long>(seq));
  std::string line = head;
  if (!stream.empty()) line += " file=" + stream;
  line += ' ';
  line.append(pad, 'x');
  line += '\n';
  return line;
}

// Appends to a log file with write(2) on an O_APPEND descriptor, as an application's logger does.
class LogWriter {
 public:
  explicit LogWriter(fs::path path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  }
  ~LogWriter() { Close(); }
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  void Write(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ADD_FAILURE() << "write to " << path_ << ": " << std::strerror(errno);
        return;
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
  }
  // log4j's RollingFileAppender after a create-mode rotation: when the path names another file
  // than the one open, reopens it (without creating it: while the path is missing, between the
  // rename and the create, it keeps writing to the old file). Returns whether it reopened.
  bool ReopenIfRotated() {
    struct stat at_path, open_file;
    if (::stat(path_.c_str(), &at_path) != 0 || ::fstat(fd_, &open_file) != 0) return false;
    if (at_path.st_ino == open_file.st_ino && at_path.st_dev == open_file.st_dev) return false;
    int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) return false;
    ::close(fd_);
    fd_ = fd;
    return true;
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  fs::path path_;
  int fd_ = -1;
};

// Writes `per_stream[i]` lines to each file of `paths` (stream name: the file's stem), round-robin,
// `burst` lines at a time with `pause` between bursts, on its own thread. `reopen`: log4j-style
// reopening after create-mode rotations.
class PacedWriter {
 public:
  PacedWriter(std::vector<fs::path> paths, uint64_t total, size_t burst, milliseconds pause,
              bool reopen = false)
      : thread_([this, paths, total, burst, pause, reopen] {
          std::vector<std::unique_ptr<LogWriter>> writers;
          for (const fs::path& p : paths) writers.push_back(std::make_unique<LogWriter>(p));
          std::vector<uint64_t> next(paths.size(), 0);
          uint64_t i = 0;
          while (i < total) {
            if (reopen) {
              for (auto& w : writers) reopens_ += w->ReopenIfRotated() ? 1 : 0;
            }
            for (size_t b = 0; b < burst && i < total; ++b, ++i) {
              size_t k = i % paths.size();
              writers[k]->Write(SeqLine(next[k]++, paths[k].stem().string()));
            }
            written_ = i;
            std::this_thread::sleep_for(pause);  // pacing, not synchronization
          }
          done_ = true;
        }) {}
  ~PacedWriter() { Join(); }
  void Join() {
    if (thread_.joinable()) thread_.join();
  }
  uint64_t written() const { return written_.load(); }
  bool done() const { return done_.load(); }
  int reopens() const { return reopens_.load(); }

 private:
  std::atomic<uint64_t> written_{0};
  std::atomic<bool> done_{false};
  std::atomic<int> reopens_{0};
  std::thread thread_;  // last: starts after the counters exist
};

// Polls `done` every 10ms until it holds or `timeout` passes.
bool Poll(const std::function<bool()>& done, milliseconds timeout = kDeadline) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return true;
}

size_t CountLines(const fs::path& p) {
  std::string text = ReadFile(p);
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

// The "message" string of a JSON output line, unescaped ("" when there is none).
std::string JsonMessage(const std::string& line) {
  const std::string key = "\"message\":\"";
  size_t at = line.find(key);
  if (at == std::string::npos) return "";
  std::string out;
  for (size_t i = at + key.size(); i < line.size(); ++i) {
    char c = line[i];
    if (c == '"') return out;
    if (c != '\\' || i + 1 >= line.size()) {
      out += c;
      continue;
    }
    char e = line[++i];
    switch (e) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'u':
        out += static_cast<char>(std::stoi(line.substr(i + 1, 4), nullptr, 16));
        i += 4;
        break;
      default:
        out += e;
    }
  }
  return out;
}

class FileInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("sluice_file_input");
    logs_ = dir_ / "logs";
    out_ = dir_ / "out.log";
    fs::create_directories(logs_);
  }
  void TearDown() override {
    if (!dir_.empty() && !HasFailure()) fs::remove_all(dir_);  // empty: skipped in SetUp()
  }

  // Writes the config every later Start() uses: one pipeline `p`, a file input over `include`
  // (YAML list items) with `input_options` added, a file output to out_ with `codec`.
  void Configure(const std::string& include, const std::string& input_options = "",
                 const std::string& codec = "text", const std::string& process_options = "",
                 const std::string& pipeline_options = "") {
    include_ = include;
    input_options_ = input_options;
    codec_ = codec;
    process_options_ = process_options;
    pipeline_options_ = pipeline_options;
    config_ = WriteConfig("sluice.yaml", input_options);
  }
  // `admin`: serve the admin API (on a free port). Runs that end at once go without it: stopping
  // it before its thread started listening hangs (httplib's stop() is then a no-op; reported).
  std::string WriteConfig(const std::string& name, const std::string& input_options,
                          bool admin = true) {
    std::string path = (dir_ / name).string();
    std::ofstream(path) << "data_dir: " << (dir_ / "data").string()
                        << "\nadmin: " << (admin ? "{listen: '127.0.0.1:0'}" : "{enabled: false}")
                        << "\n"
                        << process_options_ << "\npipelines:\n  p:\n    " << pipeline_options_
                        << "\n    inputs: [{type: file, include: [" << include_
                        << "], scan_interval: 200ms, rotate_wait: 1s"
                        << (input_options.empty() ? "" : ", " + input_options)
                        << "}]\n    outputs: [{type: file, path: '" << out_.string()
                        << "', codec: " << codec_ << "}]\n";
    return path;
  }
  std::string Glob(const std::string& pattern) const {
    return "'" + (logs_ / pattern).string() + "'";
  }

  // Starts `sluice run` on the config; its stdout/stderr go to a directory of its own.
  std::unique_ptr<Subprocess> Start(const std::string& config = "") {
    fs::path run_dir = dir_ / ("run" + std::to_string(++runs_));
    fs::create_directories(run_dir);
    return std::make_unique<Subprocess>(
        std::vector<std::string>{SLUICE_BINARY, "run", "-c", config.empty() ? config_ : config},
        run_dir);
  }
  // SIGTERM: the run drains what it read and exits 0.
  static void Stop(Subprocess& p) {
    p.Signal(SIGTERM);
    ASSERT_EQ(p.WaitFor(seconds(30)), 0) << p.Stderr();
  }
  // Stops `p`, then runs once more with exit_on_eof (reads what the checkpoints say is unread and
  // exits). Returns the output's lines; `*before` (if given) gets how many the earlier runs wrote.
  std::vector<std::string> Finish(std::unique_ptr<Subprocess>& p, size_t* before = nullptr) {
    if (p) Stop(*p);
    p.reset();
    if (before) *before = CountLines(out_);
    std::string cfg =
        WriteConfig("sluice_drain.yaml",
                    input_options_ + (input_options_.empty() ? "" : ", ") + "exit_on_eof: true",
                    /*admin=*/false);
    auto drain = Start(cfg);
    EXPECT_EQ(drain->WaitFor(seconds(30)), 0) << drain->Stderr();
    return ReadLines(out_);
  }

  bool WaitForLines(size_t n, milliseconds timeout = kDeadline) {
    return Poll([&] { return CountLines(out_) >= n; }, timeout);
  }

  static int AdminPort(const Subprocess& p) {
    int port = -1;
    Poll([&] {
      std::smatch m;
      std::string err = p.Stderr();
      static const std::regex re("admin API on http://127\\.0\\.0\\.1:(\\d+)");
      if (std::regex_search(err, m, re)) port = std::stoi(m[1]);
      return port > 0;
    });
    return port;
  }
  // The file input's metric `name` (-1 when it cannot be read).
  static double Metric(int port, const std::string& name) {
    auto r = HttpGet(port, "/metrics");
    if (!r) return -1;
    std::string series = "\n" + name + "{pipeline=\"p\",kind=\"input\",type=\"file\",id=\"file\"} ";
    size_t at = r->body.find(series);
    return at == std::string::npos ? -1 : std::stod(r->body.substr(at + series.size()));
  }
  static bool WaitForMetric(int port, const std::string& name, double value) {
    return Poll([&] { return Metric(port, name) == value; });
  }

  fs::path dir_, logs_, out_;
  std::string include_, input_options_, codec_, process_options_, pipeline_options_, config_;
  int runs_ = 0;
};

// "" when every expected line arrived exactly once (and, with `ordered`, in order per stream:
// only for streams written to one file; across files of a rotation the order is not defined).
std::string NotExactlyOnce(const SequenceReport& r, bool ordered = true) {
  bool ok = r.total.lost == 0 && r.total.duplicates == 0 &&
            (!ordered || r.total.out_of_order == 0) && r.malformed == 0 && r.unexpected == 0;
  return ok ? "" : r.ToString();
}

void Touch(const fs::path& p) { LogWriter w(p); }

SequenceReport Check(const std::vector<std::string>& lines,
                     const std::vector<std::pair<std::string, uint64_t>>& expected) {
  SequenceChecker checker;
  for (const auto& [stream, n] : expected) checker.Expect(stream, n);
  checker.AddAll(lines);
  return checker.Report();
}

// read_from: end skips what files hold at the very first start; later lines arrive.
TEST_F(FileInputTest, ReadFromEndSkipsExistingContentAtFirstStart) {
  Configure(Glob("*.log"), "read_from: end");
  LogWriter w(logs_ / "app.log");
  w.Write(SeqLine(0, "old"));
  w.Write(SeqLine(1, "old"));
  auto p = Start();
  int port = AdminPort(*p);
  ASSERT_TRUE(WaitForMetric(port, "sluice_file_input_files_open", 1)) << p->Stderr();
  w.Write(SeqLine(0, "new"));
  ASSERT_TRUE(WaitForLines(1)) << p->Stderr();
  std::vector<std::string> lines = Finish(p);
  EXPECT_EQ(NotExactlyOnce(Check(lines, {{"new", 1}})), "");
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
  std::vector<std::string> lines = Finish(p);
  EXPECT_EQ(NotExactlyOnce(Check(lines, {{"fresh", 1}})), "");
}

// close_inactive releases the descriptor of an idle file; growth reopens it and is read.
TEST_F(FileInputTest, CloseInactiveReleasesIdleFilesAndReopensOnGrowth) {
  Configure(Glob("*.log"), "close_inactive: 300ms");
  LogWriter w(logs_ / "app.log");
  w.Write(SeqLine(0));
  auto p = Start();
  int port = AdminPort(*p);
  ASSERT_TRUE(WaitForLines(1)) << p->Stderr();
  ASSERT_TRUE(WaitForMetric(port, "sluice_file_input_files_open", 0))
      << Metric(port, "sluice_file_input_files_open");
  EXPECT_EQ(Metric(port, "sluice_file_input_files_watched"), 1);
  w.Write(SeqLine(1));
  ASSERT_TRUE(WaitForLines(2)) << p->Stderr();
  std::vector<std::string> lines = Finish(p);
  EXPECT_EQ(NotExactlyOnce(Check(lines, {{"", 2}})), "");
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
  int port = AdminPort(p);
  ASSERT_GT(port, 0) << p.Stderr();
  ASSERT_TRUE(Poll([&] { return Metric(port, "sluice_file_input_read_bytes_total") > 0; }))
      << p.Stderr();
  fs::remove(logs_ / "app.log");
  ASSERT_TRUE(Poll([&] { return Metric(port, "sluice_file_input_abandoned_bytes_total") > 0; }))
      << p.Stderr();
  EXPECT_TRUE(WaitForMetric(port, "sluice_file_input_files_open", 0));
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
  int port = AdminPort(*p);
  ASSERT_TRUE(WaitForLines(100)) << p->Stderr();
  const std::string series =
      "sluice_file_input_file_lag_bytes{pipeline=\"p\",kind=\"input\","
      "type=\"file\",id=\"file\",file=\"";
  const std::string path_label = "path=\"" + (logs_ / "app.log").string() + "\"} ";
  auto lag = [&]() -> std::string {
    auto r = HttpGet(port, "/metrics");
    if (!r) return "no answer";
    size_t at = r->body.find(series);
    if (at == std::string::npos) return "absent";
    size_t value = r->body.find(path_label, at);
    if (value == std::string::npos) return "no path label";
    return r->body.substr(value + path_label.size(),
                          r->body.find('\n', value) - value - path_label.size());
  };
  EXPECT_TRUE(Poll([&] { return lag() == "0"; })) << lag();
  fs::remove(logs_ / "app.log");
  EXPECT_TRUE(Poll([&] { return lag() == "absent"; })) << lag();
  std::vector<std::string> lines = Finish(p);
  EXPECT_EQ(NotExactlyOnce(Check(lines, {{"", 100}})), "");
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

// 1. Rename rotation (vector's test harness): app.log -> app.log.1, a new app.log.
TEST_F(FileInputTest, RenameRotationThenNewFileDeliversEveryLineOnce) {
  Configure(Glob("*.log"));
  auto w = std::make_unique<LogWriter>(logs_ / "app.log");
  w->Write(SeqLine(0));
  auto p = Start();
  int port = AdminPort(*p);
  ASSERT_TRUE(WaitForLines(1)) << p->Stderr();
  fs::rename(logs_ / "app.log", logs_ / "app.log.1");
  w = std::make_unique<LogWriter>(logs_ / "app.log");
  w->Write(SeqLine(1));
  w->Write(SeqLine(2));
  ASSERT_TRUE(WaitForLines(3)) << p->Stderr();
  // The renamed file is let go after rotate_wait (1s) without growth: nothing can re-read it later.
  EXPECT_TRUE(WaitForMetric(port, "sluice_file_input_files_watched", 1))
      << Metric(port, "sluice_file_input_files_watched");
  EXPECT_GE(Metric(port, "sluice_file_input_rotations_total"), 1);
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

// 3. Truncation in place (`> app.log`): the content after it is read from offset 0.
TEST_F(FileInputTest, TruncatedFileIsReadAgainFromItsStart) {
  Configure(Glob("*.log"));
  LogWriter w(logs_ / "app.log");
  for (uint64_t i = 0; i < 5; ++i) w.Write(SeqLine(i));
  auto p = Start();
  int port = AdminPort(*p);
  ASSERT_TRUE(WaitForLines(5)) << p->Stderr();
  ASSERT_EQ(::truncate((logs_ / "app.log").c_str(), 0), 0);
  w.Write(SeqLine(5));  // shorter than what was read: the size is below the read offset
  ASSERT_TRUE(WaitForLines(6)) << p->Stderr();
  EXPECT_EQ(Metric(port, "sluice_file_input_truncations_total"), 1);
  std::vector<std::string> lines = Finish(p);
  EXPECT_EQ(NotExactlyOnce(Check(lines, {{"", 6}})), "");
}

// 4. A file deleted while it still has unread lines is read to its end, then let go.
TEST_F(FileInputTest, DeletedFileIsReadToItsEndThenReleased) {
  Configure(Glob("*.log"));
  auto w = std::make_unique<LogWriter>(logs_ / "app.log");
  w->Write(SeqLine(0));
  auto p = Start();
  int port = AdminPort(*p);
  ASSERT_TRUE(WaitForLines(1)) << p->Stderr();
  std::string burst;
  for (uint64_t i = 1; i < 30000; ++i) burst += SeqLine(i);  // ~1.5MiB: more than one read turn
  w->Write(burst);
  ASSERT_EQ(::unlink((logs_ / "app.log").c_str()), 0);
  w.reset();  // the writer lets go too: only the input holds the file
  ASSERT_TRUE(WaitForLines(30000)) << p->Stderr();
  EXPECT_TRUE(WaitForMetric(port, "sluice_file_input_files_watched", 0))
      << Metric(port, "sluice_file_input_files_watched");
  EXPECT_TRUE(WaitForMetric(port, "sluice_file_input_files_open", 0));
  std::vector<std::string> lines = Finish(p);
  EXPECT_EQ(NotExactlyOnce(Check(lines, {{"", 30000}})), "");
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
  std::vector<std::string> lines = Finish(p);
  EXPECT_EQ(NotExactlyOnce(Check(lines, {{"A", 10}, {"B", 10}})), "");
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
  std::vector<std::string> lines = Finish(p);
  EXPECT_EQ(NotExactlyOnce(Check(lines, {{"", 60}})), "");
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
  auto p = Start(WriteConfig("sluice.yaml", input_options_, /*admin=*/false));
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
  ASSERT_TRUE(Poll(
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
  int port = AdminPort(*p);
  ASSERT_TRUE(WaitForMetric(port, "sluice_file_input_read_lines_total", 3)) << p->Stderr();
  fs::rename(logs_ / "app.log", logs_ / "app.log.1");
  for (size_t i = 3; i < record.size(); ++i) old_file->Write(record[i] + "\n");
  LogWriter new_file(logs_ / "app.log");
  new_file.Write(next + "\n");
  ASSERT_TRUE(WaitForLines(2)) << p->Stderr();
  std::vector<std::string> lines = Finish(p);
  std::string trace;
  for (const std::string& l : record) trace += (trace.empty() ? "" : "\n") + l;
  ASSERT_EQ(lines.size(), 2u) << ReadFile(out_);
  EXPECT_EQ(JsonMessage(lines[0]), trace) << lines[0];
  EXPECT_EQ(JsonMessage(lines[1]), next) << lines[1];
}

// Kubernetes container logs (format: cri): a line that is not CRI is kept and tagged; prefixes are
// removed; a Spark record and its stack trace, written as container lines, are one event; a line
// written in three parts is joined; the runtime's time is the event time and `stream` is set.
// Then a line whose first part is read before a SIGTERM and whose last part is written after it
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
  int port = AdminPort(*p);
  ASSERT_TRUE(WaitForMetric(port, "sluice_file_input_read_lines_total", 9)) << p->Stderr();
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
};

TEST_F(FileInputRestartTest, SigtermAndRestartWhileWritingLosesAndRepeatsNothing) {
  Configure(Glob("*.log"));
  for (const fs::path& f : Files()) Touch(f);
  auto p = Start();
  PacedWriter writer(Files(), kLines, 20, milliseconds(4));
  ASSERT_TRUE(WaitForLines(5000)) << p->Stderr();
  Stop(*p);
  ASSERT_FALSE(writer.done()) << "the writer finished before the stop; the test proves nothing";
  size_t after_first = CountLines(out_);
  p = Start();
  writer.Join();
  ASSERT_TRUE(WaitForLines(kLines)) << p->Stderr();
  size_t before_drain = 0;
  std::vector<std::string> lines = Finish(p, &before_drain);
  SequenceReport report = Check(lines, Expected());
  EXPECT_EQ(NotExactlyOnce(report), "")
      << "first run " << after_first << " lines, before the drain run " << before_drain;
}

// After SIGKILL a restart resumes at the last persisted checkpoint: what was delivered after it is
// delivered again. Bound: events in flight (max_inflight_bytes 1MiB over at least 80 bytes of batch
// memory each: at most 13,107) plus what was acked in the last checkpoint_interval (50ms of a
// 5,000 lines/s writer: about 250), so fewer than 14,000.
TEST_F(FileInputRestartTest, SigkillAndRestartWhileWritingLosesNothing) {
  Configure(Glob("*.log"), "", "text", "checkpoint_interval: 50ms", "max_inflight_bytes: 1MiB");
  for (const fs::path& f : Files()) Touch(f);
  auto p = Start();
  PacedWriter writer(Files(), kLines, 20, milliseconds(4));
  ASSERT_TRUE(WaitForLines(5000)) << p->Stderr();
  p->Signal(SIGKILL);
  EXPECT_EQ(p->WaitFor(seconds(10)), 128 + SIGKILL);
  ASSERT_FALSE(writer.done()) << "the writer finished before the kill; the test proves nothing";
  // A write cut by the kill leaves a partial last line (never acked, so it is read again); cut it
  // off so that the next run's first line is not glued to it.
  std::string out = ReadFile(out_);
  size_t torn = out.empty() || out.back() == '\n' ? 0 : out.size() - (out.rfind('\n') + 1);
  if (torn > 0) fs::resize_file(out_, out.size() - torn);
  size_t after_first = CountLines(out_);
  p = Start();
  writer.Join();
  ASSERT_TRUE(WaitForLines(kLines)) << p->Stderr();
  size_t before_drain = 0;
  std::vector<std::string> lines = Finish(p, &before_drain);
  SequenceReport report = Check(lines, Expected());
  std::printf("[   INFO   ] SIGKILL after %zu lines (torn tail %zu bytes): %llu duplicates\n",
              after_first, torn, static_cast<unsigned long long>(report.total.duplicates));
  RecordProperty("duplicates", static_cast<int>(report.total.duplicates));
  EXPECT_EQ(report.total.lost, 0u) << report.ToString();
  EXPECT_LT(report.total.duplicates, 14000u) << report.ToString();
  EXPECT_EQ(report.malformed + report.unexpected, 0u) << report.ToString();
}

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
  void WriteAndRotate(const std::string& directive, bool reopen) {
    std::string conf = (dir_ / "logrotate.conf").string();
    std::ofstream(conf) << (logs_ / "app.log").string() << " {\n  rotate 5\n  " << directive
                        << "\n  missingok\n  nocompress\n}\n";
    fs::permissions(conf, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                              fs::perms::others_read);
    PacedWriter writer({logs_ / "app.log"}, kLines, 10, milliseconds(5), reopen);
    for (int k = 1; k <= 3; ++k) {
      ASSERT_TRUE(Poll([&] { return writer.written() >= k * kLines / 4; }));
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
    ASSERT_TRUE(fs::exists(logs_ / "app.log.3"));
  }
  // What is on disk in app.log*, checked like the output.
  SequenceChecker OnDisk() const {
    SequenceChecker disk;
    disk.Expect("app", kLines);
    for (const auto& entry : fs::directory_iterator(logs_)) disk.AddAll(ReadLines(entry.path()));
    return disk;
  }
};

// create: rename, new empty file; the writer reopens. The input follows the renamed file through
// its descriptor (the glob does not match app.log.N) until rotate_wait.
TEST_F(FileInputLogrotateTest, CreateModeDeliversEveryLineOnce) {
  Configure(Glob("*.log"));
  Touch(logs_ / "app.log");
  auto p = Start();
  ASSERT_NO_FATAL_FAILURE(WriteAndRotate("create", /*reopen=*/true));
  ASSERT_TRUE(WaitForLines(kLines)) << p->Stderr();
  SequenceReport on_disk = OnDisk().Report();  // the files are read in no particular order
  EXPECT_EQ(on_disk.total.lost + on_disk.total.duplicates + on_disk.malformed, 0u)
      << "on disk (the test's own writer and logrotate):\n"
      << on_disk.ToString();
  std::vector<std::string> lines = Finish(p);
  EXPECT_EQ(NotExactlyOnce(Check(lines, {{"app", kLines}}), /*ordered=*/false), "");
}

// copytruncate: copy to app.log.1, truncate app.log; the writer keeps its O_APPEND descriptor. The
// glob matches the copies. logrotate itself loses the lines written between its copy and its
// truncation (a known limit of copytruncate); every line that is on disk must arrive once.
TEST_F(FileInputLogrotateTest, CopyTruncateModeDeliversEveryLineOnDiskOnce) {
  Configure(Glob("*.log*"));
  Touch(logs_ / "app.log");
  auto p = Start();
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

}  // namespace
}  // namespace sluice::testing
