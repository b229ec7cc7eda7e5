#include "pipeline/sequencer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <thread>
#include <vector>

namespace sluice {
namespace {

TEST(SequencerTest, DeliversInTicketOrderWhateverTheCompletionOrder) {
  Sequencer<int> s;
  std::vector<uint64_t> tickets;
  for (int i = 0; i < 5; ++i) tickets.push_back(s.Next());
  EXPECT_EQ(tickets, std::vector<uint64_t>({0, 1, 2, 3, 4}));
  std::vector<int> out;
  auto deliver = [&](int& v) { out.push_back(v); };
  s.Done(2, 20, deliver);
  s.Done(1, 10, deliver);
  EXPECT_TRUE(out.empty());  // 0 is not done: 1 and 2 wait
  EXPECT_EQ(s.parked(), 2u);
  s.Done(0, 0, deliver);
  EXPECT_EQ(out, std::vector<int>({0, 10, 20}));
  s.Done(4, 40, deliver);
  EXPECT_EQ(out.size(), 3u);
  s.Done(3, 30, deliver);
  EXPECT_EQ(out, std::vector<int>({0, 10, 20, 30, 40}));
  EXPECT_EQ(s.parked(), 0u);
}

TEST(SequencerTest, ManyThreadsCompletingAtRandomStillDeliverInOrder) {
  Sequencer<uint64_t> s;
  const uint64_t kItems = 20000;
  std::vector<uint64_t> order(kItems);
  for (auto& t : order) t = s.Next();
  std::shuffle(order.begin(), order.end(), std::mt19937(7));
  std::vector<uint64_t> out;  // written under the sequencer's lock only
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = t; i < order.size(); i += 4) {
        s.Done(order[i], order[i], [&](uint64_t& v) { out.push_back(v); });
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(out.size(), kItems);
  for (uint64_t i = 0; i < kItems; ++i) ASSERT_EQ(out[i], i);
}

}  // namespace
}  // namespace sluice
