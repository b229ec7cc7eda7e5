#include "pipeline/event.h"

#include <gtest/gtest.h>

#include "pipeline/event_batch.h"

namespace sluice {
namespace {

TEST(ArenaTest, CopiesLiveInTheArenaAndSurviveGrowth) {
  Arena arena(64);
  std::string_view first = arena.Copy("hello");
  for (int i = 0; i < 1000; ++i) arena.Copy("some filler bytes to force new blocks");
  EXPECT_EQ(first, "hello");
  EXPECT_GE(arena.bytes_allocated(), 5u + 1000u * 37u);
  EXPECT_GE(arena.bytes_reserved(), arena.bytes_allocated());
}

TEST(ArenaTest, AllocationsAreAligned) {
  Arena arena(128);
  arena.Allocate(3, 1);
  void* p = arena.Allocate(16, 16);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0u);
}

TEST(ArenaTest, ResetKeepsOneBlock) {
  Arena arena(64);
  for (int i = 0; i < 100; ++i) arena.Copy("0123456789");
  arena.Reset();
  EXPECT_EQ(arena.bytes_allocated(), 0u);
  EXPECT_EQ(arena.Copy("x"), "x");
}

// ShrinkLast gives back the end of the last allocation only (a parser's padding).
TEST(ArenaTest, ShrinkLastGivesBackTheTailOfTheLastAllocation) {
  Arena arena(1024);
  char* a = static_cast<char*>(arena.Allocate(100, 1));
  char* b = static_cast<char*>(arena.Allocate(164, 1));
  EXPECT_EQ(arena.bytes_allocated(), 264u);
  arena.ShrinkLast(a, 100, 10);  // not the last: nothing happens
  EXPECT_EQ(arena.bytes_allocated(), 264u);
  arena.ShrinkLast(b, 164, 100);
  EXPECT_EQ(arena.bytes_allocated(), 200u);
  EXPECT_EQ(static_cast<char*>(arena.Allocate(1, 1)), b + 100);
}

// 40,000 distinct tags (a Kafka message's `tags` array is untrusted): the first kMaxTags are kept,
// the rest ignored. The tag count used to wrap at 65,536 and overflow the tag array (found by
// reading the code for the fuzz targets; ASan saw the heap overflow).
TEST(EventTest, TagsStopAtTheirLimitInsteadOfOverflowing) {
  EventBatch batch;
  Event& e = batch.Add(0, "m");
  for (int i = 0; i < 40000; ++i) e.AddTag("t" + std::to_string(i));
  ASSERT_EQ(e.tags().size(), Event::kMaxTags);
  EXPECT_EQ(e.tags().front(), "t0");
  EXPECT_EQ(e.tags().back(), "t" + std::to_string(Event::kMaxTags - 1));
  EXPECT_FALSE(e.HasTag("t39999"));
  EXPECT_TRUE(e.RemoveTag("t0"));
  e.AddTag("again");
  EXPECT_TRUE(e.HasTag("again"));
}

TEST(EventTest, SetGetReplaceRemove) {
  EventBatch batch;
  Event& e = batch.Add(42, "the message");
  e.Set("log.level", Value::String("INFO"));
  e.Set("count", Value::Int(3));
  ASSERT_NE(e.Get("log.level"), nullptr);
  EXPECT_EQ(e.Get("log.level")->as_string(), "INFO");
  e.Set("log.level", Value::String("WARN"));
  EXPECT_EQ(e.Get("log.level")->as_string(), "WARN");
  EXPECT_EQ(e.fields().size(), 2u);
  EXPECT_TRUE(e.Remove("log.level"));
  EXPECT_FALSE(e.Remove("log.level"));
  EXPECT_EQ(e.Get("log.level"), nullptr);
  EXPECT_EQ(e.Get("count")->as_int(), 3);
  EXPECT_EQ(e.timestamp_ns(), 42);
  EXPECT_EQ(e.message(), "the message");
}

TEST(EventTest, SetCopiesNameAndStringIntoTheArena) {
  EventBatch batch;
  Event& e = batch.Add(0, "m");
  {
    std::string name = "transient.name";
    std::string value = "transient value";
    e.Set(name, Value::String(value));
    name.assign(name.size(), 'x');
    value.assign(value.size(), 'y');
  }
  ASSERT_NE(e.Get("transient.name"), nullptr);
  EXPECT_EQ(e.Get("transient.name")->as_string(), "transient value");
}

TEST(EventTest, AddViewAppendsWithoutCopying) {
  EventBatch batch;
  Event& e = batch.Add(0, "m");
  static constexpr std::string_view kPath = "/var/log/a.log";
  e.AddView("log.file.path", Value::String(kPath));
  e.AddView("log.offset", Value::Int(7));
  ASSERT_EQ(e.fields().size(), 2u);
  EXPECT_EQ(e.fields()[0].name, "log.file.path");
  EXPECT_EQ(e.Get("log.file.path")->as_string().data(), kPath.data());  // the view itself
  EXPECT_EQ(e.Get("log.offset")->as_int(), 7);
  e.SetView("log.offset", Value::Int(8));  // later sets find it
  EXPECT_EQ(e.fields().size(), 2u);
  EXPECT_EQ(e.Get("log.offset")->as_int(), 8);
}

TEST(EventTest, ManyFieldsGrowInPlace) {
  EventBatch batch;
  Event& e = batch.Add(0, "m");
  for (int i = 0; i < 100; ++i) e.Set("f" + std::to_string(i), Value::Int(i));
  ASSERT_EQ(e.fields().size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(e.Get("f" + std::to_string(i))->as_int(), i);
}

TEST(EventTest, TagsAreUnique) {
  EventBatch batch;
  Event& e = batch.Add(0, "m");
  e.AddTag("_grokparsefailure");
  e.AddTag("_grokparsefailure");
  e.AddTag("other");
  EXPECT_EQ(e.tags().size(), 2u);
  EXPECT_TRUE(e.HasTag("other"));
  EXPECT_FALSE(e.HasTag("missing"));
}

TEST(EventBatchTest, MoveKeepsEventsValid) {
  EventBatch batch;
  batch.Add(1, "one").Set("k", Value::String("v"));
  EventBatch moved = std::move(batch);
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved.events()[0].message(), "one");
  EXPECT_EQ(moved.events()[0].Get("k")->as_string(), "v");
}

TEST(EventBatchTest, CloneIsDeepAndIndependent) {
  EventBatch batch;
  Event& e = batch.Add(7, "msg");
  e.Set("a", Value::String("x"));
  e.AddTag("t");
  e.metadata().offset = 99;
  EventBatch copy = batch.Clone();
  batch.events()[0].Set("a", Value::String("changed"));
  ASSERT_EQ(copy.size(), 1u);
  const Event& c = copy.events()[0];
  EXPECT_EQ(c.Get("a")->as_string(), "x");
  EXPECT_TRUE(c.HasTag("t"));
  EXPECT_EQ(c.metadata().offset, 99u);
  EXPECT_EQ(c.timestamp_ns(), 7);
}

TEST(EventBatchTest, RemoveIfKeepsOrder) {
  EventBatch batch;
  for (int i = 0; i < 10; ++i) batch.Add(i, std::to_string(i));
  size_t removed = batch.RemoveIf([](const Event& e) { return e.timestamp_ns() % 2 == 0; });
  EXPECT_EQ(removed, 5u);
  ASSERT_EQ(batch.size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(batch.events()[i].timestamp_ns(), int64_t(2 * i + 1));
}

TEST(EventBatchTest, AccountsBytes) {
  EventBatch batch;
  batch.Add(0, std::string(1000, 'a'));
  batch.Add(0, std::string(500, 'b'));
  EXPECT_EQ(batch.MessageBytes(), 1500u);
  EXPECT_GE(batch.MemoryBytes(), 1500u);
}

// A batch sized from the last one holds one block of about what it needs: the in-flight bound
// (which counts reserved bytes) is not spent on the empty half of a doubled block.
TEST(EventBatchTest, ANextBatchSizedFromTheLastReservesAboutWhatItUses) {
  auto fill = [](EventBatch& b) {
    for (int i = 0; i < 1024; ++i) {
      Event& e = b.Add(0, std::string(140, 'm'));
      e.AddView("log.offset", Value::Int(i));
    }
  };
  EventBatch first(1024);
  fill(first);
  const size_t used = first.arena().bytes_allocated();
  EventBatch second(1024, first.NextArenaBytes());
  fill(second);
  EXPECT_LE(second.arena().bytes_reserved(), used + used / 8 + 16 * 1024);
  EXPECT_GE(second.arena().bytes_reserved(), used);
  EXPECT_LT(second.arena().bytes_reserved(), first.arena().bytes_reserved());
  // One that stays small after a large one reserves its small first block only.
  EventBatch small(1024, first.NextArenaBytes());
  small.Add(0, "one event");
  EXPECT_LE(small.arena().bytes_reserved(), 16u * 1024);
  EXPECT_EQ(EventBatch().NextArenaBytes(), 4096u);  // an empty batch: the floor
}

}  // namespace
}  // namespace sluice
