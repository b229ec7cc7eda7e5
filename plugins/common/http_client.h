// HttpClient: one libcurl easy handle (kept-alive connections) for the S3 and Elasticsearch
// outputs and the AWS credential providers. Requests carry their body in memory: libcurl's SigV4
// signing (CURLOPT_AWS_SIGV4) hashes the payload only when it is given as CURLOPT_POSTFIELDS, so
// even a PUT's body is passed that way. Thread-safety: one client per thread.
#pragma once

#include <curl/curl.h>

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::common {

struct HttpRequest {
  std::string method = "GET";  // GET, PUT, POST, DELETE, HEAD
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string_view body;
  // SigV4 signing: libcurl's `aws:amz:REGION:SERVICE` provider string, and "KEY:SECRET".
  std::string sigv4;
  std::string credentials;
};

struct HttpResponse {
  long status = 0;    // 0: no HTTP answer (see error)
  std::string error;  // transport error (connection refused, timeout, TLS)
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  double seconds = 0;                          // time the request took
};

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds timeout{60000};
  std::string ca_file;
  std::string client_cert;  // PEM certificate and key for TLS client authentication
  std::string client_key;
  bool verify = true;
  // HTTP basic authentication on every request (empty: none).
  std::string username;
  std::string password;
  // When set: a request in progress stops (within about a second) once it becomes true, with the
  // error "aborted" (an output giving up at shutdown does not wait out `timeout`).
  const std::atomic<bool>* abort = nullptr;
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResponse Send(const HttpRequest& request);

 private:
  HttpClientOptions options_;
  CURL* curl_;
};

// Percent-encodes `s` as SigV4 canonical URIs and query strings want (RFC 3986 unreserved kept;
// '/' kept when `keep_slash`).
std::string UriEncode(std::string_view s, bool keep_slash);

}  // namespace sluice::common
