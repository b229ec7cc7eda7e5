// AdminServer: the admin HTTP API on `admin.listen` (cpp-httplib, its own thread):
//   GET /health        200 while the process is up
//   GET /ready         200 when every pipeline runs and every output is healthy, else 503
//   GET /metrics       Prometheus text format
//   GET /api/v1/stats  JSON: per pipeline and component counters
// Thread-safety: Start/Stop from the main thread; handlers run on httplib's threads and only read
// the service through its thread-safe accessors.
#pragma once

#include <memory>
#include <string>
#include <thread>

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

  // Binds `listen` ("host:port"; port 0 picks a free one) and starts serving.
  Status Start(const std::string& listen);
  void Stop();
  int port() const { return port_; }

 private:
  Service& service_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace sluice::agent
