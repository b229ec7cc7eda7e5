// What the agent's chaos tests (tests/chaos/agent_*_test.cc, buffer_*_test.cc) share. They run
// the real agent (`sluice run`: file input → outputs, some behind a disk buffer) through repeated
// faults: kill -9 with logrotate running, a Kafka outage, a corrupted or full disk buffer. Writers
// append numbered Spark lines (`... seq=0000042 file=app`); each test counts what the sink holds
// against what was written (SequenceChecker), prints lost and duplicated, expects nothing lost
// and duplicates within a bound its comment justifies.
//
// Here: ChaosAgentTest, the fixture (configs, agents started with or without a wrapper command,
// the agent's pid, its checkpoints), SparkWriter (a paced writer on a thread of its own), readers
// of what the sinks hold (the file output's NDJSON with the event ids, the Elasticsearch
// stand-in's documents with their versions, the disk buffer's segment files), and /proc readers.
// Thread-safety: none, except SparkWriter's counters (read while its thread writes).
#pragma once

#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "tests/integration/es_server.h"
#include "tests/integration/file_input_fixture.h"
#include "tests/integration/require_peer.h"
#include "tests/integration/sanitizer_build.h"
#include "tests/integration/sequence_checker.h"
#include "tests/integration/sluice_process.h"
#include "tests/integration/subprocess.h"

namespace sluice::testing::agent_chaos {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

// The deadline of the waits for an outcome (delivery, a metric): long, for a loaded 2-core
// machine under ASan; a passing run waits a fraction of it.
inline constexpr milliseconds kLongWait{kSanitizerBuild ? 240'000 : 120'000};

// The chaos schedule's seed: SLUICE_CHAOS_SEED when set, else a random one. Printed (and recorded
// as the test's property `chaos_seed`) so that a failing schedule can be run again.
inline uint64_t ChaosSeed() {
  const char* env = std::getenv("SLUICE_CHAOS_SEED");
  const uint64_t seed = env != nullptr && *env != '\0'
                            ? std::strtoull(env, nullptr, 10)
                            : (uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
  std::printf("[   INFO   ] chaos seed %llu (run it again with SLUICE_CHAOS_SEED=%llu)\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  ::testing::Test::RecordProperty("chaos_seed", std::to_string(seed));
  return seed;
}

// A Spark executor's log line carrying its number: `17/06/09 20:10:40 INFO executor.Executor:
// Finished task 42.0 in stage 3.0 (TID 42) seq=0000042 file=app` (about 105 bytes).
inline std::string SparkLine(uint64_t seq, const std::string& stream) {
  char buf[192];
  std::snprintf(buf, sizeof(buf),
                "17/06/09 20:10:40 INFO executor.Executor: Finished task %llu.0 in stage 3.0 "
                "(TID %llu) seq=%07llu file=%s\n",
                static_cast<unsigned long long>(seq % 1000), static_cast<unsigned long long>(seq),
                static_cast<unsigned long long>(seq), stream.c_str());
  return buf;
}

// Appends the lines [first, first + n) of `stream` to `path` in one write(2).
inline void AppendSparkLines(const fs::path& path, const std::string& stream, uint64_t first,
                             uint64_t n) {
  std::string text;
  for (uint64_t i = first; i < first + n; ++i) text += SparkLine(i, stream);
  LogWriter(path).Write(text);
}

// Appends numbered Spark lines of stream `stream` to `path` on a thread of its own, `burst` lines
// at a time with `pause` between bursts, until Stop(). With `reopen`, reopens the path after a
// create-mode rotation as log4j does (LogWriter::ReopenIfRotated); else it keeps its O_APPEND
// descriptor, as an application under copytruncate does.
class SparkWriter {
 public:
  SparkWriter(fs::path path, std::string stream, size_t burst, milliseconds pause, bool reopen)
      : started_(Clock::now()),
        thread_([this, path = std::move(path), stream = std::move(stream), burst, pause, reopen] {
          LogWriter writer(path);
          uint64_t next = 0;
          while (!stop_.load()) {
            if (reopen) reopens_ += writer.ReopenIfRotated() ? 1 : 0;
            std::string text;
            for (size_t b = 0; b < burst; ++b) text += SparkLine(next++, stream);
            writer.Write(text);
            written_ = next;
            std::this_thread::sleep_for(pause);  // pacing, not synchronization
          }
          stopped_ = Clock::now();
        }) {}
  ~SparkWriter() { Stop(); }
  SparkWriter(const SparkWriter&) = delete;
  SparkWriter& operator=(const SparkWriter&) = delete;

  // Stops writing (and waits for the thread); written() is final after it.
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  uint64_t written() const { return written_.load(); }
  int reopens() const { return reopens_.load(); }
  // Lines per second over the writer's life (after Stop()).
  double rate() const {
    const double s = std::chrono::duration<double>(stopped_ - started_).count();
    return s > 0 ? static_cast<double>(written()) / s : 0;
  }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> written_{0};
  std::atomic<int> reopens_{0};
  Clock::time_point started_;
  Clock::time_point stopped_;
  std::thread thread_;  // last: starts after the counters exist
};

inline uint64_t FileBytes(const fs::path& p) {
  std::error_code ec;
  const uintmax_t n = fs::file_size(p, ec);
  return ec ? 0 : static_cast<uint64_t>(n);
}

// ---------------------------------------------------------------------------------------------
// What a sink holds, counted per sequence number and per event id.

// One event as a sink holds it: its message and its `event.id` (the file input's stable id) or
// Elasticsearch `_id`, and how many times the sink took it (an Elasticsearch `_version`: 1, plus
// one per overwrite by a resend).
struct Stored {
  std::string message;
  std::string id;
  uint64_t times = 1;
};

// Lost and duplicated, counted over numbered lines, with duplicates told apart by event id:
// `resent` repeats an event with the id it had (an idempotent sink, Elasticsearch with the default
// ids, keeps one copy), `new_id` repeats it under another id (every sink keeps both), and
// `collisions` counts ids carried by more than one line (an idempotent sink keeps only one of
// them: a loss that counting lines in a file cannot see).
struct Delivery {
  SequenceReport report;  // lost, duplicates (every extra arrival), malformed, unexpected
  uint64_t resent = 0;
  uint64_t new_id = 0;
  uint64_t collisions = 0;
  std::string collision_samples;

  std::string ToString() const {
    std::ostringstream s;
    s << report.ToString() << "duplicates with the same id " << resent << ", under a new id "
      << new_id << "; ids shared by several lines " << collisions << collision_samples << "\n";
    return s.str();
  }
};

// Counts `stored` against the numbers [0, n) of `stream`.
inline Delivery Count(const std::vector<Stored>& stored, const std::string& stream, uint64_t n) {
  Delivery d;
  SequenceChecker checker;
  checker.Expect(stream, n);
  std::map<uint64_t, std::set<std::string>> ids_of_seq;
  std::map<std::string, std::set<uint64_t>> seqs_of_id;
  for (const Stored& e : stored) {
    for (uint64_t k = 0; k < e.times; ++k) checker.Add(e.message);
    std::string_view name;
    uint64_t seq = 0;
    if (!SequenceChecker::Parse(e.message, &name, &seq) || name != stream) continue;
    auto& ids = ids_of_seq[seq];
    const bool seen_id = ids.count(e.id) > 0;
    const bool seen_seq = !ids.empty();
    d.resent += (e.times - 1) + (seen_id ? 1 : 0);
    d.new_id += seen_seq && !seen_id ? 1 : 0;
    ids.insert(e.id);
    seqs_of_id[e.id].insert(seq);
  }
  for (const auto& [id, seqs] : seqs_of_id) {
    if (seqs.size() < 2) continue;
    if (++d.collisions <= 4) {
      d.collision_samples += " (" + id + ": seq " + std::to_string(*seqs.begin()) + " and " +
                             std::to_string(*std::next(seqs.begin())) + ")";
    }
  }
  d.report = checker.Report();
  return d;
}

// The file output's NDJSON (codec json) as written by runs of which any may have been killed:
// a kill can cut a write(2) short (the kernel stops copying at a page when SIGKILL is pending),
// leaving a line's beginning that the next run's first line is glued to. Such a fragment is not
// an event (its batch was never acked, so it is sent again) and is counted in `torn`.
struct JsonOutput {
  std::vector<Stored> events;
  std::vector<uint64_t> line_end;  // byte offset after each event's line, for Runs()
  uint64_t torn = 0;
};

inline JsonOutput ReadJsonOutput(const fs::path& path) {
  JsonOutput out;
  std::stringstream text(ReadFile(path));
  static constexpr std::string_view kStart = "{\"@timestamp\":";
  static constexpr std::string_view kId = "\"event\":{\"id\":\"";
  uint64_t offset = 0;
  for (std::string line; std::getline(text, line);) {
    offset += line.size() + 1;
    const size_t start = line.rfind(kStart);
    if (start == std::string::npos) {
      ++out.torn;
      continue;
    }
    if (start > 0) ++out.torn;  // a fragment, then a whole line
    std::string_view event = std::string_view(line).substr(start);
    if (event.back() != '}') {  // the last line, cut: nothing came after it
      ++out.torn;
      continue;
    }
    Stored e;
    e.message = JsonMessage(std::string(event));
    const size_t id = event.find(kId);
    if (id != std::string_view::npos) e.id = std::string(event.substr(id + kId.size(), 16));
    out.events.push_back(std::move(e));
    out.line_end.push_back(offset);
  }
  return out;
}

// How many of the events each run wrote repeat an event an earlier line holds: run k wrote the
// lines that end after run_end[k-1] and up to run_end[k] (the output's size when it was killed);
// the last run is the rest.
inline std::vector<uint64_t> DuplicatesPerRun(const JsonOutput& out,
                                              const std::vector<uint64_t>& run_end) {
  std::vector<uint64_t> per_run(run_end.size() + 1, 0);
  std::set<std::string> seen;
  size_t run = 0;
  for (size_t i = 0; i < out.events.size(); ++i) {
    while (run < run_end.size() && out.line_end[i] > run_end[run]) ++run;
    std::string_view name;
    uint64_t seq = 0;
    if (!SequenceChecker::Parse(out.events[i].message, &name, &seq)) continue;
    if (!seen.insert(std::string(name) + ":" + std::to_string(seq)).second) ++per_run[run];
  }
  return per_run;
}

// Every document the Elasticsearch stand-in holds, with its `_id` and `_version`.
inline std::vector<Stored> EsDocuments(EsServer& es) {
  std::vector<Stored> docs;
  std::stringstream text(es.Get("/_test/docs"));
  static constexpr std::string_view kId = "\"_id\":\"";
  static constexpr std::string_view kVersion = "\"_version\":";
  for (std::string line; std::getline(text, line);) {
    Stored d;
    d.message = MessageOf(line);
    const size_t id = line.find(kId);
    if (id != std::string::npos) {
      const size_t from = id + kId.size();
      d.id = line.substr(from, line.find('"', from) - from);
    }
    const size_t version = line.find(kVersion);
    if (version != std::string::npos) {
      d.times = std::strtoull(line.c_str() + version + kVersion.size(), nullptr, 10);
    }
    docs.push_back(std::move(d));
  }
  return docs;
}

// ---------------------------------------------------------------------------------------------
// The disk buffer's files (pipeline/buffer/segment_log.h).

// A record of a segment file: where it starts, its payload's length, and the numbered lines its
// batch holds (found as `seq=` in the payload, where the events' messages are stored as they are).
struct SegmentRecord {
  uint64_t offset = 0;
  uint32_t length = 0;
  std::vector<uint64_t> seqs;
  uint64_t end() const { return offset + 12 + length; }
};

// The records of a segment file, read by their headers (magic "SLB1", u32 payload length, u32
// CRC-32C, all little-endian); stops at the first bad header or short record.
inline std::vector<SegmentRecord> SegmentRecords(const fs::path& segment) {
  const std::string data = ReadFile(segment);
  auto u32 = [&](size_t at) {
    return static_cast<uint32_t>(static_cast<unsigned char>(data[at])) |
           static_cast<uint32_t>(static_cast<unsigned char>(data[at + 1])) << 8 |
           static_cast<uint32_t>(static_cast<unsigned char>(data[at + 2])) << 16 |
           static_cast<uint32_t>(static_cast<unsigned char>(data[at + 3])) << 24;
  };
  std::vector<SegmentRecord> records;
  size_t at = 0;
  while (at + 12 <= data.size() && u32(at) == 0x31424C53u) {
    SegmentRecord r{.offset = at, .length = u32(at + 4), .seqs = {}};
    if (r.end() > data.size()) break;
    const std::string_view payload(data.data() + at + 12, r.length);
    for (size_t s = payload.find("seq="); s != std::string_view::npos;
         s = payload.find("seq=", s + 4)) {
      r.seqs.push_back(std::strtoull(std::string(payload.substr(s + 4, 12)).c_str(), nullptr, 10));
    }
    at = r.end();
    records.push_back(std::move(r));
  }
  return records;
}

// The segment files of a buffer directory, oldest first.
inline std::vector<fs::path> Segments(const fs::path& buffer_dir) {
  std::vector<fs::path> segments;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(buffer_dir, ec)) {
    if (e.path().extension() == ".seg") segments.push_back(e.path());
  }
  std::sort(segments.begin(), segments.end());
  return segments;
}

// The offset the file input's checkpoint (data_dir/checkpoints/PIPELINE/INPUT.ckpt, lines
// `dev:ino<TAB>offset fingerprint_length fingerprint source_id path`) holds for `path`, as
// persisted; nullopt when it holds none.
inline std::optional<uint64_t> CheckpointedOffset(const fs::path& checkpoint_file,
                                                  const fs::path& path) {
  std::stringstream text(ReadFile(checkpoint_file));
  for (std::string line; std::getline(text, line);) {
    const size_t tab = line.find('\t');
    if (tab == std::string::npos || !line.ends_with(" " + path.string())) continue;
    return std::strtoull(line.c_str() + tab + 1, nullptr, 10);
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// A process, seen through /proc.

// The target of every descriptor `pid` has open; empty when /proc/PID/fd cannot be read.
inline std::vector<std::string> OpenFiles(pid_t pid) {
  std::vector<std::string> files;
  const fs::path dir = "/proc/" + std::to_string(pid) + "/fd";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::error_code link_ec;
    fs::path target = fs::read_symlink(e.path(), link_ec);
    files.push_back(link_ec ? std::string("?") : target.string());
  }
  return files;
}

// The files `pid` holds open that were deleted.
inline std::vector<std::string> DeletedFilesOpen(pid_t pid) {
  std::vector<std::string> deleted;
  for (const std::string& f : OpenFiles(pid)) {
    if (f.ends_with(" (deleted)")) deleted.push_back(f);
  }
  return deleted;
}

// The process whose stderr (fd 2) is `stderr_path`; -1 when there is none (yet).
inline pid_t PidWithStderr(const fs::path& stderr_path) {
  std::error_code ec;
  const fs::path want = fs::weakly_canonical(stderr_path, ec);
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::error_code link_ec;
    const fs::path target = fs::read_symlink(e.path() / "fd" / "2", link_ec);
    if (!link_ec && target == want) return static_cast<pid_t>(std::stol(name));
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------

// The fixture: a test directory (kept when the test fails) with configs, agents and their pids.
class ChaosAgentTest : public SluiceProcessTest {
 protected:
  // A config NAME.yaml: data_dir DIR/DATA (so that several configs can share one), the admin API
  // on a free port (or none: a run that ends at once must go without it, see file_input_fixture.h),
  // checkpoints every 200 ms, then `body` (the pipelines).
  std::string AgentConfig(const std::string& name, const std::string& data, const std::string& body,
                          bool admin = true) {
    const std::string path = (dir_ / (name + ".yaml")).string();
    std::ofstream(path) << "data_dir: " << (dir_ / data).string()
                        << "\nadmin: " << (admin ? "{listen: '127.0.0.1:0'}" : "{enabled: false}")
                        << "\ncheckpoint_interval: 200ms\n"
                        << body;
    return path;
  }

  // Starts `wrapper... SLUICE_BINARY run -c CONFIG` (a wrapper execs the agent in its own pid,
  // e.g. unshare, `sh -c '...; exec "$0" "$@"'`) in a run directory of its own, which receives
  // its stdout and stderr.
  std::unique_ptr<Subprocess> StartAgent(const std::string& config, const std::string& name,
                                         const std::vector<std::string>& wrapper = {}) {
    last_run_dir_ = dir_ / ("run-" + name + "-" + std::to_string(runs_++));
    fs::create_directories(last_run_dir_);
    std::vector<std::string> args = wrapper;
    for (const char* a : {SLUICE_BINARY, "run", "-c"}) args.push_back(a);
    args.push_back(config);
    return std::make_unique<Subprocess>(args, last_run_dir_);
  }
  // The pid of the agent StartAgent() started last (its stderr tells it apart); -1 when it
  // cannot be found within 10 s.
  pid_t LastAgentPid() const {
    pid_t pid = -1;
    WaitUntil([&] { return (pid = PidWithStderr(last_run_dir_ / "stderr")) > 0; }, seconds(10));
    return pid;
  }

  // SIGKILL, and expects that it was the kill that ended the process (not a crash before it).
  static void Kill(Subprocess& p) {
    p.Signal(SIGKILL);
    EXPECT_EQ(p.Wait(), 128 + SIGKILL) << p.Stderr();
  }
  // SIGTERM: a clean drain and exit 0.
  static void Stop(Subprocess& p) {
    p.Signal(SIGTERM);
    EXPECT_EQ(p.WaitFor(seconds(60)), 0) << p.Stderr();
  }

  // A series of the output `id` (type `type`) of pipeline `pipeline`.
  static std::string OutputSeries(const std::string& name, const std::string& pipeline,
                                  const std::string& type, const std::string& id) {
    return Series(name, pipeline, "output", type, id);
  }
  // Waits (up to `timeout`) for the metric to reach at least `value`.
  static bool WaitForAtLeast(const Subprocess& p, const std::string& series, double value,
                             milliseconds timeout = kLongWait) {
    return WaitUntil(
        [&] {
          std::this_thread::sleep_for(milliseconds(10));  // polling pace, not synchronization
          return Metric(p, series) >= value;
        },
        timeout);
  }

  fs::path last_run_dir_;
};

}  // namespace sluice::testing::agent_chaos
