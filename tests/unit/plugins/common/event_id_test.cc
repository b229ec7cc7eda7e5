#include "plugins/common/event_id.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::common {
namespace {

// Ids already written (Elasticsearch _id, Kafka keys, event.id in bronze) must come out the same
// in every later version and on every host: the values are pinned here, computed independently
// (FNV-1a 64 by hand over the offset's little-endian bytes).
TEST(EventIdTest, StableEventIdIsPinned) {
  EXPECT_EQ(StableEventId(0x1235, 42), 0x625cbcdd26304bffull);
  EXPECT_EQ(Fnv1a("spark"), 0x4339fc8ab21c9b4aull);
  EXPECT_NE(StableEventId(0x1235, 43), StableEventId(0x1235, 42));
  EXPECT_NE(StableEventId(0x1237, 42), StableEventId(0x1235, 42));
}

TEST(EventIdTest, FormatHex64WritesSixteenLowercaseDigitsMostSignificantFirst) {
  char hex[16];
  FormatHex64(0x625cbcdd26304bffull, hex);
  EXPECT_EQ(std::string(hex, 16), "625cbcdd26304bff");
  FormatHex64(0xA, hex);
  EXPECT_EQ(std::string(hex, 16), "000000000000000a");
}

}  // namespace
}  // namespace sluice::common
