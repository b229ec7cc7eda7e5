#include <gtest/gtest.h>

#include <csignal>

#include "pipeline/log.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  sluice::SetLogLevel(sluice::LogLevel::kWarn);
  std::signal(SIGPIPE, SIG_IGN);  // as `sluice run` does: a closed pipe is an error, not a death
  return RUN_ALL_TESTS();
}
