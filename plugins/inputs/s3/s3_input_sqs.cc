#include "plugins/inputs/s3/s3_input_sqs.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>

namespace sluice::inputs::s3 {
namespace {

// application/x-www-form-urlencoded as S3 writes object keys in notifications.
std::string FormDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() &&
               std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool ParseRecords(simdjson::dom::element doc, std::vector<S3Notification>* out, int depth) {
  simdjson::dom::array records;
  if (doc["Records"].get(records) == simdjson::SUCCESS) {
    for (simdjson::dom::element r : records) {
      std::string_view event, bucket, key, etag;
      if (r["eventName"].get(event) != simdjson::SUCCESS) return false;
      if (!event.starts_with("ObjectCreated")) continue;
      if (r["s3"]["bucket"]["name"].get(bucket) || r["s3"]["object"]["key"].get(key)) return false;
      S3Notification n{.bucket = std::string(bucket), .key = FormDecode(key)};
      if (r["s3"]["object"]["eTag"].get(etag) == simdjson::SUCCESS) n.etag = std::string(etag);
      uint64_t size = 0;
      if (r["s3"]["object"]["size"].get(size) == simdjson::SUCCESS) n.size = size;
      out->push_back(std::move(n));
    }
    return true;
  }
  std::string_view test_event;
  if (doc["Event"].get(test_event) == simdjson::SUCCESS && test_event == "s3:TestEvent") {
    return true;
  }
  std::string_view wrapped;  // SNS: the S3 notification is the `Message` string
  if (depth == 0 && doc["Message"].get(wrapped) == simdjson::SUCCESS) {
    simdjson::dom::parser inner;
    simdjson::dom::element message;
    if (inner.parse(std::string(wrapped)).get(message) != simdjson::SUCCESS) return false;
    return ParseRecords(message, out, depth + 1);
  }
  return false;
}

}  // namespace

SqsQueue::SqsQueue(std::string queue_url, std::string region, common::HttpClientOptions http,
                   common::AwsCredentialsChain* credentials)
    : url_(std::move(queue_url)),
      region_(std::move(region)),
      credentials_(credentials),
      http_(std::move(http)) {}

common::S3Result SqsQueue::Call(const std::string& params, std::string* body) {
  common::S3Result result;
  auto creds = credentials_->Get();
  if (!creds.ok()) {
    result.code = "NoCredentials";
    result.message = creds.status().message();
    return result;
  }
  const common::AwsCredentials& c = creds.value();
  const std::string form = params + "&Version=2012-11-05";
  common::HttpRequest request;
  request.method = "POST";
  request.url = url_;
  request.body = form;
  request.sigv4 = fmt::format("aws:amz:{}:sqs", region_);
  request.credentials = c.access_key_id + ":" + c.secret_access_key;
  request.headers.push_back("Content-Type: application/x-www-form-urlencoded");
  if (!c.session_token.empty())
    request.headers.push_back("x-amz-security-token: " + c.session_token);
  common::HttpResponse r = http_.Send(request);
  result.status = r.status;
  result.seconds = r.seconds;
  if (r.status == 0) {
    result.message = r.error;
  } else if (!result.ok()) {
    result.code = common::XmlTag(r.body, "Code").value_or("");
    result.message = common::XmlTag(r.body, "Message").value_or(r.body.substr(0, 200));
  } else if (body != nullptr) {
    *body = std::move(r.body);
  }
  return result;
}

common::S3Result SqsQueue::Check() {
  return Call("Action=GetQueueAttributes&AttributeName.1=QueueArn", nullptr);
}

common::S3Result SqsQueue::Receive(int wait_seconds, std::vector<SqsMessage>* out) {
  out->clear();
  std::string body;
  common::S3Result r = Call(fmt::format("Action=ReceiveMessage&MaxNumberOfMessages=10&"
                                        "WaitTimeSeconds={}",
                                        std::clamp(wait_seconds, 0, 20)),
                            &body);
  if (!r.ok()) return r;
  for (size_t at = body.find("<Message>"); at != std::string::npos;
       at = body.find("<Message>", at)) {
    const size_t end = body.find("</Message>", at);
    if (end == std::string::npos) break;
    const std::string_view block = std::string_view(body).substr(at, end - at);
    out->push_back({common::XmlTag(block, "ReceiptHandle").value_or(""),
                    common::XmlTag(block, "Body").value_or("")});
    at = end;
  }
  return r;
}

common::S3Result SqsQueue::Delete(const std::string& receipt_handle) {
  return Call("Action=DeleteMessage&ReceiptHandle=" + common::UriEncode(receipt_handle, false),
              nullptr);
}

bool SqsQueue::ParseNotification(std::string_view body, std::vector<S3Notification>* out) {
  out->clear();
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(std::string(body)).get(doc) != simdjson::SUCCESS) return false;
  return ParseRecords(doc, out, 0);
}

}  // namespace sluice::inputs::s3
