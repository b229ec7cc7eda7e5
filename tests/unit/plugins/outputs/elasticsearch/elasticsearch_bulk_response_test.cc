// Reading Elasticsearch's bulk answers: statuses in order, error details, what each status means.
#include "plugins/outputs/elasticsearch/elasticsearch_bulk_response.h"

#include <gtest/gtest.h>

namespace sluice::outputs::elasticsearch {
namespace {

TEST(BulkResponseTest, ReadsEveryItemsStatusAndTheErrorsOfTheFailedOnes) {
  // As Elasticsearch 8 answers: a created item, a 429, a mapping error with its cause, a 409.
  const std::string body = R"({"took":3,"errors":true,"items":[
    {"index":{"_index":"a","_id":"1","_version":1,"result":"created","status":201}},
    {"index":{"_index":"a","_id":"2","status":429,"error":{"type":"es_rejected_execution_exception","reason":"rejected execution"}}},
    {"index":{"_index":"a","_id":"3","status":400,"error":{"type":"document_parsing_exception","reason":"[1:9] failed to parse field [code] of type [long]","caused_by":{"type":"illegal_argument_exception","reason":"For input string: \"x\""}}}},
    {"create":{"_index":"a","_id":"4","status":409,"error":{"type":"version_conflict_engine_exception","reason":"document already exists"}}}]})";
  std::vector<BulkItemResult> items;
  ASSERT_TRUE(ParseBulkResponse(body, 4, &items).ok());
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items[0].status, 201);
  EXPECT_TRUE(items[0].type.empty());
  EXPECT_EQ(items[1].status, 429);
  EXPECT_EQ(items[1].type, "es_rejected_execution_exception");
  EXPECT_EQ(items[2].status, 400);
  EXPECT_EQ(items[2].reason,
            "[1:9] failed to parse field [code] of type [long]: For input string: \"x\"");
  EXPECT_EQ(items[3].status, 409);
}

TEST(BulkResponseTest, AnAnswerThatDoesNotMatchTheRequestIsAnError) {
  std::vector<BulkItemResult> items;
  EXPECT_FALSE(ParseBulkResponse("<html>bad gateway</html>", 1, &items).ok());
  EXPECT_FALSE(ParseBulkResponse(R"({"took":1,"items":[]})", 0, &items).ok());  // no `errors`
  Status s = ParseBulkResponse(R"({"took":1,"errors":false,"items":[{"index":{"status":201}}]})", 2,
                               &items);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("1 items for 2 actions"), std::string::npos) << s.message();
  EXPECT_FALSE(ParseBulkResponse(R"({"errors":true,"items":[{"index":{}}]})", 1, &items).ok());
}

TEST(BulkResponseTest, ResultsMeanIndexedDuplicateRetryBlockedOrRejected) {
  auto outcome = [](int status, bool create, std::string reason = "") {
    return ClassifyBulkItem(BulkItemResult{status, "", std::move(reason)}, create);
  };
  EXPECT_EQ(outcome(201, false), BulkItemOutcome::kIndexed);
  EXPECT_EQ(outcome(200, false), BulkItemOutcome::kIndexed);
  EXPECT_EQ(outcome(409, true), BulkItemOutcome::kDuplicate);
  EXPECT_EQ(outcome(409, false), BulkItemOutcome::kRejected);  // index never conflicts
  EXPECT_EQ(outcome(429, false), BulkItemOutcome::kRetry);
  EXPECT_EQ(outcome(503, true), BulkItemOutcome::kRetry);
  // The setup's fault, not the document's: kept until it is fixed.
  EXPECT_EQ(outcome(403, false), BulkItemOutcome::kBlocked);
  EXPECT_EQ(outcome(404, false), BulkItemOutcome::kBlocked);  // index_not_found_exception
  EXPECT_EQ(outcome(400, false, "pipeline with id [spark] does not exist"),
            BulkItemOutcome::kBlocked);
  EXPECT_EQ(outcome(400, false, "failed to parse field [code] of type [long]"),
            BulkItemOutcome::kRejected);
}
TEST(BulkResponseTest, DescribesErrorBodies) {
  EXPECT_EQ(
      DescribeErrorBody(
          R"({"error":{"type":"security_exception","reason":"missing authentication"},"status":401})"),
      "security_exception: missing authentication");
  EXPECT_EQ(DescribeErrorBody(R"({"error":"Incorrect HTTP method","status":405})"),
            "Incorrect HTTP method");
  EXPECT_EQ(DescribeErrorBody("Bad Gateway"), "Bad Gateway");
}

}  // namespace
}  // namespace sluice::outputs::elasticsearch
