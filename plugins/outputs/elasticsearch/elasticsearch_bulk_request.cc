#include "plugins/outputs/elasticsearch/elasticsearch_bulk_request.h"

namespace sluice::outputs::elasticsearch {

std::unique_ptr<BulkRequest> BulkRequest::Subset(const std::vector<size_t>& which) const {
  auto out = std::make_unique<BulkRequest>();
  out->acks = acks;
  out->attempt = attempt;
  for (size_t i : which) {
    const Item& it = items[i];
    size_t at = out->body.size();
    out->body.append(body, it.begin, it.end - it.begin);
    out->items.push_back(Item{at, at + (it.doc - it.begin), at + (it.end - it.begin), it.ack});
  }
  return out;
}

std::string_view ActionIndex(std::string_view action) {
  constexpr std::string_view kKey = "\"_index\":\"";
  size_t begin = action.find(kKey);
  if (begin == std::string_view::npos) return {};
  begin += kKey.size();
  size_t end = action.find('"', begin);
  return action.substr(begin, end == std::string_view::npos ? 0 : end - begin);
}

}  // namespace sluice::outputs::elasticsearch
