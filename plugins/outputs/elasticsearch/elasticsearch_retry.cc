#include "plugins/outputs/elasticsearch/elasticsearch_retry.h"

#include "plugins/common/backoff.h"

namespace sluice::outputs::elasticsearch {

int64_t RetryWaitMs(bool progress, int* attempt, int64_t max_backoff_ms, std::mt19937_64& random) {
  *attempt = progress ? 0 : *attempt + 1;
  return common::JitteredBackoffMs(*attempt, kInitialBackoffMs, max_backoff_ms, random);
}

}  // namespace sluice::outputs::elasticsearch
