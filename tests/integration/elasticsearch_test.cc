// The elasticsearch output in the collector (kafka input from the mock cluster → elasticsearch)
// against tests/tools/es_test_server, the Elasticsearch bulk-API stand-in (no real Elasticsearch
// can be installed here): per-item 429 storms, an outage, mapping errors, a SIGKILLed collector,
// 413s, bad credentials and hosts, and the index template. Every test reads back what the server
// stores and counts lost and duplicated events.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <thread>

#include "tests/integration/es_server.h"
#include "tests/integration/http_get.h"
#include "tests/integration/kafka_fed.h"
#include "tests/integration/sluice_process.h"

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

class ElasticsearchTest : public SluiceProcessTest {
 protected:
  void SetUp() override {
    SLUICE_REQUIRE_KCAT();
    MakeDir("sluice_es");
    fs::create_directories(dir_ / "es");
  }
  // The mock cluster: topic `spark` of `partitions` partitions holding `lines` numbered lines.
  std::unique_ptr<MockCluster> Topic(int partitions, int lines) {
    return SparkTopicWithNumberedLines(dir_ / "mock", partitions, lines);
  }
  // A collector: the kafka input (raw messages) → elasticsearch with `extra` options and bulk
  // requests of `max_events`; `process`: top-level settings.
  std::string Collector(const std::string& bootstrap, const std::string& es,
                        const std::string& extra, const std::string& decode = "raw",
                        const std::string& process = "", int max_events = 2000) {
    return WriteConfig(
        "collector",
        process +
            "pipelines:\n  c:\n    inputs:\n      - type: kafka\n        brokers: " + bootstrap +
            "\n        topics: [spark]\n        group_id: es\n        decode: " + decode +
            "\n        commit_interval: 200ms\n"
            "        librdkafka: {session.timeout.ms: '6000', heartbeat.interval.ms: '500'}\n"
            "    outputs:\n      - type: elasticsearch\n        hosts: ['" +
            es + "']\n        max_events: " + std::to_string(max_events) +
            "\n        flush_interval: 200ms\n" + extra);
  }
  // A config NAME: `count` generated events (seed `seed`) → elasticsearch at `hosts` with
  // `max_backoff` and `extra` options.
  std::string Generated(const std::string& name, int count, int seed, const std::string& hosts,
                        const std::string& extra, const std::string& max_backoff = "1s") {
    return WriteConfig(
        name, "pipelines:\n  c:\n    inputs: [{type: generate, count: " + std::to_string(count) +
                  ", seed: " + std::to_string(seed) +
                  "}]\n    outputs:\n      - type: elasticsearch\n        hosts: ['" + hosts +
                  "']\n        max_backoff: " + max_backoff + "\n" + extra);
  }
  // Every numbered line is stored once: none lost, none twice.
  static void ExpectEachLineOnce(EsServer& es, int lines) {
    ExpectEachNumberedLineOnce(lines, [&](SequenceChecker& checker) {
      std::stringstream docs(es.Get("/_test/docs"));
      for (std::string line; std::getline(docs, line);) checker.Add(MessageOf(line));
    });
  }
  // The events the output of pipeline `c` acked.
  static double Sent(const Subprocess& p) { return Metric(p, OutputSent("c", "elasticsearch")); }
  // Waits up to `timeout` for `p` to ack `events` events; a failure shows its log.
  static ::testing::AssertionResult AllSent(const Subprocess& p, int events, seconds timeout) {
    if (WaitUntil([&] { return Sent(p) >= events; }, timeout)) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << Sent(p) << " of " << events << " events sent\n"
                                         << p.Stderr();
  }
  // `p` logs `error` (within 10 s), is unready and acks nothing; then it is killed.
  static void ExpectStuckOn(Subprocess& p, const std::string& error) {
    EXPECT_TRUE(WaitUntil([&] { return p.Stderr().find(error) != std::string::npos; }))
        << p.Stderr();
    EXPECT_EQ(ReadyStatus(p), 503);
    EXPECT_LT(Sent(p), 1);
    p.Signal(SIGKILL);
    p.WaitFor(seconds(10));
  }
  // SIGTERM drains, flushes and exits 0.
  static void StopCleanly(Subprocess& p) {
    p.Signal(SIGTERM);
    EXPECT_EQ(p.WaitFor(seconds(60)), 0) << p.Stderr();
  }
  // Every numbered line is stored once; then `p` stops cleanly.
  static void ExpectEachLineOnceAndStop(EsServer& es, Subprocess& p, int lines) {
    ExpectEachLineOnce(es, lines);
    StopCleanly(p);
  }
  static std::string Series(const std::string& name, const std::string& extra = "") {
    return name + "{pipeline=\"c\",kind=\"output\",type=\"elasticsearch\",id=\"elasticsearch\"" +
           extra + "}";
  }
  // The series of documents sent again for `reason` (429, 5xx, connection, auth).
  static std::string Retries(const std::string& reason) {
    return Series("sluice_elasticsearch_output_retries_total", ",reason=\"" + reason + "\"");
  }
  // Expects each of the server's counters (`stats`) named in `expected` to have its value.
  static void ExpectStats(EsServer& es, const std::map<std::string, int64_t>& expected) {
    for (const auto& [name, value] : expected) EXPECT_EQ(es.Stat(name), value) << name;
  }
};

// A 30,000-event replay into a 429 storm: 30% of the items of every request are refused with 429
// es_rejected_execution_exception (HTTP 200 for the request), with the output's defaults
// (10,000-document requests, max_backoff 30 s, concurrency 2, adaptive). Only the refused items
// are sent again, so every event is created exactly once and none twice; since each try indexes
// some of them, they go again promptly: the senders' backoff adds up to seconds (it was about
// 100 s when every retry doubled its wait). The 429s lower the concurrency limit, which stays
// within 1 and `concurrency`.
TEST_F(ElasticsearchTest, ItemRejectionStormIndexesEveryEventExactlyOnce) {
  constexpr int kLines = 30000;
  auto cluster = Topic(4, kLines);
  EsServer es(dir_ / "es");
  es.Command("reject 0.3");
  auto collector = Run(Collector(cluster->bootstrap(), es.url(), "", "raw", "", 10000), "c");
  ASSERT_TRUE(AllSent(*collector, kLines, seconds(180)));
  EXPECT_EQ(ReadyStatus(*collector), 200);
  // updated 0: no item indexed once was sent again.
  ExpectStats(es, {{"docs", kLines}, {"created", kLines}, {"updated", 0}});
  EXPECT_GT(es.Stat("rejected"), kLines / 5);
  EXPECT_GT(Metric(*collector, Retries("429")), kLines / 5);
  EXPECT_EQ(Metric(*collector, Series("sluice_elasticsearch_output_indexed_total")), kLines);
  // The backoff waited, summed over the senders (planned waits, not wall-clock: a loaded machine
  // does not move it).
  const double waited =
      Metric(*collector, Series("sluice_elasticsearch_output_retry_wait_milliseconds_total"));
  EXPECT_GT(waited, 0);
  EXPECT_LT(waited, 30'000);
  // The first answer already held 429s: the limit went down from 2 at least once.
  EXPECT_GE(Metric(*collector, Series("sluice_elasticsearch_output_concurrency_decreases_total",
                                      ",reason=\"429\"")),
            1);
  const double limit = Metric(*collector, Series("sluice_elasticsearch_output_concurrency_limit"));
  EXPECT_GE(limit, 1);
  EXPECT_LE(limit, 2);
  ExpectEachLineOnceAndStop(es, *collector, kLines);
}

// Elasticsearch stops listening for 20 s mid-stream: /ready 503, requests retried, then every
// event is there once (the stable ids make a request that was indexed before the connection
// broke an overwrite, not a duplicate).
TEST_F(ElasticsearchTest, TwentySecondOutageLosesAndDuplicatesNothing) {
  constexpr int kLines = 100000;
  auto cluster = Topic(4, kLines);
  EsServer es(dir_ / "es");
  es.Command("delay 1000000 200");  // slow enough that the outage falls mid-stream
  auto collector = Run(Collector(cluster->bootstrap(), es.url(), "        max_backoff: 2s\n"), "c");
  ASSERT_TRUE(WaitUntil([&] { return es.Stat("docs") >= kLines / 10; }, seconds(120)))
      << collector->Stderr();
  es.Command("down 20");
  ASSERT_TRUE(WaitUntil([&] { return ReadyStatus(*collector) == 503; }, seconds(30)))
      << collector->Stderr();
  EXPECT_LT(Sent(*collector), kLines);
  es.Command("delay 0 0");
  ASSERT_TRUE(AllSent(*collector, kLines, seconds(180)));
  EXPECT_EQ(ReadyStatus(*collector), 200);
  EXPECT_NE(collector->Stderr().find("cannot reach " + es.url()), std::string::npos);
  EXPECT_GT(Metric(*collector, Retries("connection")), 0);
  EXPECT_EQ(es.Stat("docs"), kLines);
  ExpectEachLineOnceAndStop(es, *collector, kLines);
}

// Documents Elasticsearch refuses for good (a string in a `long` field, an uppercase index name
// from a field) are exactly the ones in the dead-letter file, each with Elasticsearch's reason;
// everything else is indexed and every batch is acked.
TEST_F(ElasticsearchTest, RefusedDocumentsAreExactlyTheDeadLetteredOnes) {
  fs::create_directories(dir_ / "mock");
  MockCluster cluster(dir_ / "mock", {"spark:2:1"});
  constexpr int kLines = 20000;
  {
    std::ofstream out(dir_ / "json.txt");
    for (int i = 0; i < kLines; ++i) {
      out << "{\"message\":\"seq=" << i
          << " file=app0\",\"code\":" << (i % 10 == 0 ? "\"x\"" : std::to_string(i))
          << ",\"app\":\"" << (i % 10 == 5 ? "Bad" : "good") << "\"}\n";
    }
  }
  ASSERT_EQ(std::system((std::string(kKcatBinary) + " -P -b " + cluster.bootstrap() +
                         " -t spark -l " + (dir_ / "json.txt").string())
                            .c_str()),
            0);
  EsServer es(dir_ / "es");
  es.Command("mapping code long");
  auto collector =
      Run(Collector(cluster.bootstrap(), es.url(), "        index: 'logs-{{app}}'\n", "json"), "c");
  ASSERT_TRUE(AllSent(*collector, kLines, seconds(120)));
  EXPECT_EQ(es.Stat("docs"), kLines * 8 / 10);
  EXPECT_EQ(Metric(*collector, Series("sluice_elasticsearch_output_dead_letter_documents_total")),
            kLines * 2 / 10);
  EXPECT_EQ(Metric(*collector,
                   Series("sluice_component_discarded_events_total", ",reason=\"dead_letter\"")),
            kLines * 2 / 10);
  std::ifstream dlq(dir_ / "collector-data" / "dead_letter" / "c" / "elasticsearch.ndjson");
  int mapping = 0, index_name = 0, other = 0;
  std::set<int> seen;
  for (std::string line; std::getline(dlq, line);) {
    std::smatch m;
    ASSERT_TRUE(std::regex_search(line, m, std::regex("seq=(\\d+) ")));
    const int seq = std::stoi(m[1]);
    EXPECT_TRUE(seen.insert(seq).second) << "dead-lettered twice: " << line;
    if (line.find("document_parsing_exception") != std::string::npos &&
        line.find("failed to parse field [code] of type [long]") != std::string::npos &&
        line.find("\"destination\":\"logs-good\"") != std::string::npos) {
      EXPECT_EQ(seq % 10, 0) << line;
      ++mapping;
    } else if (line.find("invalid_index_name_exception") != std::string::npos &&
               line.find("must be lowercase") != std::string::npos) {
      EXPECT_EQ(seq % 10, 5) << line;
      ++index_name;
    } else {
      ++other;
      ADD_FAILURE() << line;
    }
  }
  EXPECT_EQ(mapping, kLines / 10);
  EXPECT_EQ(index_name, kLines / 10);
  EXPECT_EQ(other, 0);
  EXPECT_NE(collector->Stderr().find("refused for good"), std::string::npos);
  StopCleanly(*collector);
}

// The collector SIGKILLed mid-stream and restarted: what it had indexed without committing is
// read again from Kafka and overwrites the same documents (stable ids): none lost, none twice.
TEST_F(ElasticsearchTest, CollectorSigkilledMidStreamLosesAndDuplicatesNothing) {
  constexpr int kLines = 200000;
  auto cluster = Topic(4, kLines);
  EsServer es(dir_ / "es");
  std::string cfg = Collector(cluster->bootstrap(), es.url(), "");
  auto first = Run(cfg, "first");
  ASSERT_TRUE(WaitUntil([&] { return es.Stat("docs") >= kLines / 4; }, seconds(120)))
      << first->Stderr();
  first->Signal(SIGKILL);
  first->WaitFor(seconds(10));
  const int64_t at_kill = es.Stat("docs");
  EXPECT_LT(at_kill, kLines);
  auto second = Run(cfg, "second");
  ASSERT_TRUE(WaitUntil([&] { return es.Stat("docs") >= kLines; }, seconds(240)))
      << second->Stderr();
  ASSERT_TRUE(AllSent(*second, 1, seconds(10)));
  ExpectEachLineOnce(es, kLines);
  EXPECT_EQ(es.Stat("docs"), kLines);
  GTEST_LOG_(INFO) << "collector SIGKILL into Elasticsearch: " << at_kill
                   << " documents at the kill, " << es.Stat("updated")
                   << " replayed documents overwritten";
  StopCleanly(*second);
}

// A cluster that takes bulk requests and never answers (it would after 120 s; the output's timeout
// is 90 s) does not hold shutdown up: the drain gives up at shutdown_timeout, the process exits 4
// at once, and the events of the unanswered request, never acked, are indexed by the next run.
TEST_F(ElasticsearchTest, ShutdownWithARequestStuckInFlightExitsAndLosesNothing) {
  constexpr int kLines = 1000;
  auto cluster = Topic(1, kLines);
  EsServer es(dir_ / "es");
  es.Command("delay 1000 120000");
  std::string cfg = Collector(cluster->bootstrap(), es.url(), "        timeout: 90s\n", "raw",
                              "shutdown_timeout: 1s\n");
  auto first = Run(cfg, "first");
  ASSERT_TRUE(WaitUntil([&] { return es.Stat("bulk_requests") >= 1; }, seconds(60)))
      << first->Stderr();
  first->Signal(SIGTERM);
  // shutdown_timeout is 1 s: far from the request's 90 s timeout.
  EXPECT_EQ(first->WaitFor(seconds(30)), 4) << first->Stderr();
  // The drain names what it left unacked: the stuck request's events, in however many batches the
  // input happened to hand over (one or two on a loaded machine).
  EXPECT_TRUE(std::regex_search(
      first->Stderr(), std::regex("[1-9][0-9]* batches \\([1-9][0-9]* bytes\\) not acked")))
      << first->Stderr();
  es.Command("delay 0 0");
  auto second = Run(cfg, "second");
  ASSERT_TRUE(WaitUntil([&] { return es.Stat("docs") >= kLines; }, seconds(120)))
      << second->Stderr();
  ExpectEachLineOnceAndStop(es, *second, kLines);
}

// A replay with op_type create (a second consumer group reading the same topic again): every
// document is already there, so each 409 counts as done (a duplicate avoided), nothing is
// dead-lettered and the index holds each event once. The ingest pipeline is named on every request.
TEST_F(ElasticsearchTest, AReplayWithCreateCountsConflictsAsDone) {
  constexpr int kLines = 10000;
  auto cluster = Topic(2, kLines);
  EsServer es(dir_ / "es");
  const std::string extra = "        op_type: create\n        pipeline: spark-logs\n";
  auto first = Run(Collector(cluster->bootstrap(), es.url(), extra), "first");
  ASSERT_TRUE(AllSent(*first, kLines, seconds(120)));
  StopCleanly(*first);
  EXPECT_EQ(es.Stat("created"), kLines);
  // The same events again, as a new consumer group reads them.
  std::string cfg = (dir_ / "collector.yaml").string();
  std::string text = ReadFile(cfg);
  text.replace(text.find("group_id: es"), 12, "group_id: replay");
  std::ofstream(cfg) << text;
  auto second = Run(cfg, "second");
  ASSERT_TRUE(AllSent(*second, kLines, seconds(120)));
  EXPECT_EQ(Metric(*second, Series("sluice_elasticsearch_output_duplicates_total")), kLines);
  ExpectStats(es, {{"conflicts", kLines}, {"docs", kLines}, {"updated", 0}});
  EXPECT_EQ(es.Stat("pipelined"), es.Stat("bulk_requests"));
  EXPECT_FALSE(fs::exists(dir_ / "collector-data" / "dead_letter"));
  EXPECT_EQ(ReadyStatus(*second), 200);
  ExpectEachLineOnceAndStop(es, *second, kLines);
}

// Requests above the server's size limit get 413: they are split until they pass; a document
// too large on its own is dead-lettered. With op_type create, 409s of a replay count as done.
TEST_F(ElasticsearchTest, TooLargeRequestsAreSplitAndEveryEventIndexedOnce) {
  constexpr int kLines = 20000;
  auto cluster = Topic(1, kLines);
  EsServer es(dir_ / "es");
  es.Command("max_bytes 60000");
  auto collector = Run(Collector(cluster->bootstrap(), es.url(),
                                 "        op_type: create\n        compression: none\n"),
                       "c");
  ASSERT_TRUE(AllSent(*collector, kLines, seconds(120)));
  EXPECT_GT(es.Stat("too_large"), 0);
  EXPECT_GT(Metric(*collector, Series("sluice_elasticsearch_output_splits_total")), 0);
  ExpectStats(es, {{"docs", kLines}, {"conflicts", 0}});
  ExpectEachLineOnceAndStop(es, *collector, kLines);
}

// Wrong credentials and an unreachable host are clear errors with /ready 503 and nothing acked;
// the right credentials (API key) index everything; setup_template installs the shipped template.
TEST_F(ElasticsearchTest, CredentialsHostsAndTheIndexTemplate) {
  EsServer es(dir_ / "es", {"--api-key", "c2x1aWNlOnNlY3JldA=="});
  auto generate = [&](const std::string& name, const std::string& hosts, const std::string& extra) {
    return Run(Generated(name, 3000, 2, hosts, extra), name);
  };
  auto wrong = generate("wrong", es.url(), "        api_key: bm9wZQ==\n");
  ExpectStuckOn(*wrong, "HTTP 401: security_exception");
  EXPECT_NE(wrong->Stderr().find("check user and password, api_key or bearer_token"),
            std::string::npos);
  ExpectStuckOn(*generate("nowhere", "http://127.0.0.1:1", ""),
                "cannot reach Elasticsearch at http://127.0.0.1:1");
  EXPECT_EQ(es.Stat("docs"), 0);

  auto good = generate("good", es.url(),
                       "        api_key: c2x1aWNlOnNlY3JldA==\n        setup_template: true\n");
  EXPECT_EQ(good->WaitFor(seconds(60)), 0) << good->Stderr();
  EXPECT_EQ(es.Stat("docs"), 3000);
  std::ifstream shipped(fs::path(SLUICE_SOURCE_DIR) / "config" / "elasticsearch" /
                        "spark-logs-template.json");
  std::stringstream text;
  text << shipped.rdbuf();
  const int port = std::stoi(es.announced());
  auto r = HttpGet(port, "/_index_template/logs-spark",
                   {{"Authorization", "ApiKey c2x1aWNlOnNlY3JldA=="}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_NE(r->body.find(text.str()), std::string::npos) << r->body.substr(0, 300);
  EXPECT_NE(good->Stderr().find("installed the index template 'logs-spark'"), std::string::npos);
  r = HttpGet(port, "/logs-spark-*/_count", {{"Authorization", "ApiKey c2x1aWNlOnNlY3JldA=="}});
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("\"count\":3000"), std::string::npos) << r->body;
}

// Two hosts, one of them dead, and whole-request 503s from the live one: requests go round the
// hosts, the dead one rests, every 503 is retried; with a data stream (create) and basic
// authentication, every event is created once and none twice.
TEST_F(ElasticsearchTest, RequestsGoRoundTheHostsAndRideOutUnavailableAnswers) {
  constexpr int kLines = 20000;
  auto cluster = Topic(2, kLines);
  EsServer es(dir_ / "es", {"--auth", "sluice:s3cret"});
  es.Command("unavailable 6");
  std::string cfg = Collector(cluster->bootstrap(), es.url() + "', 'http://127.0.0.1:1",
                              "        data_stream: logs-spark-default\n"
                              "        user: sluice\n        password: s3cret\n"
                              "        max_backoff: 500ms\n");
  auto collector = Run(cfg, "c");
  ASSERT_TRUE(AllSent(*collector, kLines, seconds(120)));
  ExpectStats(es, {{"unavailable", 6}, {"docs", kLines}, {"created", kLines}, {"conflicts", 0}});
  EXPECT_GT(Metric(*collector, Retries("connection")), 0);
  EXPECT_GT(Metric(*collector, Retries("5xx")), 0);
  EXPECT_NE(collector->Stderr().find("cannot reach http://127.0.0.1:1"), std::string::npos);
  // Every document went to the data stream with `create`.
  std::string docs = es.Get("/_test/docs");
  EXPECT_EQ(std::count(docs.begin(), docs.end(), '\n'), kLines);
  size_t in_stream = 0;
  for (size_t at = 0;
       (at = docs.find("{\"_index\":\"logs-spark-default\",", at)) != std::string::npos; ++at) {
    ++in_stream;
  }
  EXPECT_EQ(in_stream, size_t{kLines}) << docs.substr(0, 200);
  ExpectEachLineOnceAndStop(es, *collector, kLines);
}

// Items refused because of the cluster's setup (403: the user may not write the index) are not
// the documents' fault: they are kept and sent again, the output unready meanwhile, and once the
// setup is fixed every event is indexed; nothing goes to the dead-letter file.
TEST_F(ElasticsearchTest, ItemsRefusedByTheSetupAreRetriedNotDeadLettered) {
  EsServer es(dir_ / "es");
  es.Command("item_error 1000000 403 security_exception");
  auto p = Run(Generated("p", 5000, 6, es.url(), "", "500ms"), "p");
  ASSERT_TRUE(WaitUntil([&] {
    return p->Stderr().find("refused documents with HTTP 403 security_exception") !=
           std::string::npos;
  })) << p->Stderr();
  EXPECT_NE(p->Stderr().find("check the user's privileges on the index"), std::string::npos);
  ASSERT_TRUE(WaitUntil([&] { return ReadyStatus(*p) == 503; })) << p->Stderr();
  EXPECT_LT(Sent(*p), 1);
  EXPECT_GT(Metric(*p, Retries("auth")), 0);
  es.Command("item_error 0 0 none");  // the privilege is granted
  EXPECT_EQ(p->WaitFor(seconds(60)), 0) << p->Stderr();
  EXPECT_EQ(es.Stat("docs"), 5000);
  EXPECT_FALSE(fs::exists(dir_ / "p-data" / "dead_letter" / "c" / "elasticsearch.ndjson"));
}

// TLS: an https node whose certificate a private CA signed, and that asks for a client
// certificate. Without ca_file the certificate is refused, without client_cert the handshake is;
// both are clear errors with /ready 503 and nothing acked. With both, everything is indexed.
TEST_F(ElasticsearchTest, TlsWithAPrivateCaAndAClientCertificate) {
  const fs::path tls = dir_ / "tls";
  fs::create_directories(tls);
  auto openssl = [&](const std::string& args) {
    std::string cmd = "cd " + tls.string() + " && openssl " + args + " >>openssl.log 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  };
  { std::ofstream(tls / "san.ext") << "subjectAltName=IP:127.0.0.1\n"; }
  openssl(
      "req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "
      "/CN=sluice-test-ca");
  for (const std::string name : {"server", "client"}) {
    openssl("req -newkey rsa:2048 -nodes -keyout " + name + ".key -out " + name +
            ".csr -subj /CN=127.0.0.1");
    openssl("x509 -req -in " + name +
            ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out " + name +
            ".pem -extfile san.ext");
  }
  EsServer es(dir_ / "es", {"--tls", (tls / "server.pem").string(), (tls / "server.key").string(),
                            "--client-ca", (tls / "ca.pem").string()});
  const std::string url = "https://127.0.0.1:" + es.announced();
  auto generate = [&](const std::string& name, const std::string& extra) {
    return Run(Generated(name, 2000, 4, url, extra), name);
  };
  auto no_ca = generate("no_ca", "");
  ExpectStuckOn(*no_ca, "cannot reach Elasticsearch at " + url);
  EXPECT_NE(no_ca->Stderr().find("certificate"), std::string::npos) << no_ca->Stderr();

  const std::string ca = "        ca_file: " + (tls / "ca.pem").string() + "\n";
  ExpectStuckOn(*generate("no_cert", ca), "cannot reach Elasticsearch at " + url);
  EXPECT_EQ(es.Stat("docs"), 0);

  auto good = generate("good", ca + "        client_cert: " + (tls / "client.pem").string() +
                                   "\n        client_key: " + (tls / "client.key").string() + "\n");
  EXPECT_EQ(good->WaitFor(seconds(60)), 0) << good->Stderr();
  EXPECT_EQ(es.Stat("docs"), 2000);
}

// A bearer token (OAuth2/JWT) is sent as `Authorization: Bearer ...`; a wrong one is a 401.
TEST_F(ElasticsearchTest, BearerTokens) {
  EsServer es(dir_ / "es", {"--bearer", "eyJhbGciOiJSUzI1NiJ9.sluice"});
  auto run = [&](const std::string& name, const std::string& token) {
    return Run(Generated(name, 500, 7, es.url(), "        bearer_token: " + token + "\n"), name);
  };
  ExpectStuckOn(*run("wrong", "nope"), "HTTP 401: security_exception");
  EXPECT_EQ(es.Stat("docs"), 0);
  auto good = run("good", "eyJhbGciOiJSUzI1NiJ9.sluice");
  EXPECT_EQ(good->WaitFor(seconds(60)), 0) << good->Stderr();
  EXPECT_EQ(es.Stat("docs"), 500);
}

// A literal index name Elasticsearch would refuse is a config error with its position.
TEST_F(ElasticsearchTest, AnInvalidIndexNameIsAConfigError) {
  std::string cfg = WriteConfig("bad",
                                "pipelines:\n  c:\n    inputs: [{type: generate, count: 1}]\n"
                                "    outputs:\n      - type: elasticsearch\n"
                                "        index: 'Logs-Spark-%Y'\n");
  Subprocess validate({SLUICE_BINARY, "validate", "-c", cfg}, dir_);
  EXPECT_NE(validate.WaitFor(seconds(10)), 0);
  EXPECT_NE(validate.Stderr().find("index names must be lowercase"), std::string::npos)
      << validate.Stderr();
  EXPECT_NE(validate.Stderr().find("bad.yaml:"), std::string::npos) << validate.Stderr();
}

}  // namespace
}  // namespace sluice::testing
