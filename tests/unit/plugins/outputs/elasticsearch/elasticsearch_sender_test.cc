// The elasticsearch output's sender against a stand-in node: what each answer means for the items
// of a bulk request (acked as indexed or duplicate, dead-lettered, sent again), for a whole
// request that fails (sent again, or split on 413), and for a node that does not answer; how
// 429s lower the concurrency limit; and Deliver()'s splitting, per-item retries (prompt while each
// try settles some documents) and giving up at shutdown.
#include "plugins/outputs/elasticsearch/elasticsearch_sender.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "plugins/outputs/elasticsearch/elasticsearch_output.h"
#include "tests/unit/plugins/outputs/output_test.h"
#include "tests/unit/plugins/plugin_test_util.h"
#include "tests/unit/test_util.h"

namespace sluice::outputs::elasticsearch {
namespace {

// An Elasticsearch stand-in: answers each POST /_bulk with what the test's function returns for
// the request's body (HTTP status, response body); keeps the bodies it received.
class FakeNode {
 public:
  using AnswerFn = std::function<std::pair<int, std::string>(const std::string& body)>;

  FakeNode() {
    server_.Post("/_bulk", [this](const httplib::Request& req, httplib::Response& res) {
      AnswerFn answer;
      {
        std::lock_guard lock(mu_);
        bodies_.push_back(req.body);
        answer = answer_;
      }
      auto [status, body] = answer(req.body);
      res.status = status;
      res.set_content(body, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the loop runs would be lost (and join() would hang): wait for it.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeNode() {
    server_.stop();
    thread_.join();
  }

  void Answer(AnswerFn answer) {
    std::lock_guard lock(mu_);
    answer_ = std::move(answer);
  }
  void Answer(int status, std::string body) {
    Answer([status, body](const std::string&) { return std::make_pair(status, body); });
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> bodies() const {
    std::lock_guard lock(mu_);
    return bodies_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  AnswerFn answer_ = [](const std::string&) { return std::make_pair(500, std::string("unset")); };
  std::vector<std::string> bodies_;
};

// Actions in a bulk body (an action line and a document line each).
size_t Actions(const std::string& body) {
  return static_cast<size_t>(std::count(body.begin(), body.end(), '\n')) / 2;
}

// A bulk answer with one item per status: {"index":{"status":S}} or, with an error,
// {"index":{"status":S,"error":{"type":T,"reason":R}}}.
struct ItemAnswer {
  int status;
  std::string type;
  std::string reason;
};
std::string BulkAnswer(const std::vector<ItemAnswer>& items, const std::string& action = "index") {
  std::string out = R"({"took":3,"errors":)";
  const bool errors =
      std::any_of(items.begin(), items.end(), [](const ItemAnswer& i) { return i.status >= 300; });
  out += errors ? "true" : "false";
  out += R"(,"items":[)";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ",";
    out += R"({")" + action + R"(":{"_index":"logs","_id":")" + std::to_string(i) +
           R"(","status":)" + std::to_string(items[i].status);
    if (!items[i].type.empty()) {
      out +=
          R"(,"error":{"type":")" + items[i].type + R"(","reason":")" + items[i].reason + R"("})";
    }
    out += "}}";
  }
  return out + "]}";
}

// One document's ack, seen through a source tracker of its own.
class ItemAck {
 public:
  explicit ItemAck(ComponentMetrics* metrics) {
    auto delivery =
        std::make_shared<Delivery>(1, tracker_, tracker_->Begin(1), 0, nullptr, DeliveryCounters{});
    ack_ = std::make_shared<SharedAck>(AckHandle(delivery, metrics, 1, 1));
  }
  // "acked", "failed", or "pending" (not settled yet).
  std::string state() const {
    uint64_t checkpoint = 0;
    if (tracker_->committed(&checkpoint)) return "acked";
    return tracker_->stuck() ? "failed" : "pending";
  }
  const std::shared_ptr<SharedAck>& shared() const { return ack_; }

 private:
  std::shared_ptr<SourceTracker> tracker_ = std::make_shared<SourceTracker>("item", nullptr);
  std::shared_ptr<SharedAck> ack_;
};

// The output's enum options reach the senders: compression (gzip by default) and the bulk action
// (`create` for op_type create and for data streams).
TEST(ElasticsearchOutputOptionsTest, CompressionAndOpTypeReachTheSenders) {
  const struct {
    std::string yaml;
    bool gzip;
    bool create;
  } cases[] = {
      {"{}", true, false},
      {"{compression: none, op_type: index}", false, false},
      {"{op_type: create}", true, true},
      {"{data_stream: logs-spark-default}", true, true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.yaml);
    const SenderOptions s = ElasticsearchOutput::SenderOptionsFor(
        testing::ParseFilterOptions<ElasticsearchOutput>(c.yaml), "{}");
    EXPECT_EQ(s.gzip, c.gzip);
    EXPECT_EQ(s.create, c.create);
  }
  for (const auto& [yaml, error] : std::vector<std::pair<std::string, std::string>>{
           {"{op_type: upsert}", "op_type: expected one of index, create; got 'upsert'"},
           {"{compression: zstd}", "compression: expected one of gzip, none; got 'zstd'"},
       }) {
    const std::string errors = testing::OptionErrors<ElasticsearchOutput>(yaml);
    EXPECT_NE(errors.find(error), std::string::npos) << errors;
  }
}

// `concurrency` and `adaptive_concurrency` reach the senders' concurrency limit.
TEST(ElasticsearchOutputOptionsTest, ConcurrencyReachesTheSenders) {
  const struct {
    std::string yaml;
    int64_t concurrency;
    bool adaptive;
  } cases[] = {
      {"{}", 2, true},
      {"{concurrency: 8}", 8, true},
      {"{concurrency: 3, adaptive_concurrency: false}", 3, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.yaml);
    const SenderOptions s = ElasticsearchOutput::SenderOptionsFor(
        testing::ParseFilterOptions<ElasticsearchOutput>(c.yaml), "{}");
    EXPECT_EQ(s.concurrency, c.concurrency);
    EXPECT_EQ(s.adaptive_concurrency, c.adaptive);
  }
}

using Verdict = Sender::Verdict;

class ElasticsearchSenderTest : public testing::OutputTest {
 protected:
  void SetUp() override { MakeContext("sluice_es_sender"); }

  // The senders' context as the output makes it from its options (`extra`: more of them), with
  // `hosts` the stand-in (or `host` when given), uncompressed bodies, short backoffs (up to
  // `max_backoff`).
  std::unique_ptr<SenderContext> Context(const std::string& extra = "",
                                         const std::string& host = "",
                                         const std::string& max_backoff = "100ms") {
    auto options = testing::ParseFilterOptions<ElasticsearchOutput>(
        "{hosts: ['" + (host.empty() ? node_.url() : host) +
        "'], compression: none, max_backoff: " + max_backoff + extra + "}");
    return std::make_unique<SenderContext>(ElasticsearchOutput::SenderOptionsFor(options, "{}"),
                                           context_);
  }

  // A bulk request of `n` documents {"n":I} into index "logs", each with its own ack (acks_).
  std::unique_ptr<BulkRequest> Bulk(size_t n, const std::string& action = "index") {
    auto bulk = std::make_unique<BulkRequest>();
    acks_.clear();
    for (size_t i = 0; i < n; ++i) {
      acks_.push_back(std::make_unique<ItemAck>(&metrics_));
      bulk->acks.push_back(acks_.back()->shared());
      const size_t begin = bulk->body.size();
      bulk->body +=
          R"({")" + action + R"(":{"_index":"logs","_id":")" + std::to_string(i) + "\"}}\n";
      const size_t doc = bulk->body.size();
      bulk->body += R"({"n":)" + std::to_string(i) + "}\n";
      bulk->items.push_back(
          BulkRequest::Item{begin, doc, bulk->body.size(), acks_.back()->shared().get()});
    }
    return bulk;
  }
  // One Post() of a bulk request of `n` documents (`action`) by a sender of Context(extra, host),
  // and what it made of the answer.
  struct Posted {
    std::unique_ptr<SenderContext> context;
    std::unique_ptr<BulkRequest> bulk;
    Verdict verdict = Verdict::kDone;
    std::vector<size_t> retry = {7};  // Post() replaces it
    std::string why;
  };
  Posted Post(size_t n, const std::string& extra = "", const std::string& action = "index",
              const std::string& host = "") {
    Posted p{Context(extra, host), Bulk(n, action)};
    Sender sender(*p.context);
    p.verdict = sender.Post(*p.bulk, &p.retry, &p.why);
    return p;
  }
  // The state of every document's ack, in order.
  std::vector<std::string> AckStates() const {
    std::vector<std::string> out;
    for (const auto& a : acks_) out.push_back(a->state());
    return out;
  }

  uint64_t Count(const std::string& name) { return registry_.GetCounter(name, "", {}).value(); }
  int64_t LimitGauge() {
    return registry_.GetGauge("sluice_elasticsearch_output_concurrency_limit", "", {}).value();
  }
  uint64_t ConcurrencyDecreases(const std::string& reason) {
    return registry_
        .GetCounter("sluice_elasticsearch_output_concurrency_decreases_total", "",
                    {{"reason", reason}})
        .value();
  }
  uint64_t RetryWaitMs() {
    return Count("sluice_elasticsearch_output_retry_wait_milliseconds_total");
  }
  uint64_t Retries(const std::string& reason) {
    return registry_
        .GetCounter("sluice_elasticsearch_output_retries_total", "", {{"reason", reason}})
        .value();
  }
  std::string DeadLetters() { return testing::ReadFile(dir_ / "dead_letter/p/out.ndjson"); }

  FakeNode node_;
  std::vector<std::unique_ptr<ItemAck>> acks_;
};

TEST_F(ElasticsearchSenderTest, ItemsAreAckedDeadLetteredOrLeftToRetryByTheirStatus) {
  node_.Answer(
      200,
      BulkAnswer({
          {201, "", ""},
          {429, "es_rejected_execution_exception", "rejected execution"},
          {400, "document_parsing_exception", "[1:9] failed to parse field [code] of type [long]"},
          {200, "", ""},
          {503, "unavailable_shards_exception", "primary shard is not active"},
      }));
  Posted posted = Post(5);
  EXPECT_EQ(posted.verdict, Verdict::kRetry);
  EXPECT_EQ(posted.retry, (std::vector<size_t>{1, 4}));
  // Indexed and dead-lettered documents are done; those to retry are not settled.
  EXPECT_EQ(AckStates(),
            (std::vector<std::string>{"acked", "pending", "acked", "acked", "pending"}));
  EXPECT_EQ(Count("sluice_elasticsearch_output_indexed_total"), 2u);
  EXPECT_EQ(Count("sluice_elasticsearch_output_dead_letter_documents_total"), 1u);
  EXPECT_EQ(Count("sluice_elasticsearch_output_duplicates_total"), 0u);
  EXPECT_EQ(Count("sluice_elasticsearch_output_requests_total"), 1u);
  // The first item refused for now names the reason of all of them.
  EXPECT_EQ(Retries("429"), 2u);
  EXPECT_EQ(posted.why,
            "2 of 5 documents were refused for now (HTTP 429 es_rejected_execution_exception: "
            "rejected execution)");
  EXPECT_TRUE(posted.context->healthy.load());  // items refused for now: the cluster answers
  const std::string dead = DeadLetters();
  EXPECT_EQ(std::count(dead.begin(), dead.end(), '\n'), 1) << dead;
  EXPECT_NE(dead.find(R"("reason":"HTTP 400 document_parsing_exception: [1:9] failed to parse )"
                      R"(field [code] of type [long]","destination":"logs","event":{"n":2}})"),
            std::string::npos)
      << dead;
}

TEST_F(ElasticsearchSenderTest, AConflictOnCreateIsADuplicateAndOnIndexIsRefusedForGood) {
  // op_type create (and data streams, which always create): the document with that _id is there.
  for (const char* extra : {", op_type: create", ", data_stream: logs-spark-default"}) {
    SCOPED_TRACE(extra);
    node_.Answer(200, BulkAnswer({{409, "version_conflict_engine_exception",
                                   "[0]: version conflict, document already exists"},
                                  {201, "", ""}},
                                 "create"));
    const uint64_t duplicates = Count("sluice_elasticsearch_output_duplicates_total");
    Posted posted = Post(2, extra, "create");
    EXPECT_EQ(posted.verdict, Verdict::kDone);
    EXPECT_TRUE(posted.retry.empty());
    EXPECT_EQ(AckStates(), (std::vector<std::string>{"acked", "acked"}));
    EXPECT_EQ(Count("sluice_elasticsearch_output_duplicates_total"), duplicates + 1);
  }
  EXPECT_EQ(Count("sluice_elasticsearch_output_dead_letter_documents_total"), 0u);
  EXPECT_EQ(DeadLetters(), "");

  // op_type index never conflicts unless something else is wrong: kept, not retried.
  node_.Answer(200, BulkAnswer({{409, "version_conflict_engine_exception", "conflict"}}));
  EXPECT_EQ(Post(1).verdict, Verdict::kDone);
  EXPECT_EQ(AckStates(), (std::vector<std::string>{"acked"}));
  EXPECT_EQ(Count("sluice_elasticsearch_output_dead_letter_documents_total"), 1u);
  EXPECT_NE(DeadLetters().find("HTTP 409 version_conflict_engine_exception: conflict"),
            std::string::npos);
}

TEST_F(ElasticsearchSenderTest, ItemsTheSetupRefusesAreKeptAndMakeTheOutputUnhealthy) {
  node_.Answer(200,
               BulkAnswer({
                   {403, "security_exception",
                    "action [indices:data/write/bulk[s]] is "
                    "unauthorized for user [sluice]"},
                   {400, "illegal_argument_exception", "pipeline with id [spark] does not exist"},
                   {201, "", ""},
               }));
  Posted posted = Post(3);
  EXPECT_EQ(posted.verdict, Verdict::kRetry);
  EXPECT_EQ(posted.retry, (std::vector<size_t>{0, 1}));
  EXPECT_EQ(AckStates(), (std::vector<std::string>{"pending", "pending", "acked"}));
  EXPECT_FALSE(posted.context->healthy.load());
  EXPECT_EQ(Retries("auth"), 2u);  // named by the first refusal
  EXPECT_EQ(Count("sluice_elasticsearch_output_dead_letter_documents_total"), 0u);
  EXPECT_EQ(posted.why,
            node_.url() +
                " refused documents with HTTP 403 security_exception: action "
                "[indices:data/write/bulk[s]] is unauthorized for user [sluice] (check the "
                "user's privileges on the index, action.auto_create_index and the ingest "
                "pipeline)");
}

TEST_F(ElasticsearchSenderTest, AWholeRequestThatFailsIsSentAgainOrSplit) {
  struct Case {
    int status;
    std::string body;
    Verdict verdict;
    std::string retry_reason;  // "" when nothing is counted as retried
    std::string why;           // after "URL answered "
  };
  const std::vector<Case> cases = {
      {429, R"({"error":{"type":"es_rejected_execution_exception","reason":"queue full"}})",
       Verdict::kRetry, "429", "HTTP 429: es_rejected_execution_exception: queue full"},
      {500, R"({"error":{"type":"exception","reason":"boom"}})", Verdict::kRetry, "5xx",
       "HTTP 500: exception: boom"},
      {502, "Bad Gateway", Verdict::kRetry, "5xx", "HTTP 502: Bad Gateway"},
      {503, R"({"error":{"type":"cluster_block_exception","reason":"blocked"}})", Verdict::kRetry,
       "5xx", "HTTP 503: cluster_block_exception: blocked"},
      {408, "", Verdict::kRetry, "5xx", "HTTP 408"},
      {401, R"({"error":{"type":"security_exception","reason":"missing authentication"}})",
       Verdict::kRetry, "auth",
       "HTTP 401: security_exception: missing authentication (check user and password, api_key "
       "or bearer_token, and the user's privileges)"},
      {403, "forbidden", Verdict::kRetry, "auth",
       "HTTP 403: forbidden (check user and password, api_key or bearer_token, and the user's "
       "privileges)"},
      {404, "not found", Verdict::kRetry, "other",
       "HTTP 404: not found (check hosts: a proxy path?)"},
      {400, R"({"error":{"type":"illegal_argument_exception","reason":"bad header"}})",
       Verdict::kRetry, "other", "HTTP 400: illegal_argument_exception: bad header"},
      {413, "", Verdict::kSplit, "", "HTTP 413"},
      {200, "<html>proxy</html>", Verdict::kRetry, "other",
       "the bulk request with something else: the bulk response is not JSON"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.status);
    node_.Answer(c.status, c.body);
    const uint64_t retried = c.retry_reason.empty() ? 0 : Retries(c.retry_reason);
    Posted posted = Post(3);
    EXPECT_EQ(posted.verdict, c.verdict);
    EXPECT_TRUE(posted.retry.empty());  // the whole request, not some items
    EXPECT_EQ(AckStates(), (std::vector<std::string>{"pending", "pending", "pending"}));
    if (!c.retry_reason.empty()) {
      EXPECT_EQ(Retries(c.retry_reason), retried + 3);
    }
    EXPECT_FALSE(posted.context->healthy.load());
    EXPECT_TRUE(posted.why.starts_with(node_.url() + " answered " + c.why)) << posted.why;
  }
  EXPECT_EQ(Count("sluice_elasticsearch_output_indexed_total"), 0u);
  EXPECT_EQ(Count("sluice_elasticsearch_output_dead_letter_documents_total"), 0u);
}

TEST_F(ElasticsearchSenderTest, ANodeThatDoesNotAnswerIsRetried) {
  const std::string closed = "http://127.0.0.1:1";  // tcpmux: nothing listens there
  Posted posted = Post(2, "", "index", closed);
  EXPECT_EQ(posted.verdict, Verdict::kRetry);
  EXPECT_TRUE(posted.retry.empty());
  EXPECT_EQ(AckStates(), (std::vector<std::string>{"pending", "pending"}));
  EXPECT_EQ(Retries("connection"), 2u);
  EXPECT_FALSE(posted.context->healthy.load());
  EXPECT_TRUE(posted.why.starts_with("cannot reach " + closed + ": ")) << posted.why;
}

TEST_F(ElasticsearchSenderTest, DeliverSplitsOn413DownToTheDocumentThatIsTooLarge) {
  // Takes one document at a time, and never document 2.
  node_.Answer([](const std::string& body) {
    if (Actions(body) > 1 || body.find(R"({"n":2})") != std::string::npos) {
      return std::make_pair(413, std::string());
    }
    return std::make_pair(200, BulkAnswer({{201, "", ""}}));
  });
  auto context = Context();
  Sender sender(*context);
  sender.Deliver(Bulk(4));
  // [0 1 2 3] -> [0 1] -> [0] [1]; [2 3] -> [2] (dead-lettered) [3].
  EXPECT_EQ(AckStates(), (std::vector<std::string>{"acked", "acked", "acked", "acked"}));
  EXPECT_EQ(Count("sluice_elasticsearch_output_splits_total"), 3u);
  EXPECT_EQ(Count("sluice_elasticsearch_output_indexed_total"), 3u);
  EXPECT_EQ(Count("sluice_elasticsearch_output_requests_total"), 7u);
  EXPECT_EQ(Count("sluice_elasticsearch_output_dead_letter_documents_total"), 1u);
  EXPECT_NE(
      DeadLetters().find(R"x("reason":"HTTP 413: the document is larger than the cluster accepts )x"
                         R"x((http.max_content_length)","destination":"logs","event":{"n":2}})x"),
      std::string::npos)
      << DeadLetters();
}

TEST_F(ElasticsearchSenderTest, DeliverSendsAgainOnlyTheItemsRefusedForNow) {
  node_.Answer([this](const std::string&) {
    return node_.bodies().size() == 1
               ? std::make_pair(200, BulkAnswer({{201, "", ""},
                                                 {429, "es_rejected_execution_exception", "full"},
                                                 {201, "", ""}}))
               : std::make_pair(200, BulkAnswer({{201, "", ""}}));
  });
  auto context = Context();
  Sender sender(*context);
  sender.Deliver(Bulk(3));
  EXPECT_EQ(AckStates(), (std::vector<std::string>{"acked", "acked", "acked"}));
  const std::vector<std::string> bodies = node_.bodies();
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(bodies[1], "{\"index\":{\"_index\":\"logs\",\"_id\":\"1\"}}\n{\"n\":1}\n");
  EXPECT_EQ(Retries("429"), 1u);
  EXPECT_EQ(Count("sluice_elasticsearch_output_indexed_total"), 3u);
  // The try settled two of three documents: the third went again after the first step (50 to
  // 100 ms), not after a dead sink's backoff.
  EXPECT_GE(RetryWaitMs(), 50u);
  EXPECT_LE(RetryWaitMs(), 100u);
}

TEST_F(ElasticsearchSenderTest, DeliverRetriesPromptlyWhileEachTrySettlesSomeDocuments) {
  // Of each request of several documents, only the first is indexed (the others get 429); a
  // request of one document is refused twice, then indexed.
  node_.Answer([this](const std::string& body) {
    const size_t n = Actions(body);
    std::vector<ItemAnswer> items(n, {429, "es_rejected_execution_exception", "full"});
    if (n > 1 || node_.bodies().size() >= 6) items[0] = {201, "", ""};
    return std::make_pair(200, BulkAnswer(items));
  });
  auto context = Context("", "", "5s");
  Sender sender(*context);
  sender.Deliver(Bulk(4));
  EXPECT_EQ(AckStates(), (std::vector<std::string>{"acked", "acked", "acked", "acked"}));
  // [0 1 2 3] [1 2 3] [2 3]: progress, 50 to 100 ms each; [3] refused: 100 to 200 ms, [3]
  // refused again: 200 to 400 ms; [3] indexed.
  EXPECT_EQ(node_.bodies().size(), 6u);
  EXPECT_EQ(Retries("429"), 3u + 2u + 1u + 1u + 1u);
  EXPECT_GE(RetryWaitMs(), 3u * 50 + 100 + 200);
  EXPECT_LE(RetryWaitMs(), 3u * 100 + 200 + 400);
}

TEST_F(ElasticsearchSenderTest, A429LowersTheConcurrencyLimitUnlessItIsFixed) {
  const std::string refused_item =
      BulkAnswer({{201, "", ""}, {429, "es_rejected_execution_exception", "full"}});
  node_.Answer(200, refused_item);
  Posted posted = Post(2, ", concurrency: 4");
  EXPECT_EQ(posted.verdict, Verdict::kRetry);
  EXPECT_EQ(posted.context->concurrency.limit(), 3);  // 4 × 0.9, rounded down
  EXPECT_EQ(LimitGauge(), 3);
  EXPECT_EQ(ConcurrencyDecreases("429"), 1u);

  // A whole request refused with 429 too.
  node_.Answer(429, R"({"error":{"type":"es_rejected_execution_exception","reason":"full"}})");
  posted = Post(2, ", concurrency: 4");
  EXPECT_EQ(posted.context->concurrency.limit(), 3);
  EXPECT_EQ(ConcurrencyDecreases("429"), 2u);

  // Other failures say nothing of the cluster's load.
  node_.Answer(503, R"({"error":{"type":"cluster_block_exception","reason":"blocked"}})");
  posted = Post(2, ", concurrency: 4");
  EXPECT_EQ(posted.context->concurrency.limit(), 4);
  EXPECT_EQ(LimitGauge(), 4);

  // Fixed: the limit stays at `concurrency`.
  node_.Answer(200, refused_item);
  posted = Post(2, ", concurrency: 4, adaptive_concurrency: false");
  EXPECT_EQ(posted.context->concurrency.limit(), 4);
  EXPECT_EQ(LimitGauge(), 4);
  EXPECT_EQ(ConcurrencyDecreases("429"), 2u);
  EXPECT_EQ(posted.context->concurrency.in_flight(), 0);
}

TEST_F(ElasticsearchSenderTest, DeliverRetriesUntilTheOutputGivesUpThenFailsTheRest) {
  node_.Answer(503, R"({"error":{"type":"master_not_discovered_exception","reason":"none"}})");
  auto context = Context();
  Sender sender(*context);
  auto bulk = Bulk(2);
  std::thread delivering([&] { sender.Deliver(std::move(bulk)); });
  EXPECT_TRUE(testing::WaitUntil([&] { return node_.bodies().size() >= 3; }));
  EXPECT_EQ(AckStates(), (std::vector<std::string>{"pending", "pending"}));
  context->GiveUp();
  delivering.join();
  // Not acked: read again after a restart.
  EXPECT_EQ(AckStates(), (std::vector<std::string>{"failed", "failed"}));
  EXPECT_GE(Retries("5xx"), 6u);
}

}  // namespace
}  // namespace sluice::outputs::elasticsearch
