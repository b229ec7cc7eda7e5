#include "pipeline/buffer/disk_buffer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/unit/test_util.h"

namespace sluice::buffer {
namespace {

namespace fs = std::filesystem;
using testing::WaitUntil;

// The real output behind the buffer: records what it got and acks, holds or fails it as told.
class FakeSink final : public Output {
 public:
  enum class Mode { kAck, kHold, kFailOnce };
  explicit FakeSink(Mode mode) : mode_(mode) {}

  void Write(const EventBatch& batch, AckHandle ack) override {
    std::lock_guard lock(mu_);
    for (const Event& e : batch.events()) {
      received_.emplace_back(e.message());
      offsets_.push_back(e.metadata().offset);
    }
    if (mode_ == Mode::kFailOnce && !failed_once_) {
      failed_once_ = true;
      received_.resize(received_.size() - batch.size());
      offsets_.resize(offsets_.size() - batch.size());
      ack.Fail();
      return;
    }
    if (mode_ == Mode::kHold) {
      held_.push_back(std::move(ack));
      return;
    }
    ack.Ack();
  }
  // As real outputs do: closing with batches it could not deliver is an error.
  Status Close() override {
    std::lock_guard lock(mu_);
    return held_.empty() ? Status::Ok() : IoError("batches not delivered at close");
  }
  void AckHeld() {
    std::lock_guard lock(mu_);
    for (AckHandle& a : held_) a.Ack();
    held_.clear();
  }
  std::vector<std::string> received() const {
    std::lock_guard lock(mu_);
    return received_;
  }
  std::vector<uint64_t> offsets() const {
    std::lock_guard lock(mu_);
    return offsets_;
  }

 private:
  Mode mode_;
  mutable std::mutex mu_;
  std::vector<std::string> received_;
  std::vector<uint64_t> offsets_;
  std::vector<AckHandle> held_;
  bool failed_once_ = false;
};

// Upstream: the pipeline's side of the buffer, counting the acks the buffer gives back.
struct Upstream {
  std::shared_ptr<InflightLimiter> limiter = std::make_shared<InflightLimiter>(1 << 30);
  std::atomic<int> acked{0};
  std::atomic<int> failed{0};
  std::shared_ptr<SourceTracker> tracker;
  uint64_t next = 0;

  Upstream() {
    tracker = std::make_shared<SourceTracker>("test", [](uint64_t) {});
  }
  AckHandle Handle() {
    auto d = std::make_shared<Delivery>([this](bool ok) { (ok ? acked : failed).fetch_add(1); }, 0,
                                        limiter);
    return AckHandle(std::move(d), nullptr, 0, 0);
  }
};

EventBatch Batch(int first, int count) {
  EventBatch b;
  for (int i = first; i < first + count; ++i) {
    Event& e = b.Add(i, "line " + std::to_string(i));
    e.metadata().offset = static_cast<uint64_t>(i);
  }
  return b;
}

std::vector<std::string> Lines(int first, int count) {
  std::vector<std::string> out;
  for (int i = first; i < first + count; ++i) out.push_back("line " + std::to_string(i));
  return out;
}

struct Rig {
  MetricsRegistry registry;
  ComponentMetrics metrics{registry, {{"component_id", "out"}}};
  FakeSink* sink = nullptr;
  std::unique_ptr<DiskBuffer> buffer;

  Rig(const fs::path& dir, FakeSink::Mode mode, BufferOptions options = {}) {
    options.type = BufferType::kDisk;
    auto s = std::make_unique<FakeSink>(mode);
    sink = s.get();
    buffer =
        std::make_unique<DiskBuffer>(std::move(s), options, dir.string(), metrics, Logger("test"),
                                     64 << 20, Duration{std::chrono::seconds(2)});
    Status st = buffer->Start();
    EXPECT_TRUE(st.ok()) << st.message();
  }
  double Metric(const std::string& name) {
    const Labels labels = {{"component_id", "out"}};
    if (name.ends_with("_total")) {
      return static_cast<double>(registry.GetCounter(name, "", labels).value());
    }
    return static_cast<double>(registry.GetGauge(name, "", labels).value());
  }
};

TEST(DiskBufferTest, AcksUpstreamOnceOnDiskAndDeliversInOrder) {
  fs::path dir = testing::FreshTestDir("disk_buffer");
  Rig rig(dir, FakeSink::Mode::kAck);
  Upstream up;
  for (int b = 0; b < 10; ++b) rig.buffer->Write(Batch(b * 100, 100), up.Handle());
  rig.buffer->Flush();
  EXPECT_EQ(up.acked.load(), 10);
  ASSERT_TRUE(WaitUntil([&] { return rig.sink->received().size() == 1000; }));
  EXPECT_EQ(rig.sink->received(), Lines(0, 1000));
  EXPECT_EQ(rig.sink->offsets()[999], 999u);  // metadata (stable ids) survives the disk
  ASSERT_TRUE(rig.buffer->Close().ok());
  EXPECT_EQ(rig.Metric("sluice_buffer_written_events_total"), 1000);
  EXPECT_EQ(rig.Metric("sluice_buffer_read_events_total"), 1000);
  EXPECT_EQ(rig.Metric("sluice_buffer_events"), 0);
}

TEST(DiskBufferTest, WhatTheSinkDidNotAckIsReplayedAfterARestartExactlyOnce) {
  fs::path dir = testing::FreshTestDir("disk_buffer");
  Upstream up;
  {
    Rig rig(dir, FakeSink::Mode::kHold);  // the sink takes batches and never acks them
    for (int b = 0; b < 5; ++b) rig.buffer->Write(Batch(b * 10, 10), up.Handle());
    rig.buffer->Flush();
    ASSERT_TRUE(WaitUntil([&] { return rig.sink->received().size() == 50; }));
    rig.sink->AckHeld();  // the first 50 are delivered
    for (int b = 5; b < 12; ++b) rig.buffer->Write(Batch(b * 10, 10), up.Handle());
    rig.buffer->Flush();
    ASSERT_TRUE(WaitUntil([&] { return rig.sink->received().size() == 120; }));
    EXPECT_EQ(rig.Metric("sluice_buffer_events"), 70);
    // Gone without a clean close (as after kill -9): the buffer object is simply destroyed.
  }
  EXPECT_EQ(up.acked.load(), 12);  // the inputs were told everything was safe
  Rig rig(dir, FakeSink::Mode::kAck);
  ASSERT_TRUE(WaitUntil([&] { return rig.sink->received().size() >= 70; }));
  ASSERT_TRUE(rig.buffer->Close().ok());
  EXPECT_EQ(rig.sink->received(), Lines(50, 70));  // the undelivered 70, none of the first 50
}

// The sink still holds batches at shutdown: its Close() fails, but the events are in the buffer,
// not lost: the buffer's Close() succeeds (the run exits 0) and the next start delivers them.
TEST(DiskBufferTest, ASinkClosingWithUndeliveredBatchesIsNotAnErrorTheyStayOnDisk) {
  fs::path dir = testing::FreshTestDir("disk_buffer");
  Upstream up;
  {
    Rig rig(dir, FakeSink::Mode::kHold);
    rig.buffer->Write(Batch(0, 10), up.Handle());
    rig.buffer->Flush();
    ASSERT_TRUE(WaitUntil([&] { return rig.sink->received().size() == 10; }));
    Status closed = rig.buffer->Close();
    EXPECT_TRUE(closed.ok()) << closed.message();
  }
  Rig rig(dir, FakeSink::Mode::kAck);
  ASSERT_TRUE(WaitUntil([&] { return rig.sink->received().size() >= 10; }));
  ASSERT_TRUE(rig.buffer->Close().ok());
  EXPECT_EQ(rig.sink->received(), Lines(0, 10));
}

TEST(DiskBufferTest, AFailedBatchIsRetriedFromDiskNotDropped) {
  fs::path dir = testing::FreshTestDir("disk_buffer");
  Rig rig(dir, FakeSink::Mode::kFailOnce);
  Upstream up;
  rig.buffer->Write(Batch(0, 10), up.Handle());
  rig.buffer->Write(Batch(10, 10), up.Handle());
  rig.buffer->Flush();
  ASSERT_TRUE(WaitUntil([&] { return rig.sink->received().size() == 20; }));
  ASSERT_TRUE(rig.buffer->Close().ok());
  std::vector<std::string> got = rig.sink->received();
  std::sort(got.begin(), got.end());
  std::vector<std::string> want = Lines(0, 20);
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
  EXPECT_EQ(rig.Metric("sluice_buffer_retried_batches_total"), 1);
}

TEST(DiskBufferTest, WhenFullDropNewestDropsAndCounts) {
  fs::path dir = testing::FreshTestDir("disk_buffer");
  BufferOptions options;
  options.max_size = ByteSize{1 << 20};
  options.when_full = WhenFull::kDropNewest;
  Rig rig(dir, FakeSink::Mode::kHold, options);
  Upstream up;
  int written = 0;
  while (rig.Metric("sluice_buffer_dropped_events_total") <= 0 && written < 200'000) {
    rig.buffer->Write(Batch(written, 100), up.Handle());
    written += 100;
  }
  rig.buffer->Flush();
  EXPECT_EQ(rig.Metric("sluice_buffer_dropped_events_total"), 100);
  EXPECT_LE(rig.Metric("sluice_buffer_bytes"), (1 << 20) + 64 * 1024);
  EXPECT_EQ(up.acked.load(), written / 100);  // dropping is what the user chose: acked
}

TEST(DiskBufferTest, WhenFullBlockWaitsForTheSinkAndLosesNothing) {
  fs::path dir = testing::FreshTestDir("disk_buffer");
  BufferOptions options;
  options.max_size = ByteSize{1 << 20};
  Rig rig(dir, FakeSink::Mode::kHold, options);
  Upstream up;
  std::atomic<int> written{0};
  std::thread writer([&] {
    for (int b = 0; b < 400; ++b) {  // ~4 MB of records into a 1 MiB buffer
      rig.buffer->Write(Batch(b * 100, 100), up.Handle());
      written = b + 1;
    }
    rig.buffer->Flush();
  });
  // The buffer fills up (a batch is about 4 KB) and the writer is held there: 400 batches do not
  // fit in 1 MiB while the sink acks nothing...
  ASSERT_TRUE(WaitUntil([&] { return rig.Metric("sluice_buffer_bytes") > (1 << 20) - 16 * 1024; }));
  EXPECT_LT(written.load(), 400);
  EXPECT_LE(rig.Metric("sluice_buffer_bytes"), (1 << 20) + 64 * 1024);
  // ...and goes on as the sink acks.
  ASSERT_TRUE(WaitUntil(
      [&] {
        rig.sink->AckHeld();
        return written.load() == 400 && rig.sink->received().size() == 40'000;
      },
      std::chrono::seconds(60)));
  writer.join();
  rig.sink->AckHeld();
  ASSERT_TRUE(rig.buffer->Close().ok());
  EXPECT_EQ(rig.sink->received(), Lines(0, 40'000));
  EXPECT_EQ(rig.Metric("sluice_buffer_dropped_events_total"), 0);
}

TEST(DiskBufferTest, ACorruptRecordIsCountedAndEverythingElseDelivered) {
  fs::path dir = testing::FreshTestDir("disk_buffer");
  Upstream up;
  {
    Rig rig(dir, FakeSink::Mode::kHold);
    for (int b = 0; b < 6; ++b) rig.buffer->Write(Batch(b * 10, 10), up.Handle());
    rig.buffer->Flush();
    ASSERT_TRUE(WaitUntil([&] { return rig.sink->received().size() == 60; }));
  }
  // Flip a byte in the middle of the segment: inside one of the six records.
  fs::path seg;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".seg" && fs::file_size(e.path()) > 0) seg = e.path();
  }
  ASSERT_FALSE(seg.empty());
  const auto middle = static_cast<std::streamoff>(fs::file_size(seg) / 2);
  {
    std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(middle);
    char c = 0;
    f.get(c);
    f.seekp(middle);
    f.put(static_cast<char>(c ^ 0x01));
  }
  Rig rig(dir, FakeSink::Mode::kAck);
  ASSERT_TRUE(WaitUntil([&] { return rig.sink->received().size() >= 50; }));
  ASSERT_TRUE(rig.buffer->Close().ok());
  EXPECT_EQ(rig.Metric("sluice_buffer_corrupt_records_total"), 1);
  EXPECT_EQ(rig.sink->received().size(), 50u);  // one batch of ten lost to the flipped byte
}

}  // namespace
}  // namespace sluice::buffer
