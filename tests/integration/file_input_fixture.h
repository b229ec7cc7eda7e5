// FileInputTest: the fixture of the `file` input's end-to-end tests (file_input_test.cc,
// file_rotation_test.cc): the real `sluice` binary tails files that the tests (and Debian's
// `logrotate`) write, rename, truncate and delete, and writes what it read to a file output;
// SequenceChecker tells what was lost, repeated or reordered. Also the writers the tests use
// (LogWriter, PacedWriter) and the checks of what arrived.
//
// Synchronization: the tests wait for observable states (lines in the output file, the input's
// metrics on the admin API, a process's exit), each with a deadline. Sleeps only pace writers.
// Most tests end with Finish(): SIGTERM (a clean drain), then one more run with `exit_on_eof: true`
// that reads whatever the checkpoints say is unread and exits. A late re-read (a duplicate that a
// first run would have produced after the test looked) shows up deterministically in that run.
// Thread-safety: none, but PacedWriter's counters (read while its thread writes).
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/integration/sequence_checker.h"
#include "tests/integration/sluice_process.h"
#include "tests/integration/subprocess.h"

namespace sluice::testing {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

inline constexpr milliseconds kDeadline = seconds(15);
inline constexpr char kLogrotate[] = "/usr/sbin/logrotate";

// A writer's line: `seq=000042 file=app0 xxxx...` (no `file=` when `stream` is empty).
inline std::string SeqLine(uint64_t seq, const std::string& stream = "", size_t pad = 40) {
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

inline size_t CountLines(const fs::path& p) {
  std::string text = ReadFile(p);
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

// The "message" string of a JSON output line, unescaped ("" when there is none).
inline std::string JsonMessage(const std::string& line) {
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
// "" when every expected line arrived exactly once (and, with `ordered`, in order per stream:
// only for streams written to one file; across files of a rotation the order is not defined).
inline std::string NotExactlyOnce(const SequenceReport& r, bool ordered = true) {
  bool ok = r.total.lost == 0 && r.total.duplicates == 0 &&
            (!ordered || r.total.out_of_order == 0) && r.malformed == 0 && r.unexpected == 0;
  return ok ? "" : r.ToString();
}

inline void Touch(const fs::path& p) { LogWriter w(p); }

inline SequenceReport Check(const std::vector<std::string>& lines,
                            const std::vector<std::pair<std::string, uint64_t>>& expected) {
  SequenceChecker checker;
  for (const auto& [stream, n] : expected) checker.Expect(stream, n);
  checker.AddAll(lines);
  return checker.Report();
}

class FileInputTest : public SluiceProcessTest {
 protected:
  void SetUp() override {
    MakeDir("sluice_file_input");
    logs_ = dir_ / "logs";
    out_ = dir_ / "out.log";
    fs::create_directories(logs_);
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
    config_ = WriteInputConfig("sluice.yaml", input_options);
  }
  // `admin`: serve the admin API (on a free port). Runs that end at once go without it: stopping
  // it before its thread started listening hangs (httplib's stop() is then a no-op; reported).
  std::string WriteInputConfig(const std::string& name, const std::string& input_options,
                               bool admin = true) {
    std::string path = (dir_ / name).string();
    std::ofstream(path) << "data_dir: " << (dir_ / "data").string()
                        << "\nadmin: " << (admin ? "{listen: '127.0.0.1:0'}" : "{enabled: false}")
                        << "\n"
                        << process_options_ << "\npipelines:\n  p:\n    " << pipeline_options_
                        << "\n    inputs: [{type: file, include: [" << include_
                        << "], scan_interval: " << scan_interval_ << ", rotate_wait: 1s"
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
    return Run(config.empty() ? config_ : config, "sluice");
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
    std::string cfg = WriteInputConfig(
        "sluice_drain.yaml",
        input_options_ + (input_options_.empty() ? "" : ", ") + "exit_on_eof: true",
        /*admin=*/false);
    auto drain = Start(cfg);
    EXPECT_EQ(drain->WaitFor(seconds(30)), 0) << drain->Stderr();
    return ReadLines(out_);
  }

  // Finish()es `p` and expects every line of `expected` (stream, count) exactly once, in order per
  // stream unless `ordered` is false.
  void FinishExactlyOnce(std::unique_ptr<Subprocess>& p,
                         const std::vector<std::pair<std::string, uint64_t>>& expected,
                         bool ordered = true) {
    EXPECT_EQ(NotExactlyOnce(Check(Finish(p), expected), ordered), "");
  }

  bool WaitForLines(size_t n, milliseconds timeout = kDeadline) {
    return WaitUntil([&] { return CountLines(out_) >= n; }, timeout);
  }

  // The file input's metric `name` (-1 when it cannot be read).
  static double InputMetric(const Subprocess& p, const std::string& name) {
    return Metric(p, Series(name, "p", "input", "file"));
  }
  static bool WaitForInputMetric(const Subprocess& p, const std::string& name, double value) {
    return WaitForMetric(p, Series(name, "p", "input", "file"), value, kDeadline);
  }

  fs::path logs_, out_;
  std::string include_, input_options_, codec_, process_options_, pipeline_options_, config_;
  std::string scan_interval_ = "200ms";  // set before Configure()
};

}  // namespace sluice::testing
