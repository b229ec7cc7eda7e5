// SequenceChecker: tells what a delivery test received against what its writers wrote. Writers
// number their lines per stream (one stream per written file): a line carries `seq=<digits>` and,
// when there are several streams, `file=<name>` (for example `seq=000123 file=app0 payload`).
// Given the expected sequence numbers [0, n) of each stream and the received lines, it reports per
// stream and in total how many numbers never arrived (lost), how many arrivals repeated one
// already received (duplicates), how many first arrivals came after a higher number of the same
// stream (out of order), and the lines it could not attribute (malformed: no `seq=`, or `seq=` or
// `file=` more than once, as in two lines glued together; unexpected: a stream or number outside
// what was expected).
// Thread-safety: none; one test thread uses it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::testing {

struct SequenceCounts {
  uint64_t expected = 0;
  uint64_t received = 0;  // well-formed lines of known streams and numbers
  uint64_t lost = 0;
  uint64_t duplicates = 0;
  uint64_t out_of_order = 0;
};

struct SequenceReport {
  SequenceCounts total;
  std::map<std::string, SequenceCounts> streams;
  uint64_t malformed = 0;
  uint64_t unexpected = 0;
  std::string details;  // a few lost and duplicated numbers and odd lines, for failure messages

  // One line per stream plus the totals and details, for assertion messages.
  std::string ToString() const {
    std::ostringstream s;
    auto row = [&](const std::string& name, const SequenceCounts& c) {
      s << name << ": expected " << c.expected << ", received " << c.received << ", lost " << c.lost
        << ", duplicates " << c.duplicates << ", out of order " << c.out_of_order << "\n";
    };
    row("total", total);
    if (streams.size() <= 20) {
      for (const auto& [name, c] : streams) row("  file=" + name, c);
    }
    s << "malformed lines " << malformed << ", unexpected lines " << unexpected << "\n" << details;
    return s.str();
  }
};

class SequenceChecker {
 public:
  // Expects the numbers [0, n) from `stream` ("" for lines without `file=`).
  void Expect(const std::string& stream, uint64_t n) { streams_[stream].seen.assign(n, 0); }

  void Add(std::string_view line) {
    std::string_view stream;
    uint64_t seq = 0;
    if (!Parse(line, &stream, &seq)) {
      ++malformed_;
      Note(&malformed_samples_, std::string(line));
      return;
    }
    auto it = streams_.find(std::string(stream));
    if (it == streams_.end() || seq >= it->second.seen.size()) {
      ++unexpected_;
      Note(&unexpected_samples_, std::string(line));
      return;
    }
    Stream& s = it->second;
    ++s.received;
    if (s.seen[seq]++ > 0) {
      ++s.duplicates;
      Note(&s.duplicate_samples, std::to_string(seq));
      return;
    }
    if (s.any && seq < s.max) ++s.out_of_order;
    s.max = s.any ? std::max(s.max, seq) : seq;
    s.any = true;
  }
  void AddAll(const std::vector<std::string>& lines) {
    for (const std::string& line : lines) Add(line);
  }

  // How many times number `seq` of `stream` arrived (0 for what is not expected).
  uint32_t Arrivals(const std::string& stream, uint64_t seq) const {
    auto it = streams_.find(stream);
    return it == streams_.end() || seq >= it->second.seen.size() ? 0 : it->second.seen[seq];
  }

  SequenceReport Report() const {
    SequenceReport r;
    r.malformed = malformed_;
    r.unexpected = unexpected_;
    std::ostringstream details;
    for (const auto& [name, s] : streams_) {
      SequenceCounts c;
      c.expected = s.seen.size();
      c.received = s.received;
      c.duplicates = s.duplicates;
      c.out_of_order = s.out_of_order;
      std::vector<std::string> lost_samples;
      for (uint64_t i = 0; i < s.seen.size(); ++i) {
        if (s.seen[i] != 0) continue;
        ++c.lost;
        Note(&lost_samples, std::to_string(i));
      }
      if (!lost_samples.empty())
        details << "  file=" << name << " lost e.g. " << Join(lost_samples) << "\n";
      if (!s.duplicate_samples.empty()) {
        details << "  file=" << name << " duplicated e.g. " << Join(s.duplicate_samples) << "\n";
      }
      r.total.expected += c.expected;
      r.total.received += c.received;
      r.total.lost += c.lost;
      r.total.duplicates += c.duplicates;
      r.total.out_of_order += c.out_of_order;
      r.streams.emplace(name, c);
    }
    if (!malformed_samples_.empty())
      details << "  malformed e.g. " << Join(malformed_samples_) << "\n";
    if (!unexpected_samples_.empty()) {
      details << "  unexpected e.g. " << Join(unexpected_samples_) << "\n";
    }
    r.details = details.str();
    return r;
  }

  // Finds `seq=<digits>` and the optional `file=<name>` (up to a space) in `line`; false when
  // `seq=` is missing, has no digits, or either key occurs twice.
  static bool Parse(std::string_view line, std::string_view* stream, uint64_t* seq) {
    size_t at = line.find("seq=");
    if (at == std::string_view::npos || line.find("seq=", at + 1) != std::string_view::npos) {
      return false;
    }
    size_t i = at + 4;
    if (i >= line.size() || line[i] < '0' || line[i] > '9') return false;
    *seq = 0;
    for (; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i)
      *seq = *seq * 10 + (line[i] - '0');
    *stream = {};
    size_t f = line.find("file=");
    if (f != std::string_view::npos) {
      if (line.find("file=", f + 1) != std::string_view::npos) return false;
      size_t end = line.find(' ', f + 5);
      *stream = line.substr(f + 5, end == std::string_view::npos ? end : end - f - 5);
    }
    return true;
  }

 private:
  struct Stream {
    std::vector<uint32_t> seen;  // arrivals per number
    uint64_t received = 0;
    uint64_t duplicates = 0;
    uint64_t out_of_order = 0;
    uint64_t max = 0;
    bool any = false;
    std::vector<std::string> duplicate_samples;
  };
  static void Note(std::vector<std::string>* samples, std::string s) {
    if (samples->size() < 8) samples->push_back(std::move(s));
  }
  static std::string Join(const std::vector<std::string>& v) {
    std::string out;
    for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
  }

  std::map<std::string, Stream> streams_;
  uint64_t malformed_ = 0;
  uint64_t unexpected_ = 0;
  std::vector<std::string> malformed_samples_;
  std::vector<std::string> unexpected_samples_;
};

// The value of `"message":"..."` in an NDJSON line (no escapes in the tests' messages).
inline std::string MessageOf(const std::string& line) {
  size_t at = line.find("\"message\":\"");
  if (at == std::string::npos) return "";
  at += 11;
  return line.substr(at, line.find('"', at) - at);
}

}  // namespace sluice::testing
