// The s3 input against real S3 protocol peers, with Debian's awscli uploading the fixtures:
// - moto_server (it checks SigV4 signatures): EMR-style container logs, gzip and plain, joined by
//   the spark multiline preset, excluded keys left alone, and a second run that reads only the
//   object added since (the checkpoints);
// - moto with SQS: an object announced by an S3 event notification is read at once (no listing
//   due for an hour) and its message deleted; a queue that does not exist is a clear error;
// - s3rver: 1,050 objects (more than one ListObjectsV2 page), a two-member gzip object, every line
//   once.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <zlib.h>

#include <fstream>
#include <map>
#include <set>

#include "tests/integration/require_peer.h"
#include "tests/integration/s3_peers.h"
#include "tests/integration/sluice_process.h"

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;

// Writes `text` gzip-compressed to `path`.
void WriteGzip(const fs::path& path, const std::string& text, const char* mode = "wb") {
  gzFile f = gzopen(path.c_str(), mode);
  ASSERT_NE(f, nullptr) << path;
  ASSERT_EQ(gzwrite(f, text.data(), static_cast<unsigned>(text.size())),
            static_cast<int>(text.size()));
  ASSERT_EQ(gzclose(f), Z_OK);
}

struct Output {
  std::map<std::string, std::vector<std::string>> messages_by_key;  // in offset order
  size_t events = 0;
};

class S3InputTest : public SluiceProcessTest {
 protected:
  void SetUp() override {
    SLUICE_REQUIRE_PEER(fs::exists(kAws), "awscli not installed (scripts/deps.sh installs it)");
    MakeDir("sluice_s3_input");
  }
  std::string Config(const std::string& endpoint, const std::string& key, const std::string& secret,
                     const std::string& bucket, const std::string& extra) {
    return WriteConfig(
        "t", "pipelines:\n  p:\n    inputs:\n      - type: s3\n        bucket: " + bucket +
                 "\n        endpoint: " + endpoint +
                 "\n        force_path_style: true\n        access_key_id: '" + key +
                 "'\n        secret_access_key: '" + secret + "'\n        exit_when_done: true\n" +
                 extra + "    outputs:\n      - {type: file, path: '" +
                 (dir_ / "out.ndjson").string() + "'}\n");
  }
  // Runs the config to its end (exit_when_done) and reads what it wrote; removes the output file.
  Output RunToEnd(const std::string& config) {
    auto p = Run(config, "run");
    EXPECT_EQ(p->WaitFor(std::chrono::seconds(120)), 0) << p->Stderr();
    Output out;
    simdjson::dom::parser parser;
    for (const std::string& line : ReadLines(dir_ / "out.ndjson")) {
      simdjson::dom::element doc;
      EXPECT_EQ(parser.parse(line).get(doc), simdjson::SUCCESS) << line;
      std::string_view key, message, path;
      EXPECT_EQ(doc["aws"]["s3"]["object"]["key"].get(key), simdjson::SUCCESS) << line;
      EXPECT_EQ(doc["message"].get(message), simdjson::SUCCESS) << line;
      EXPECT_EQ(doc["log"]["file"]["path"].get(path), simdjson::SUCCESS) << line;
      EXPECT_TRUE(path.ends_with(key)) << line;
      out.messages_by_key[std::string(key)].emplace_back(message);
      ++out.events;
    }
    fs::remove(dir_ / "out.ndjson");
    return out;
  }
};

TEST_F(S3InputTest, ReadsEmrContainerLogsOnceFromMotoWithSignedRequests) {
  Moto moto(AwsCli{dir_}, dir_ / "moto");
  SLUICE_REQUIRE_PEER(moto.available(), "moto_server not on PATH");
  AwsCli aws{dir_};
  const std::string app = "containers/application_1496953840000_0042/";
  const std::string c1 = app + "container_1496953840000_0042_01_000001/";
  const std::string c2 = app + "container_1496953840000_0042_01_000002/";
  fs::create_directories(dir_ / "fixtures");
  ASSERT_NO_FATAL_FAILURE(WriteGzip(
      dir_ / "fixtures" / "stderr.gz",
      "17/06/09 20:10:40 INFO executor.Executor: Running task 0.0 in stage 0.0 (TID 0)\n"
      "17/06/09 20:10:41 ERROR executor.Executor: Exception in task 0.0 in stage 0.0 (TID 0)\n"
      "java.lang.OutOfMemoryError: Java heap space\n"
      "\tat java.util.Arrays.copyOf(Arrays.java:3236)\n"
      "17/06/09 20:10:42 INFO executor.Executor: Finished task 1.0 in stage 0.0 (TID 1)\n"));
  std::ofstream(dir_ / "fixtures" / "stdout") << "17/06/09 20:10:43 INFO a.B: plain one\n"
                                                 "17/06/09 20:10:44 INFO a.B: plain two\n";
  std::ofstream(dir_ / "fixtures" / "prelaunch.out") << "not read\n";
  auto put = [&](const std::string& key, const std::string& file) {
    aws.Run(moto.env(), moto.endpoint(),
            "s3api put-object --bucket bronze --key " + key + " --body " +
                (dir_ / "fixtures" / file).string());
  };
  put(c1 + "stderr.gz", "stderr.gz");
  put(c1 + "stdout", "stdout");
  put(c1 + "prelaunch.out", "prelaunch.out");
  put("elsewhere/stdout", "stdout");  // outside the prefix

  const std::string config = Config(moto.endpoint(), moto.key(), moto.secret(), "bronze",
                                    // No `/` in the prefix: moto's signature check refuses
                                    // `%2F` in a query (as it does awscli's `s3 ls`).
                                    "        prefix: containers\n"
                                    "        exclude: ['*/prelaunch.*']\n"
                                    "        multiline: {preset: spark}\n");
  Output first = RunToEnd(config);
  EXPECT_EQ(first.events, 5u);
  ASSERT_EQ(first.messages_by_key.size(), 2u);
  const auto& stderr_events = first.messages_by_key[c1 + "stderr.gz"];
  ASSERT_EQ(stderr_events.size(), 3u);
  EXPECT_EQ(
      stderr_events[1],
      "17/06/09 20:10:41 ERROR executor.Executor: Exception in task 0.0 in stage 0.0 (TID 0)\n"
      "java.lang.OutOfMemoryError: Java heap space\n"
      "\tat java.util.Arrays.copyOf(Arrays.java:3236)");
  EXPECT_EQ(first.messages_by_key[c1 + "stdout"],
            (std::vector<std::string>{"17/06/09 20:10:43 INFO a.B: plain one",
                                      "17/06/09 20:10:44 INFO a.B: plain two"}));

  // A new container's log comes; the next run reads it and nothing else.
  put(c2 + "stderr.gz", "stderr.gz");
  Output second = RunToEnd(config);
  EXPECT_EQ(second.events, 3u);
  ASSERT_EQ(second.messages_by_key.size(), 1u);
  EXPECT_EQ(second.messages_by_key.begin()->first, c2 + "stderr.gz");
  // And a third run has nothing to read.
  EXPECT_EQ(RunToEnd(config).events, 0u);
}

TEST_F(S3InputTest, ReadsMoreThanAListingPageAndMultiMemberGzipFromS3rverEachLineOnce) {
  S3rver s3(dir_ / "s3rver");
  SLUICE_REQUIRE_PEER(s3.available(), "s3rver not installed (scripts/deps.sh installs it)");
  AwsCli aws{dir_};
  constexpr int kObjects = 1050;
  fs::create_directories(dir_ / "upload" / "logs");
  for (int i = 0; i < kObjects; ++i) {
    std::ofstream(dir_ / "upload" / "logs" / ("part-" + std::to_string(i) + ".log"))
        << "object " << i << " line a\nobject " << i << " line b\n";
  }
  // Two gzip members in one object (as `cat a.gz b.gz` makes), 20,000 lines.
  std::string first_half, second_half;
  for (int i = 0; i < 10000; ++i) first_half += "big line " + std::to_string(i) + "\n";
  for (int i = 10000; i < 20000; ++i) second_half += "big line " + std::to_string(i) + "\n";
  ASSERT_NO_FATAL_FAILURE(WriteGzip(dir_ / "upload" / "logs" / "big.log.gz", first_half));
  ASSERT_NO_FATAL_FAILURE(WriteGzip(dir_ / "upload" / "logs" / "big.log.gz", second_half, "ab"));
  aws.Run(kS3rverKeys, s3.endpoint(),
          "s3 cp --recursive --quiet " + (dir_ / "upload").string() + " s3://lake/");

  const std::string config = Config(s3.endpoint(), "S3RVER", "S3RVER", "lake",
                                    "        prefix: logs/\n        batch_events: 100\n");
  Output out = RunToEnd(config);
  EXPECT_EQ(out.messages_by_key.size(), static_cast<size_t>(kObjects + 1));
  EXPECT_EQ(out.events, static_cast<size_t>(2 * kObjects + 20000));
  const auto& big = out.messages_by_key["logs/big.log.gz"];
  ASSERT_EQ(big.size(), 20000u);
  for (int i = 0; i < 20000; ++i) {
    ASSERT_EQ(big[static_cast<size_t>(i)], "big line " + std::to_string(i));
  }
  EXPECT_EQ(out.messages_by_key["logs/part-7.log"],
            (std::vector<std::string>{"object 7 line a", "object 7 line b"}));
  EXPECT_EQ(RunToEnd(config).events, 0u) << "every object is checkpointed as done";
}

TEST_F(S3InputTest, ObjectsAnnouncedOnSqsAreReadAtOnceAndTheirMessagesDeleted) {
  Moto moto(AwsCli{dir_}, dir_ / "moto");
  SLUICE_REQUIRE_PEER(moto.available(), "moto_server not on PATH");
  AwsCli aws{dir_};
  std::string queue_url = aws.Run(moto.env(), moto.endpoint(),
                                  "sqs create-queue --queue-name emr-logs --query QueueUrl "
                                  "--output text");
  while (!queue_url.empty() && std::isspace(static_cast<unsigned char>(queue_url.back()))) {
    queue_url.pop_back();
  }
  ASSERT_FALSE(queue_url.empty());
  fs::create_directories(dir_ / "fixtures");
  std::ofstream(dir_ / "fixtures" / "first") << "first object line\n";
  ASSERT_NO_FATAL_FAILURE(WriteGzip(dir_ / "fixtures" / "second.gz", "second object line\n"));
  aws.Run(moto.env(), moto.endpoint(),
          "s3api put-object --bucket bronze --key logs-a/first --body " +
              (dir_ / "fixtures" / "first").string());

  const std::string config = WriteConfig(
      "t",
      "pipelines:\n  p:\n    inputs:\n      - type: s3\n        bucket: bronze\n"
      "        endpoint: " +
          moto.endpoint() + "\n        force_path_style: true\n        access_key_id: '" +
          moto.key() + "'\n        secret_access_key: '" + moto.secret() +
          "'\n        prefix: logs\n        poll_interval: 1h\n        sqs_queue_url: '" +
          queue_url + "'\n    outputs:\n      - {type: file, path: '" +
          (dir_ / "out.ndjson").string() + "'}\n");
  auto p = Run(config, "run");
  auto lines = [&] { return ReadLines(dir_ / "out.ndjson"); };
  ASSERT_TRUE(WaitUntil([&] { return lines().size() >= 1; }, std::chrono::seconds(60)))
      << p->Stderr();

  // A new object and its notification (the listing is an hour away).
  aws.Run(moto.env(), moto.endpoint(),
          "s3api put-object --bucket bronze --key logs-b/second.gz --body " +
              (dir_ / "fixtures" / "second.gz").string());
  std::ofstream(dir_ / "fixtures" / "event.json")
      << R"({"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"bronze"},)"
      << R"("object":{"key":"logs-b/second.gz","size":40}}}]})";
  aws.Run(moto.env(), moto.endpoint(),
          "sqs send-message --queue-url " + queue_url + " --message-body file://" +
              (dir_ / "fixtures" / "event.json").string());
  ASSERT_TRUE(WaitUntil([&] { return lines().size() >= 2; }, std::chrono::seconds(60)))
      << p->Stderr();
  EXPECT_NE(lines()[1].find("second object line"), std::string::npos) << lines()[1];
  // The message is deleted once its object is read.
  EXPECT_TRUE(WaitUntil(
      [&] {
        std::string left = aws.Run(moto.env(), moto.endpoint(),
                                   "sqs get-queue-attributes --queue-url " + queue_url +
                                       " --attribute-names ApproximateNumberOfMessages "
                                       "ApproximateNumberOfMessagesNotVisible --query "
                                       "'Attributes.[ApproximateNumberOfMessages,"
                                       "ApproximateNumberOfMessagesNotVisible]' --output text");
        return left.find_first_not_of("0 \t\n") == std::string::npos;
      },
      std::chrono::seconds(30)));
  p->Signal(SIGTERM);
  EXPECT_EQ(p->WaitFor(std::chrono::seconds(60)), 0) << p->Stderr();
  EXPECT_EQ(lines().size(), 2u) << "each object once";
}

TEST_F(S3InputTest, AQueueThatDoesNotExistIsAClearErrorAndListingGoesOn) {
  Moto moto(AwsCli{dir_}, dir_ / "moto");
  SLUICE_REQUIRE_PEER(moto.available(), "moto_server not on PATH");
  AwsCli aws{dir_};
  fs::create_directories(dir_ / "fixtures");
  std::ofstream(dir_ / "fixtures" / "one") << "one line\n";
  aws.Run(moto.env(), moto.endpoint(),
          "s3api put-object --bucket bronze --key logs/one --body " +
              (dir_ / "fixtures" / "one").string());
  const std::string missing = moto.endpoint() + "/123456789012/no-such-queue";
  Output out = RunToEnd(Config(moto.endpoint(), moto.key(), moto.secret(), "bronze",
                               "        prefix: logs\n        sqs_queue_url: '" + missing + "'\n"));
  EXPECT_EQ(out.events, 1u);
  const std::string err = ReadFile(dir_ / "run-run-0" / "stderr");
  EXPECT_NE(err.find("sqs_queue_url " + missing + " cannot be read"), std::string::npos) << err;
  EXPECT_NE(err.find("NonExistentQueue"), std::string::npos) << err;
}

}  // namespace
}  // namespace sluice::testing
