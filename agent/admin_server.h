// AdminServer: the admin HTTP API on `admin.listen` (cpp-httplib, its own thread):
//   GET /health         200 while the process is up
//   GET /ready          200 when every pipeline runs and every output is healthy, else 503
//   GET /metrics        Prometheus text format
//   GET /api/v1/stats   JSON: per pipeline and component counters
//   GET /api/v1/config  JSON: the config in effect, secrets masked (agent/config_view.h)
//   GET /api/v1/tap?pattern=P[&pattern=P...][&rate=N]
//                       a stream of samples of the events passing the components the patterns
//                       name (pipeline/tap.h), one JSON object per line, and {"missed":N} lines
//                       for samples not taken; 400 bad parameters, 404 no component matches
//                       (the answer lists them), 429 too many sessions
//   POST /api/v1/reload re-reads the config and applies it (agent/reloader.h); answers when done:
//                       200 applied, 422 the config is invalid (nothing changed, errors listed
//                       with file:line:column), 500 applied with errors, 503 no reloader
// With `admin.token` (or `token_file`) set, every request but /health and /ready (the probes) must
// carry `Authorization: Bearer TOKEN`, else it gets 401 with `WWW-Authenticate: Bearer`
// (agent/admin_auth.h). With `admin.tls` set, the API speaks HTTPS only (cpp-httplib's SSLServer,
// OpenSSL), with the configured certificate and key.
// Thread-safety: Start/Stop from the main thread; SetToken and SetReloader from any thread;
// handlers run on httplib's threads and only use the service through its thread-safe accessors.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/reloader.h"
#include "pipeline/config.h"
#include "pipeline/service.h"
#include "pipeline/status.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace sluice::agent {

class AdminServer {
 public:
  explicit AdminServer(Service& service);
  ~AdminServer();

  // Binds `options.listen` ("host:port"; port 0 picks a free one) and starts serving, requiring
  // options.BearerToken() when there is one.
  Status Start(const config::AdminOptions& options);
  void Stop();
  int port() const { return port_; }

  // Replaces the bearer token ("" for none): a reload may change it.
  void SetToken(std::string token);
  // The reloader POST /api/v1/reload uses; null (the default) answers 503.
  void SetReloader(std::shared_ptr<Reloader> reloader);

 private:
  static constexpr double kDefaultTapRate = 100;  // samples per second
  static constexpr double kMaxTapRate = 100000;
  static constexpr size_t kMaxTapSessions = 4;  // each holds one of httplib's threads

  std::string Token() const;
  std::vector<std::string> TapPoints() const;
  void ServeTap(const httplib::Request& req, httplib::Response& res);

  Service& service_;
  mutable std::mutex mu_;
  std::string token_;  // "" for no authentication
  std::shared_ptr<Reloader> reloader_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace sluice::agent
