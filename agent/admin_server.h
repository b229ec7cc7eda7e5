// AdminServer: the admin HTTP API on `admin.listen` (cpp-httplib, its own thread):
//   GET /health         200 while the process is up
//   GET /ready          200 when every pipeline runs and every output is healthy, else 503
//   GET /metrics        Prometheus text format
//   GET /api/v1/stats   JSON: per pipeline and component counters
//   GET /api/v1/config  JSON: the config in effect, secrets masked (agent/config_view.h)
// With `admin.token` (or `token_file`) set, every request but /health and /ready (the probes) must
// carry `Authorization: Bearer TOKEN`, else it gets 401 with `WWW-Authenticate: Bearer`
// (agent/admin_auth.h). No TLS.
// Thread-safety: Start/Stop from the main thread; handlers run on httplib's threads and only read
// the service through its thread-safe accessors, and the config, which is immutable.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "pipeline/config.h"
#include "pipeline/service.h"
#include "pipeline/status.h"

namespace httplib {
class Server;
}

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

 private:
  Service& service_;
  std::string token_;        // "" for no authentication
  std::string config_json_;  // /api/v1/config's answer (the config does not change)
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace sluice::agent
