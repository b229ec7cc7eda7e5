#include "plugins/outputs/elasticsearch/elasticsearch_bulk_response.h"

#include <simdjson.h>

#include <fmt/format.h>

namespace sluice::outputs::elasticsearch {

namespace {

// error.reason, plus caused_by.reason when there is one (mapping errors put the detail there).
std::string Reason(simdjson::dom::element error) {
  std::string out;
  std::string_view text;
  if (error["reason"].get(text) == simdjson::SUCCESS) out = std::string(text);
  simdjson::dom::element cause;
  if (error["caused_by"].get(cause) == simdjson::SUCCESS &&
      cause["reason"].get(text) == simdjson::SUCCESS && !text.empty()) {
    out += out.empty() ? "" : ": ";
    out += text;
  }
  return out;
}

}  // namespace

BulkItemOutcome ClassifyBulkItem(const BulkItemResult& r, bool create) {
  if (r.status >= 200 && r.status < 300) return BulkItemOutcome::kIndexed;
  if (r.status == 409 && create) return BulkItemOutcome::kDuplicate;
  if (r.status == 429 || r.status >= 500) return BulkItemOutcome::kRetry;
  if (r.status == 401 || r.status == 403 || r.status == 404) return BulkItemOutcome::kBlocked;
  if (r.reason.find("pipeline with id") != std::string::npos) return BulkItemOutcome::kBlocked;
  return BulkItemOutcome::kRejected;
}

Status ParseBulkResponse(std::string_view body, size_t expected,
                         std::vector<BulkItemResult>* items) {
  items->assign(expected, BulkItemResult{});
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(body.data(), body.size()).get(doc); err != simdjson::SUCCESS) {
    return InvalidArgument(
        fmt::format("the bulk response is not JSON ({})", simdjson::error_message(err)));
  }
  bool errors = true;
  if (doc["errors"].get(errors) != simdjson::SUCCESS) {
    return InvalidArgument("the bulk response has no `errors` field");
  }
  simdjson::dom::array array;
  if (doc["items"].get(array) != simdjson::SUCCESS) {
    return InvalidArgument("the bulk response has no `items` array");
  }
  if (array.size() != expected) {
    return InvalidArgument(
        fmt::format("the bulk response has {} items for {} actions", array.size(), expected));
  }
  size_t i = 0;
  for (simdjson::dom::element entry : array) {
    BulkItemResult& r = (*items)[i++];
    simdjson::dom::object wrapper;
    if (entry.get(wrapper) != simdjson::SUCCESS || wrapper.size() != 1) {
      return InvalidArgument(fmt::format("bulk item {} is not {{\"<action>\": {{...}}}}", i));
    }
    simdjson::dom::element result = (*wrapper.begin()).value;
    int64_t status = 0;
    if (result["status"].get(status) != simdjson::SUCCESS) {
      return InvalidArgument(fmt::format("bulk item {} has no status", i));
    }
    r.status = static_cast<int>(status);
    if (!errors || (status >= 200 && status < 300)) continue;
    simdjson::dom::element error;
    if (result["error"].get(error) == simdjson::SUCCESS) {
      std::string_view type;
      if (error["type"].get(type) == simdjson::SUCCESS) r.type = std::string(type);
      r.reason = Reason(error);
    }
  }
  return Status::Ok();
}

std::string DescribeErrorBody(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc, error;
  if (parser.parse(body.data(), body.size()).get(doc) == simdjson::SUCCESS &&
      doc["error"].get(error) == simdjson::SUCCESS) {
    std::string_view type;
    if (error.is_string()) return std::string(error.get_string().value());
    if (error["type"].get(type) == simdjson::SUCCESS) {
      return fmt::format("{}: {}", type, Reason(error));
    }
  }
  return std::string(body.substr(0, 200));
}

}  // namespace sluice::outputs::elasticsearch
