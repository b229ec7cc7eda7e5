// BulkRequest: one request to Elasticsearch's bulk API as the elasticsearch output builds and
// sends it: the NDJSON body (per event an action line, then the event's JSON) and, per action,
// where its two lines are in the body and the shared ack of the batch its event came from. The
// output fills a request (Write()); a sender sends it, and sends again only the items that must
// be retried (Subset()).
// Thread-safety: none; a request belongs to one thread at a time (the output's, then a sender's).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/delivery.h"

namespace sluice::outputs::elasticsearch {

struct BulkRequest {
  // One action: its line is body[begin, doc), the document body[doc, end) (with its '\n').
  struct Item {
    size_t begin;
    size_t doc;
    size_t end;
    SharedAck* ack;
    std::string_view action(const std::string& body) const {
      return std::string_view(body).substr(begin, doc - begin);
    }
    std::string_view document(const std::string& body) const {
      return std::string_view(body).substr(doc, end - doc - 1);
    }
  };
  std::string body;
  std::vector<Item> items;
  std::vector<std::shared_ptr<SharedAck>> acks;  // keeps the items' acks alive
  int attempt = 0;  // tries in a row that settled nothing (elasticsearch_retry.h)

  // A new request of the items `which` (indexes into `items`, in that order), with the same acks
  // and attempt count.
  std::unique_ptr<BulkRequest> Subset(const std::vector<size_t>& which) const;
};

// The index an action line names ({"index":{"_index":"NAME",...); "" when it names none.
std::string_view ActionIndex(std::string_view action);

}  // namespace sluice::outputs::elasticsearch
