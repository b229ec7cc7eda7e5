#include <gtest/gtest.h>

#include "pipeline/log.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  sluice::SetLogLevel(sluice::LogLevel::kWarn);
  return RUN_ALL_TESTS();
}
