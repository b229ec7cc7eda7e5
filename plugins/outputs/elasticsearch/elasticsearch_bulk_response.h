// The elasticsearch output's reading of bulk responses. ParseBulkResponse reads Elasticsearch's
// answer to a POST /_bulk: one result per action, in the order of the request
// (https://www.elastic.co/guide/en/elasticsearch/reference/current/
// docs-bulk.html#bulk-api-response-body). Every item's status is read; the error details only
// of the items that failed. ClassifyBulkItem says what an item's result means for the output.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/status.h"

namespace sluice::outputs::elasticsearch {

struct BulkItemResult {
  int status = 0;      // the item's HTTP status (201 created, 200 updated, 409, 429, 400...)
  std::string type;    // error.type, when it failed
  std::string reason;  // error.reason (with caused_by's reason appended), when it failed
};

// What an item's result means for the output.
enum class BulkItemOutcome {
  kIndexed,    // 2xx
  kDuplicate,  // 409 on `create`: the document (same _id) is already there
  kRetry,      // 429 (queue full), 5xx: send it again later
  kBlocked,    // the cluster's setup refuses it (401/403 privileges, 404 no such index with
               // auto-create off, a missing ingest pipeline): send it again once that is fixed
  kRejected,   // other 4xx (mapping/parse errors, invalid index name): never succeeds as is
};
BulkItemOutcome ClassifyBulkItem(const BulkItemResult& result, bool create);

// Fills `items` with `expected` results. An error when `body` is not a bulk response or holds
// another number of items.
Status ParseBulkResponse(std::string_view body, size_t expected,
                         std::vector<BulkItemResult>* items);

// The `error.type: error.reason` of an Elasticsearch error body (a whole-request failure), or
// the body's first 200 bytes when it is not one.
std::string DescribeErrorBody(std::string_view body);

}  // namespace sluice::outputs::elasticsearch
