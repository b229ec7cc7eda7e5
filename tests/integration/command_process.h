// CommandProcess: a test helper process (tests/tools) that announces itself with one line on
// stdout (`bootstrap.servers=...`, `port=...`), then takes commands on stdin and answers each with
// `ok N` (N counts the commands). Closing its stdin ends it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "tests/integration/subprocess.h"

namespace sluice::testing {

class CommandProcess {
 public:
  // Starts `args` in `dir` and waits for the stdout line matching `ready`, whose first group
  // announced() returns.
  CommandProcess(const std::vector<std::string>& args, const std::filesystem::path& dir,
                 const std::string& ready)
      : process_(args, dir, /*stdin_pipe=*/true) {
    std::smatch m;
    const std::regex re(ready);
    EXPECT_TRUE(WaitUntil([&] {
      std::string out = process_.Stdout();
      if (!std::regex_search(out, m, re)) return false;
      announced_ = m[1];
      return true;
    })) << process_.Stderr();
  }
  ~CommandProcess() {
    process_.CloseStdin();
    process_.WaitFor(std::chrono::seconds(10));
  }
  const std::string& announced() const { return announced_; }
  // Sends a command and waits for its "ok"; returns what follows "ok N" on that line.
  std::string Command(const std::string& command) {
    ++commands_;
    process_.WriteStdin(command + "\n");
    const std::string ok = "ok " + std::to_string(commands_);
    std::string rest;
    EXPECT_TRUE(WaitUntil([&] {
      std::string out = process_.Stdout();
      size_t at = out.find(ok + " ");
      if (at == std::string::npos) at = out.find(ok + "\n");
      if (at == std::string::npos) return false;
      size_t end = out.find('\n', at);
      if (end == std::string::npos) return false;
      rest = out.substr(at + ok.size(), end - at - ok.size());
      return true;
    })) << command
        << ": " << process_.Stdout();
    return rest;
  }

 private:
  Subprocess process_;
  std::string announced_;
  int commands_ = 0;
};

}  // namespace sluice::testing
