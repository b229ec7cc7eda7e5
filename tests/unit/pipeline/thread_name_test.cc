#include "pipeline/thread_name.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace sluice {
namespace {

std::string NameOfAThreadNamed(std::string_view role, std::string_view id) {
  std::string name;
  std::thread([&] {
    NameThisThread(role, id);
    name = ThisThreadName();
  }).join();
  return name;
}

#if defined(__linux__)
TEST(ThreadNameTest, RoleAndIdJoinedByAColon) {
  EXPECT_EQ(NameOfAThreadNamed("out", "kafka"), "out:kafka");
  EXPECT_EQ(NameOfAThreadNamed("checkpoint", ""), "checkpoint");
}

TEST(ThreadNameTest, LongNamesAreCutToFifteenBytes) {
  EXPECT_EQ(NameOfAThreadNamed("in", "spark-executor-logs"), "in:spark-execut");
}

TEST(ThreadNameTest, NamesTheCallingThreadOnly) {
  const std::string before = ThisThreadName();
  NameOfAThreadNamed("poll", "kafka");
  EXPECT_EQ(ThisThreadName(), before);
}
#endif

}  // namespace
}  // namespace sluice
