// http_fault_proxy: an HTTP proxy on 127.0.0.1 for fault tests. It forwards every request to
// an upstream server (an S3 or Elasticsearch stand-in) unchanged, and on command answers some
// requests itself or holds them back first. Runs until its stdin closes.
//
//   http_fault_proxy UPSTREAM_HOST UPSTREAM_PORT
//
// Prints `port=N` once it listens. Then it reads commands, one per line, from stdin, and answers
// each with `ok N` (N counts the commands) on stdout:
//   fail COUNT STATUS CODE   the next COUNT requests are answered with HTTP STATUS and an
//                            S3-style error body <Error><Code>CODE</Code>...</Error>
//                            (e.g. `fail 5 503 SlowDown`, `fail 3 500 InternalError`)
//   delay COUNT MS           the next COUNT requests are forwarded after MS milliseconds
//   stats                    answers `ok N forwarded=F failed=X delayed=D max_puts=P`, P the most
//                            PUT requests that were in flight at once
// A `fail` or `delay` command replaces the one of its kind before it.
// Exit status: 0 when stdin closes, 2 on bad arguments, 1 when it cannot listen.

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

namespace {

struct Faults {
  std::mutex mu;
  int fail_left = 0;
  int fail_status = 500;
  std::string fail_code;
  int delay_left = 0;
  int delay_ms = 0;
  std::atomic<uint64_t> forwarded{0}, failed{0}, delayed{0};
  std::atomic<int> puts{0}, max_puts{0};  // PUTs in flight, and the most at once
};

// Counts a PUT in flight for as long as it lives.
class PutInFlight {
 public:
  PutInFlight(Faults& faults, const std::string& method)
      : faults_(method == "PUT" ? &faults : nullptr) {
    if (faults_ == nullptr) return;
    const int now = ++faults_->puts;
    int most = faults_->max_puts.load();
    while (now > most && !faults_->max_puts.compare_exchange_weak(most, now)) {
    }
  }
  ~PutInFlight() {
    if (faults_ != nullptr) --faults_->puts;
  }
  PutInFlight(const PutInFlight&) = delete;
  PutInFlight& operator=(const PutInFlight&) = delete;

 private:
  Faults* faults_;
};

void Handle(Faults& faults, const std::string& host, int port, const httplib::Request& req,
            httplib::Response& res) {
  const PutInFlight put(faults, req.method);
  int delay = 0;
  {
    std::lock_guard lock(faults.mu);
    if (faults.fail_left > 0) {
      --faults.fail_left;
      ++faults.failed;
      res.status = faults.fail_status;
      res.set_content("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + faults.fail_code +
                          "</Code><Message>injected by http_fault_proxy" + "</Message></Error>",
                      "application/xml");
      return;
    }
    if (faults.delay_left > 0) {
      --faults.delay_left;
      ++faults.delayed;
      delay = faults.delay_ms;
    }
  }
  if (delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
  httplib::Client upstream(host, port);
  upstream.set_url_encode(false);  // the target as the client sent it (signed, percent-encoded)
  upstream.set_read_timeout(120, 0);
  httplib::Request out;
  out.method = req.method;
  out.path = req.target;
  out.body = req.body;
  for (const auto& [name, value] : req.headers) {
    // httplib's own bookkeeping, and what the client connection sets itself.
    if (name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" ||
        name == "LOCAL_PORT" || name == "Content-Length" || name == "Expect" ||
        name == "Connection" || name == "Transfer-Encoding") {
      continue;
    }
    out.headers.emplace(name, value);
  }
  auto r = upstream.send(out);
  if (!r) {
    std::fprintf(stderr, "%s %s: upstream: %s\n", req.method.c_str(), req.target.c_str(),
                 httplib::to_string(r.error()).c_str());
    res.status = 502;
    return;
  }
  ++faults.forwarded;
  res.status = r->status;
  res.body = r->body;
  for (const auto& [name, value] : r->headers) {
    if (name == "Content-Length" || name == "Transfer-Encoding" || name == "Connection") continue;
    res.headers.emplace(name, value);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: http_fault_proxy UPSTREAM_HOST UPSTREAM_PORT\n");
    return 2;
  }
  const std::string host = argv[1];
  const int upstream_port = std::atoi(argv[2]);
  Faults faults;
  httplib::Server server;
  auto handler = [&](const httplib::Request& req, httplib::Response& res) {
    Handle(faults, host, upstream_port, req, res);
  };
  server.Get(".*", handler);
  server.Put(".*", handler);
  server.Post(".*", handler);
  server.Delete(".*", handler);
  int port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) return 1;
  std::thread listener([&] { server.listen_after_bind(); });
  std::printf("port=%d\n", port);
  std::fflush(stdout);
  int commands = 0;
  for (std::string line; std::getline(std::cin, line);) {
    std::istringstream in(line);
    std::string verb;
    in >> verb;
    ++commands;
    std::lock_guard lock(faults.mu);
    if (verb == "fail") {
      in >> faults.fail_left >> faults.fail_status >> faults.fail_code;
      std::printf("ok %d\n", commands);
    } else if (verb == "delay") {
      in >> faults.delay_left >> faults.delay_ms;
      std::printf("ok %d\n", commands);
    } else if (verb == "stats") {
      std::printf("ok %d forwarded=%llu failed=%llu delayed=%llu max_puts=%d\n", commands,
                  static_cast<unsigned long long>(faults.forwarded.load()),
                  static_cast<unsigned long long>(faults.failed.load()),
                  static_cast<unsigned long long>(faults.delayed.load()), faults.max_puts.load());
    } else {
      std::printf("error %d: unknown command '%s'\n", commands, verb.c_str());
    }
    std::fflush(stdout);
  }
  server.stop();
  listener.join();
  return 0;
}
