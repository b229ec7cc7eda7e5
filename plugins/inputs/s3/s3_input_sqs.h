// s3 input, part 2: S3 event notifications through SQS (option `sqs_queue_url`): between listings
// the input long-polls the queue, reads the objects the notifications name as soon as they come,
// and deletes each message once its objects are read. Listing every `poll_interval` stays the
// safety net (a lost or expired message delays an object, never skips it).
// The SQS query API (ReceiveMessage, DeleteMessage, GetQueueAttributes), signed with SigV4 by
// libcurl. Message bodies: S3's own event notifications, also wrapped in an SNS notification.
// Thread-safety: one queue per thread (it owns one libcurl handle).
#pragma once

#include <atomic>
#include <string>
#include <string_view>
#include <vector>

#include "plugins/common/aws/aws_credentials.h"
#include "plugins/common/aws/s3_client.h"
#include "plugins/common/http_client.h"

namespace sluice::inputs::s3 {

struct SqsMessage {
  std::string receipt_handle;
  std::string body;
};

// One object an S3 event notification says was created.
struct S3Notification {
  std::string bucket;
  std::string key;  // decoded (S3 sends it form-encoded)
  std::string etag;
  uint64_t size = 0;
};

class SqsQueue {
 public:
  SqsQueue(std::string queue_url, std::string region, common::HttpClientOptions http,
           common::AwsCredentialsChain* credentials);

  // Whether the queue exists and may be read: GetQueueAttributes.
  common::S3Result Check();
  // Waits up to `wait_seconds` (at most 20) for at most 10 messages.
  common::S3Result Receive(int wait_seconds, std::vector<SqsMessage>* out);
  common::S3Result Delete(const std::string& receipt_handle);

  // The objects created according to a message body: S3's event notification (`Records`), or one
  // wrapped in an SNS notification (`Message`). S3's test event gives none. False when the body
  // is none of these.
  static bool ParseNotification(std::string_view body, std::vector<S3Notification>* out);

 private:
  // POSTs the form `params` (already encoded, `Action=...&...`) to the queue.
  common::S3Result Call(const std::string& params, std::string* body);

  const std::string url_;
  const std::string region_;
  common::AwsCredentialsChain* credentials_;
  common::HttpClient http_;
};

}  // namespace sluice::inputs::s3
