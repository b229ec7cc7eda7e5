#include "plugins/inputs/file/file_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/source_tracker.h"
#include "tests/unit/test_util.h"

namespace sluice::inputs::file {
namespace {

using common::MultilineAggregator;
using common::MultilineEvent;
using common::MultilineOptions;
using common::MultilinePreset;
using common::MultilineRules;

constexpr Fingerprint kPrint{.length = 1024, .hash = 0xabcdef};
constexpr Fingerprint kOtherPrint{.length = 1024, .hash = 0x123456};

// A checkpoint store on a file that is never persisted (Open() of a missing file reads nothing),
// the input's lag counter, and helpers to read what the store holds.
class FileCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::FreshTestDir("sluice_file_commit");
    auto store = CheckpointStore::Open((dir_ / "checkpoints").string(), Logger("test"));
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
  }
  void TearDown() override {
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }
  std::shared_ptr<FileCommit> MakeCommit(const std::string& key) {
    return std::make_shared<FileCommit>(key, store_.get(), lag_);
  }
  // The offset saved under `key`; -1 when there is no entry.
  int64_t Saved(const std::string& key) const {
    std::optional<std::string> text = store_->Get(key);
    if (!text) return -1;
    SavedFile saved;
    EXPECT_TRUE(SavedFile::Decode(*text, &saved)) << *text;
    return static_cast<int64_t>(saved.offset);
  }
  int64_t Lag() const { return lag_->load(); }
  // `original` (source 9, "/a") read to `emitted` and acked to `acked`, then truncated: its new
  // generation reads the new content from 0. Returns the old content's generation.
  static uint64_t ReadAndTruncate(FileCommit& original, uint64_t emitted, uint64_t acked = 0) {
    uint64_t old_gen = original.NewGeneration(0, 0, kPrint, 9, "/a");
    original.Emitted(emitted);
    if (acked > 0) original.Ack(old_gen, acked);
    original.NewGeneration(0, 0, kOtherPrint, 9, "/a");
    return old_gen;
  }
  // The copy ("copy", "/a.1") of the original's old content `old_gen`, read from `offset` with
  // `checkpoint` acked, to which the original hands the old content's late acks.
  std::shared_ptr<FileCommit> HandOverToCopy(FileCommit& original, uint64_t old_gen,
                                             uint64_t offset, uint64_t checkpoint) {
    auto copy = MakeCommit("copy");
    copy->NewGeneration(offset, checkpoint, kPrint, 9, "/a.1");
    original.HandOver(old_gen, copy);
    return copy;
  }

  std::filesystem::path dir_;
  std::unique_ptr<CheckpointStore> store_;
  std::shared_ptr<std::atomic<int64_t>> lag_ = std::make_shared<std::atomic<int64_t>>(0);
};

TEST_F(FileCommitTest, NewGenerationSavesTheStartAndCountsWhatIsNotAckedAsLag) {
  auto commit = MakeCommit("1:2");
  EXPECT_EQ(commit->NewGeneration(100, 40, kPrint, 77, "/logs/app.log"), 1u);
  std::optional<std::string> text = store_->Get("1:2");
  ASSERT_TRUE(text);
  SavedFile saved;
  ASSERT_TRUE(SavedFile::Decode(*text, &saved));
  EXPECT_EQ(saved.offset, 40u);
  EXPECT_EQ(saved.fingerprint, kPrint);
  EXPECT_EQ(saved.source_id, 77u);
  EXPECT_EQ(saved.path, "/logs/app.log");
  EXPECT_EQ(*text, commit->saved().Encode());
  EXPECT_EQ(commit->lag(), 60u);
  EXPECT_EQ(Lag(), 60);
  EXPECT_EQ(commit->state().generation, 1u);
  EXPECT_EQ(commit->state().emitted, 100u);
}

TEST_F(FileCommitTest, AcksMoveTheCheckpointAndTakeTheirBytesOffTheLag) {
  auto commit = MakeCommit("k");
  uint64_t gen = commit->NewGeneration(0, 0, kPrint, 1, "/a");
  commit->Emitted(300);
  EXPECT_EQ(Lag(), 300);
  commit->Ack(gen, 120);
  EXPECT_EQ(Saved("k"), 120);
  EXPECT_EQ(Lag(), 180);
  commit->Ack(gen, 300);
  EXPECT_EQ(Saved("k"), 300);
  EXPECT_EQ(Lag(), 0);
  EXPECT_EQ(commit->lag(), 0u);
}

// The chain the input wires up: batches begun on the file's SourceTracker, acks in any order; the
// checkpoint only ever covers the acked prefix (a partial ack commits what is contiguous).
TEST_F(FileCommitTest, OutOfOrderAndPartialAcksCommitOnlyTheAckedPrefix) {
  auto commit = MakeCommit("k");
  uint64_t gen = commit->NewGeneration(0, 0, kPrint, 1, "/a");
  SourceTracker source("/a", [commit, gen](uint64_t acked) { commit->Ack(gen, acked); });
  std::vector<uint64_t> seqs;
  for (uint64_t end : {100u, 200u, 300u, 400u}) {
    commit->Emitted(end);
    seqs.push_back(source.Begin(end));
  }
  EXPECT_EQ(Lag(), 400);
  source.Complete(seqs[2]);
  source.Complete(seqs[1]);
  EXPECT_EQ(Saved("k"), 0) << "batch 0 is still in flight";
  source.Complete(seqs[0]);
  EXPECT_EQ(Saved("k"), 300);
  EXPECT_EQ(Lag(), 100);
  source.Complete(seqs[3]);
  EXPECT_EQ(Saved("k"), 400);
  EXPECT_EQ(Lag(), 0);
}

TEST_F(FileCommitTest, ATruncationsNewGenerationIgnoresLateAcksOfTheOldContent) {
  auto commit = MakeCommit("k");
  uint64_t old_gen = commit->NewGeneration(0, 0, kPrint, 1, "/a");
  commit->Emitted(500);
  commit->Ack(old_gen, 100);
  uint64_t gen = commit->NewGeneration(0, 0, kOtherPrint, 1, "/a");  // truncated: from 0
  EXPECT_EQ(gen, old_gen + 1);
  EXPECT_EQ(Saved("k"), 0);
  EXPECT_EQ(Lag(), 0) << "the old content's bytes in flight are no longer lag";
  commit->Ack(old_gen, 500);  // a batch of the old content acked late
  EXPECT_EQ(Saved("k"), 0) << "an old offset must not move the new content's checkpoint";
  EXPECT_EQ(Lag(), 0);
  commit->Emitted(50);
  commit->Ack(gen, 50);
  EXPECT_EQ(Saved("k"), 50);
  EXPECT_EQ(commit->saved().fingerprint, kOtherPrint);
}

// copytruncate: the original was read to 500 and acked to 100 when it was truncated; its copy
// continues at 500 with the checkpoint at 100, and the original's acks of that content move it.
TEST_F(FileCommitTest, CopyTruncateHandsLateAcksOfTheOldContentToTheCopy) {
  auto original = MakeCommit("orig");
  uint64_t old_gen = original->NewGeneration(0, 0, kPrint, 9, "/a");
  original->Emitted(500);
  original->Ack(old_gen, 100);
  FileCommit::State at_truncation = original->state();
  TruncatedOrigin origin{.fingerprint = kPrint,
                         .read_offset = 500,
                         .acked_offset = at_truncation.acked,
                         .source_id = 9,
                         .commit = original,
                         .generation = at_truncation.generation};
  original->NewGeneration(0, 0, kOtherPrint, 9, "/a");

  CopyStart start = ContinueCopy(origin, /*copy_size=*/500);
  EXPECT_EQ(start.offset, 500u);
  EXPECT_EQ(start.checkpoint, 100u);
  auto copy = HandOverToCopy(*original, origin.generation, start.offset, start.checkpoint);
  EXPECT_EQ(Saved("copy"), 100);
  EXPECT_EQ(Lag(), 400);

  original->Ack(old_gen, 300);
  EXPECT_EQ(Saved("copy"), 300);
  EXPECT_EQ(Saved("orig"), 0);
  EXPECT_EQ(Lag(), 200);
  original->Ack(old_gen, 200);  // not beyond the copy's checkpoint: ignored
  EXPECT_EQ(Saved("copy"), 300);
  copy->Emitted(700);
  original->Ack(old_gen, 500);
  EXPECT_EQ(Saved("copy"), 500);
  EXPECT_EQ(Lag(), 200);  // 500..700 of the copy
}

TEST_F(FileCommitTest, AcksOfTheCopiedContentNeverReachBeyondWhatTheCopyHandedOn) {
  auto original = MakeCommit("orig");
  uint64_t old_gen = ReadAndTruncate(*original, /*emitted=*/800);
  // The copy is shorter than what was read (written to after the copy, before the truncation).
  CopyStart start = ContinueCopy(TruncatedOrigin{.read_offset = 800, .acked_offset = 0}, 600);
  EXPECT_EQ(start.offset, 600u);
  EXPECT_EQ(start.checkpoint, 0u);
  HandOverToCopy(*original, old_gen, start.offset, start.checkpoint);
  original->Ack(old_gen, 800);
  EXPECT_EQ(Saved("copy"), 0) << "800 is past the copy's 600 bytes";
  original->Ack(old_gen, 600);
  EXPECT_EQ(Saved("copy"), 600);
}

// Acks of the old content that arrive between the truncation and the rescan that finds the copy
// are not lost: the newest one moves the copy's checkpoint when it is handed over.
TEST_F(FileCommitTest, AcksBetweenTheTruncationAndTheHandOverCountForTheCopy) {
  auto original = MakeCommit("orig");
  uint64_t old_gen = ReadAndTruncate(*original, /*emitted=*/500, /*acked=*/100);
  original->Ack(old_gen, 250);
  original->Ack(old_gen, 400);
  EXPECT_EQ(Saved("orig"), 0);
  auto copy = HandOverToCopy(*original, old_gen, 500, 100);
  EXPECT_EQ(Saved("copy"), 400);
  EXPECT_EQ(copy->lag(), 100u);
}

// A hand-over ends when either side starts again: the original truncated a second time, or the
// copy itself truncated. A late ack of the old content then moves nothing.
TEST_F(FileCommitTest, AHandOverEndsWhenTheOriginalOrTheCopyStartsAgain) {
  for (bool copy_restarts : {false, true}) {
    SCOPED_TRACE(copy_restarts ? "the copy was truncated" : "the original was truncated again");
    auto original = MakeCommit("orig");
    uint64_t old_gen = ReadAndTruncate(*original, /*emitted=*/500);
    auto copy = HandOverToCopy(*original, old_gen, 500, 0);
    if (copy_restarts) {
      copy->NewGeneration(0, 0, kOtherPrint, 9, "/a.1");
    } else {
      original->NewGeneration(0, 0, kOtherPrint, 9, "/a");
    }
    original->Ack(old_gen, 300);
    EXPECT_EQ(Saved("copy"), 0);
  }
}

TEST_F(FileCommitTest, ForgetErasesTheEntryTakesOffItsLagAndIgnoresWhatComesLater) {
  auto commit = MakeCommit("k");
  uint64_t gen = commit->NewGeneration(0, 0, kPrint, 1, "/a");
  commit->Emitted(300);
  commit->Ack(gen, 100);
  EXPECT_FALSE(commit->gone());
  commit->Forget();
  EXPECT_TRUE(commit->gone());
  EXPECT_EQ(Saved("k"), -1);
  EXPECT_EQ(Lag(), 0);
  commit->Ack(gen, 300);
  commit->Emitted(400);
  commit->Forget();
  EXPECT_EQ(Saved("k"), -1) << "a late ack must not bring the entry back";
  EXPECT_EQ(Lag(), 0);
}

TEST_F(FileCommitTest, PathAndFingerprintChangesAreSavedWithTheNextAck) {
  auto commit = MakeCommit("k");
  uint64_t gen = commit->NewGeneration(0, 0, Fingerprint{.length = 10, .hash = 1}, 1, "/a");
  commit->SetPath("/a.1");
  commit->SetFingerprint(kPrint);
  commit->Emitted(20);
  commit->Ack(gen, 20);
  SavedFile saved;
  ASSERT_TRUE(SavedFile::Decode(*store_->Get("k"), &saved));
  EXPECT_EQ(saved.path, "/a.1");
  EXPECT_EQ(saved.fingerprint, kPrint);
}

TEST_F(FileCommitTest, AcksAfterTheInputIsGoneStillCommitWithoutALagCounter) {
  auto commit = MakeCommit("k");
  uint64_t gen = commit->NewGeneration(0, 0, kPrint, 1, "/a");
  commit->Emitted(100);
  lag_.reset();  // the input stopped; an output acks what was in flight
  commit->Ack(gen, 100);
  EXPECT_EQ(Saved("k"), 100);
}

TEST(FileCommitWithoutStoreTest, WorksWithoutACheckpointStore) {
  auto commit = std::make_shared<FileCommit>("k", nullptr, std::weak_ptr<std::atomic<int64_t>>());
  uint64_t gen = commit->NewGeneration(0, 0, kPrint, 1, "/a");
  commit->Emitted(10);
  commit->Ack(gen, 10);
  EXPECT_EQ(commit->state().acked, 10u);
  commit->Forget();
  EXPECT_TRUE(commit->gone());
}

// A copy is recognised by a predicate (the input's: the new file starts like the origin).
auto StartsLike(const Fingerprint& copy) {
  return [copy](const TruncatedOrigin& o) { return o.fingerprint == copy; };
}

TEST(CopyDetectorTest, AnOriginIsTakenOnceAndOnlyWhenItsCopyIsRecognised) {
  CopyDetector copies;
  copies.Truncated(TruncatedOrigin{.fingerprint = kPrint, .read_offset = 7});
  EXPECT_EQ(copies.remembered(), 1u);
  EXPECT_FALSE(copies.TakeOrigin(StartsLike(kOtherPrint)).has_value());
  std::optional<TruncatedOrigin> origin = copies.TakeOrigin(StartsLike(kPrint));
  ASSERT_TRUE(origin.has_value());
  EXPECT_EQ(origin->read_offset, 7u);
  EXPECT_FALSE(copies.TakeOrigin(StartsLike(kPrint)).has_value());
  EXPECT_EQ(copies.remembered(), 0u);
}

// A copy may start like several origins (short ones are prefixes of longer ones): the longest
// fingerprint is the most specific.
TEST(CopyDetectorTest, OfSeveralMatchingOriginsTheLongestFingerprintWins) {
  CopyDetector copies;
  copies.Truncated(TruncatedOrigin{.fingerprint = {.length = 10, .hash = 1}, .read_offset = 1});
  copies.Truncated(TruncatedOrigin{.fingerprint = {.length = 900, .hash = 2}, .read_offset = 2});
  copies.Truncated(TruncatedOrigin{.fingerprint = {.length = 90, .hash = 3}, .read_offset = 3});
  std::optional<TruncatedOrigin> origin =
      copies.TakeOrigin([](const TruncatedOrigin&) { return true; });
  ASSERT_TRUE(origin.has_value());
  EXPECT_EQ(origin->read_offset, 2u);
  EXPECT_EQ(copies.remembered(), 2u);
}

TEST(CopyDetectorTest, TruncationsAreForgottenAfterTenMinutes) {
  CopyDetector copies;
  copies.Truncated(TruncatedOrigin{.fingerprint = kPrint, .mono = 1000});
  copies.EndScan({}, 1000 + CopyDetector::kMemoryNs);
  EXPECT_EQ(copies.remembered(), 1u);
  copies.EndScan({}, 1001 + CopyDetector::kMemoryNs);
  EXPECT_EQ(copies.remembered(), 0u);
}

TEST(CopyDetectorTest, ALikelyCopyIsHeldBackForItsHoldTimeThenReadAsItsOwnFile) {
  constexpr int64_t kHold = 3'000;
  CopyDetector copies;
  EXPECT_TRUE(copies.HoldBack("1:5", 100, kHold));
  EXPECT_TRUE(copies.holding());
  copies.EndScan({"1:5"}, 200);
  // However many rescans come meanwhile (inotify events), the hold runs from the first one.
  for (int64_t now = 200; now < 100 + kHold; now += 500) {
    EXPECT_TRUE(copies.HoldBack("1:5", now, kHold)) << now;
  }
  EXPECT_FALSE(copies.HoldBack("1:5", 100 + kHold, kHold));
  copies.Decided("1:5");
  EXPECT_FALSE(copies.holding());
}

TEST(CopyDetectorTest, AHeldBackFileThatIsGoneIsDropped) {
  CopyDetector copies;
  EXPECT_TRUE(copies.HoldBack("1:5", 0, 1'000));
  copies.EndScan({"1:6"}, 0);
  EXPECT_FALSE(copies.holding());
  EXPECT_TRUE(copies.HoldBack("1:5", 5'000, 1'000)) << "the hold starts over";
}

// No checkpoint inside what is not an event yet: a partial line (line_offset stays before it), a
// partial container line, a pending multiline event.
TEST(CheckpointLimitTest, StopsBeforeAPartialContainerLine) {
  MultilineAggregator multiline(MultilineRules::Make(MultilineOptions{}));
  CriDecoder cri(1024);
  std::vector<std::string> lines;
  auto push = [&](std::string_view line, uint64_t begin, uint64_t end) {
    cri.Push(line, begin, end, false, [&](const CriLine& c) {
      multiline.Push(c.text, c.begin, c.end, c.truncated, 0,
                     [&](const MultilineEvent& e) { lines.emplace_back(e.message); });
    });
  };
  const std::string full = "2024-05-01T12:00:00Z stdout F whole";  // 35 bytes + newline
  push(full, 0, 36);
  EXPECT_EQ(CheckpointLimit(36, multiline, &cri), 36u);
  push("2024-05-01T12:00:01Z stdout P first ", 36, 73);
  EXPECT_EQ(CheckpointLimit(73, multiline, &cri), 36u) << "inside the partial container line";
  push("2024-05-01T12:00:01Z stdout F second", 73, 110);
  EXPECT_EQ(CheckpointLimit(110, multiline, &cri), 110u);
  EXPECT_EQ(lines, std::vector<std::string>({"whole", "first second"}));
  EXPECT_EQ(CheckpointLimit(110, multiline, nullptr), 110u);
}

TEST(CheckpointLimitTest, StopsBeforeAPendingMultilineEvent) {
  MultilineOptions options;
  options.preset = MultilinePreset::kSpark;
  MultilineAggregator multiline(MultilineRules::Make(options));
  auto push = [&](std::string_view line, uint64_t begin, uint64_t end) {
    multiline.Push(line, begin, end, false, 0, [](const MultilineEvent&) {});
  };
  push("17/06/09 20:10:40 ERROR Executor: boom", 0, 39);
  push("\tat org.example.Job.run(Job.scala:42)", 39, 77);
  EXPECT_EQ(CheckpointLimit(77, multiline, nullptr), 0u);
  push("17/06/09 20:10:41 INFO Executor: next", 77, 115);  // completes the first event
  EXPECT_EQ(CheckpointLimit(115, multiline, nullptr), 77u);
}

}  // namespace
}  // namespace sluice::inputs::file
