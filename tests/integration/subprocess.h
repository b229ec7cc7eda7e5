// Subprocess: runs the sluice binary for integration tests, with stdin from a pipe the test writes
// (or /dev/null), stdout and stderr to files the test reads.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/unit/test_util.h"

namespace sluice::testing {

inline std::vector<std::string> ReadLines(const std::filesystem::path& p) {
  std::vector<std::string> lines;
  std::ifstream in(p, std::ios::binary);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class Subprocess {
 public:
  // Starts `args` (args[0] is the binary). stdout/stderr go to `dir`/stdout and `dir`/stderr.
  // With `stdin_pipe` the test writes stdin through WriteStdin()/CloseStdin().
  Subprocess(const std::vector<std::string>& args, const std::filesystem::path& dir,
             bool stdin_pipe = false, int stdout_fd = -1)
      : dir_(dir) {
    // Its stdout and stderr files go there: a missing directory would leave them on the test's.
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    int in[2] = {-1, -1};
    if (stdin_pipe && ::pipe(in) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      int devnull = ::open("/dev/null", O_RDONLY);
      ::dup2(stdin_pipe ? in[0] : devnull, 0);
      int out = stdout_fd >= 0
                    ? stdout_fd
                    : ::open((dir / "stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int err = ::open((dir / "stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(out, 1);
      ::dup2(err, 2);
      if (stdin_pipe) {
        ::close(in[0]);
        ::close(in[1]);
      }
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    if (stdin_pipe) {
      ::close(in[0]);
      stdin_ = in[1];
    }
  }
  ~Subprocess() {
    CloseStdin();
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      Wait();
    }
  }

  void WriteStdin(const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::write(stdin_, data.data() + off, data.size() - off);
      if (n <= 0) return;
      off += static_cast<size_t>(n);
    }
  }
  void CloseStdin() {
    if (stdin_ >= 0) ::close(stdin_);
    stdin_ = -1;
  }
  void Signal(int sig) { ::kill(pid_, sig); }
  pid_t pid() const { return pid_; }

  // Waits for the exit; returns the exit code (128+signal when killed).
  int Wait() {
    if (exited_) return code_;
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exited_ = true;
    code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return code_;
  }
  // Like Wait() but gives up (returning -1) after `timeout`.
  int WaitFor(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        exited_ = true;
        code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return code_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return -1;
  }

  std::string Stdout() const { return ReadFile(dir_ / "stdout"); }
  std::string Stderr() const { return ReadFile(dir_ / "stderr"); }

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int stdin_ = -1;
  bool exited_ = false;
  int code_ = -1;
};

}  // namespace sluice::testing
