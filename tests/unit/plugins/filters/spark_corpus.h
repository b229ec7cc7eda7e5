// The Spark corpus (LogHub's Spark_2k.log and its structured CSV, in SLUICE_CORPUS_DIR): each line
// of the log with what the CSV says of it, the ground truth the Spark parsers are checked against
// (grok, dissect, timestamp, and the shipped agent config end to end).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/unit/test_util.h"

namespace sluice::testing {

// Parses RFC 4180 CSV (quoted fields may hold commas, "" and line breaks; CRLF ends a row as LF
// does) into rows of fields.
inline std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(std::move(field));
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;
    } else if (c == '\n') {
      rows.back().push_back(std::move(field));
      field.clear();
      rows.emplace_back();
    } else {
      field.push_back(c);
    }
  }
  if (!field.empty() || !rows.back().empty()) {
    rows.back().push_back(std::move(field));
  } else {
    rows.pop_back();
  }
  return rows;
}

// One line of the corpus and its columns in the CSV.
struct SparkLine {
  std::string line;  // as std::getline reads it: the corpus's CRLF leaves a '\r' at the end
  std::string date, time, level, component, content;
  std::string event_id;  // the ground truth's template (E1 ... E36)
};

// Reads the corpus into *lines; leaves it empty when the corpus is not there (the caller skips).
// A corpus whose CSV does not describe its log line for line fails the test. Use with
// ASSERT_NO_FATAL_FAILURE.
inline void ReadSparkCorpus(std::vector<SparkLine>* lines) {
  const std::filesystem::path dir = SLUICE_CORPUS_DIR;
  std::ifstream log(dir / "Spark_2k.log", std::ios::binary);
  if (!log || !std::filesystem::exists(dir / "Spark_2k.log_structured.csv")) return;
  auto rows = ParseCsv(ReadFile(dir / "Spark_2k.log_structured.csv"));
  ASSERT_EQ(rows.size(), 2001u);
  ASSERT_EQ(rows[0], (std::vector<std::string>{"LineId", "Date", "Time", "Level", "Component",
                                               "Content", "EventId", "EventTemplate"}));
  for (size_t row = 1; row < rows.size(); ++row) {
    ASSERT_EQ(rows[row].size(), 8u) << "CSV row " << row;
    std::string line;
    ASSERT_TRUE(std::getline(log, line)) << "the log is shorter than the CSV, at line " << row;
    const auto& r = rows[row];
    lines->push_back(SparkLine{std::move(line), r[1], r[2], r[3], r[4], r[5], r[6]});
  }
  std::string more;
  EXPECT_FALSE(std::getline(log, more)) << "the log is longer than the CSV: " << more;
}

}  // namespace sluice::testing
