// The `sluice` command line: run | validate | test | reload | tap | top | plugins | version. Exit
// codes (docs/cli.md):
//   0 success; 1 invalid config (also a reload rejected for it); 2 usage error; 3 runtime error (a
//   plugin or the admin API could not start, an output gave up on batches, a final flush failed,
//   a reload applied with errors or the instance could not be reached); 4 shutdown timed out with
//   events not flushed; 5 a config test failed (`sluice test`).
// Thread-safety: Main() runs on the main thread.
#pragma once

namespace sluice::agent {

enum ExitCode : int {
  kExitOk = 0,
  kExitConfigInvalid = 1,
  kExitUsage = 2,
  kExitRuntime = 3,
  kExitUnflushed = 4,
  kExitTestsFailed = 5,
};

int Main(int argc, char** argv);

}  // namespace sluice::agent
