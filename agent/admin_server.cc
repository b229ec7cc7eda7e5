#include "agent/admin_server.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "agent/admin_auth.h"
#include "agent/config_view.h"
#include "pipeline/config.h"
#include "pipeline/json_string.h"
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
  if (options.tls.enabled()) {
    auto tls = std::make_unique<httplib::SSLServer>(options.tls.cert_file.c_str(),
                                                    options.tls.key_file.c_str());
    if (!tls->is_valid()) {
      return InvalidArgument("admin.tls: cannot load " + options.tls.cert_file + " and " +
                             options.tls.key_file +
                             " (a PEM certificate and its private key, unencrypted, that match)");
    }
    server_ = std::move(tls);
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
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
  server_->Get("/api/v1/tap",
               [this](const httplib::Request& req, httplib::Response& res) { ServeTap(req, res); });
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

// The components of the config in effect, as tap names them: PIPELINE.ID.
std::vector<std::string> AdminServer::TapPoints() const {
  std::vector<std::string> names;
  for (const config::PipelineConfig& p : service_.config()->pipelines) {
    for (const auto* list : {&p.inputs, &p.filters, &p.outputs}) {
      for (const config::PluginConfig& c : *list) names.push_back(p.name + "." + c.id);
    }
  }
  return names;
}

void AdminServer::ServeTap(const httplib::Request& req, httplib::Response& res) {
  auto error = [&](int status, const std::string& message) {
    std::string body = "{\"error\":";
    AppendJsonString(body, message);
    res.status = status;
    res.set_content(body + "}\n", "application/json");
  };
  std::vector<std::string> patterns;
  for (size_t i = 0; i < req.get_param_value_count("pattern"); ++i) {
    patterns.push_back(req.get_param_value("pattern", i));
  }
  if (patterns.empty()) {
    return error(400, "give at least one pattern=PIPELINE.COMPONENT (globs: spark.*, *.grok)");
  }
  double rate = kDefaultTapRate;
  if (req.has_param("rate")) {
    const std::string text = req.get_param_value("rate");
    char* end = nullptr;
    rate = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || !(rate > 0) || rate > kMaxTapRate) {
      return error(400, fmt::format("rate: expected samples per second, more than 0 and at most "
                                    "{}, got '{}'",
                                    kMaxTapRate, text));
    }
  }
  std::vector<std::string> points = TapPoints();
  if (std::none_of(points.begin(), points.end(),
                   [&](const std::string& p) { return MatchesAnyPattern(patterns, p); })) {
    return error(404, fmt::format("no component matches {}; the components are: {}",
                                  fmt::join(patterns, " "), fmt::join(points, ", ")));
  }
  if (service_.tap().sessions() >= kMaxTapSessions) {
    return error(429, fmt::format("{} tap sessions are open already (the most there can be); "
                                  "try again when one ends",
                                  kMaxTapSessions));
  }
  std::shared_ptr<TapSession> session = service_.tap().Open(std::move(patterns), rate);
  uint64_t reported_missed = 0;
  res.set_chunked_content_provider(
      "application/x-ndjson",
      [session, reported_missed](size_t, httplib::DataSink& sink) mutable {
        std::vector<std::string> lines = session->Take(std::chrono::milliseconds(500));
        if (session->closed()) {
          sink.done();
          return true;
        }
        std::string out;
        for (const std::string& line : lines) out += line;
        if (uint64_t missed = session->missed(); missed != reported_missed) {
          out += fmt::format("{{\"missed\":{}}}\n", missed - reported_missed);
          reported_missed = missed;
        }
        // An empty write still tells a client that is gone from one that waits (the next write
        // fails); keep-alive lines are not needed: a chunk of samples comes when there are some.
        if (!out.empty() && !sink.write(out.data(), out.size())) return false;
        return sink.is_writable();
      },
      [this, session](bool) { service_.tap().Close(session); });
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
