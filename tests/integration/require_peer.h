// Tests that need an outside peer (kcat, awscli, moto_server, s3rver, logrotate) skip with a
// message when it is missing, so a developer without one still runs the rest. Under
// SLUICE_REQUIRE_PEERS=1 (scripts/test and .ci/run set it: they install every peer) a missing peer
// fails the test instead, so the suite cannot go green without the tests that need it.
//
//   void SetUp() override { SLUICE_REQUIRE_PEER(fs::exists(kKcat), "kcat is not installed"); }
//
// Use it in a void function (a TEST body, SetUp): like GTEST_SKIP and FAIL, it returns.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string_view>

namespace sluice::testing {

inline bool PeersRequired() {
  const char* value = std::getenv("SLUICE_REQUIRE_PEERS");
  return value != nullptr && std::string_view(value) == "1";
}

}  // namespace sluice::testing

#define SLUICE_REQUIRE_PEER(available, message)                                     \
  do {                                                                              \
    if (!(available)) {                                                             \
      if (::sluice::testing::PeersRequired()) {                                     \
        FAIL() << message << " (SLUICE_REQUIRE_PEERS=1: every peer must be there)"; \
      }                                                                             \
      GTEST_SKIP() << message;                                                      \
    }                                                                               \
  } while (false)
