#include "pipeline/delivery.h"

#include "pipeline/clock.h"

namespace sluice {

void Delivery::Settle(bool acked) {
  if (!acked) failed_.store(true);
  if (pending_.fetch_sub(1) != 1) return;
  if (failed_.load()) {
    if (source_) source_->Fail(seq_);
    if (counters_.failed_batches) counters_.failed_batches->Add();
  } else {
    if (source_) source_->Complete(seq_);
    if (counters_.acked_batches) counters_.acked_batches->Add();
    if (counters_.ack_seconds != nullptr && emitted_ns_ != 0) {
      counters_.ack_seconds->Observe(static_cast<double>(MonoNs() - emitted_ns_) / 1e9);
    }
  }
  if (limiter_) limiter_->Release(bytes_);
  if (on_settled_) on_settled_(!failed_.load());
}

void AckHandle::Ack() {
  if (!delivery_) return;
  if (output_) {
    output_->sent_events.Add(events_);
    output_->sent_bytes.Add(bytes_);
  }
  std::shared_ptr<Delivery> d = std::move(delivery_);
  d->Settle(true);
}

void AckHandle::Fail() {
  if (!delivery_) return;
  if (output_) output_->errors.Add();
  std::shared_ptr<Delivery> d = std::move(delivery_);
  d->Settle(false);
}

}  // namespace sluice
