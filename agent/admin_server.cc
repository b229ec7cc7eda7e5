#include "agent/admin_server.h"

#include <httplib.h>

#include <chrono>

#include "agent/admin_auth.h"
#include "agent/config_view.h"
#include "pipeline/config.h"
#include "pipeline/thread_name.h"

namespace sluice::agent {

AdminServer::AdminServer(Service& service) : service_(service) {}

AdminServer::~AdminServer() { Stop(); }

Status AdminServer::Start(const config::AdminOptions& options) {
  const std::string& listen = options.listen;
  std::string host;
  int port = 0;
  if (!config::SplitHostPort(listen, &host, &port)) {
    return InvalidArgument("admin.listen: expected host:port such as 127.0.0.1:9600, got '" +
                           listen + "'");
  }
  SetToken(options.BearerToken());
  server_ = std::make_unique<httplib::Server>();
  server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    const std::string token = Token();
    if (token.empty() || IsOpenEndpoint(req.path)) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    const std::string authorization = req.get_header_value("Authorization");
    if (BearerTokenMatches(authorization, token)) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    res.status = 401;
    res.set_header("WWW-Authenticate", authorization.empty()
                                           ? "Bearer realm=\"sluice\""
                                           : "Bearer realm=\"sluice\", error=\"invalid_token\"");
    res.set_content(authorization.empty()
                        ? "{\"error\":\"this endpoint needs Authorization: Bearer TOKEN "
                          "(admin.token)\"}\n"
                        : "{\"error\":\"wrong admin token\"}\n",
                    "application/json");
    return httplib::Server::HandlerResponse::Handled;
  });
  server_->Get("/health", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"status\":\"up\"}\n", "application/json");
  });
  server_->Get("/ready", [this](const httplib::Request&, httplib::Response& res) {
    bool ready = service_.ready();
    res.status = ready ? 200 : 503;
    res.set_content(ready ? "{\"ready\":true}\n" : "{\"ready\":false}\n", "application/json");
  });
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(service_.metrics().PrometheusText(), "text/plain; version=0.0.4");
  });
  server_->Get("/api/v1/stats", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(service_.StatsJson() + "\n", "application/json");
  });
  server_->Get("/api/v1/config", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(ShowConfig(*service_.config()).ToJson(), "application/json");
  });
  server_->Post("/api/v1/reload", [this](const httplib::Request&, httplib::Response& res) {
    std::shared_ptr<Reloader> reloader;
    {
      std::lock_guard lock(mu_);
      reloader = reloader_;
    }
    if (reloader == nullptr) {
      res.status = 503;
      res.set_content("{\"ok\":false,\"errors\":[\"not running: nothing to reload\"]}\n",
                      "application/json");
      return;
    }
    ReloadOutcome outcome = reloader->Reload("POST /api/v1/reload");
    res.status = outcome.rejected ? 422 : outcome.ok() ? 200 : 500;
    res.set_content(outcome.ToJson(), "application/json");
  });
  if (port == 0) {
    port_ = server_->bind_to_any_port(host);
    if (port_ <= 0) return IoError("admin API: cannot bind " + listen);
  } else {
    if (!server_->bind_to_port(host, port)) {
      return IoError("admin API: cannot listen on " + listen +
                     " (in use, or not a local address?); set admin.listen to a free address or "
                     "admin.enabled: false");
    }
    port_ = port;
  }
  thread_ = std::thread([this] {
    NameThisThread("admin-http");
    server_->listen_after_bind();
  });
  // httplib's stop() does nothing before the listener runs: wait for it, so Stop() cannot hang.
  for (int i = 0; i < 5000 && !server_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return Status::Ok();
}

void AdminServer::SetToken(std::string token) {
  std::lock_guard lock(mu_);
  token_ = std::move(token);
}

std::string AdminServer::Token() const {
  std::lock_guard lock(mu_);
  return token_;
}

void AdminServer::SetReloader(std::shared_ptr<Reloader> reloader) {
  std::lock_guard lock(mu_);
  reloader_ = std::move(reloader);
}

void AdminServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace sluice::agent
