// AdminClient: how the commands that talk to a running instance (`sluice reload`, later `tap` and
// `top`) reach its admin API: the address from --admin [https://]HOST:PORT, else from the
// config's admin.listen (a wildcard address is reached on loopback), else 127.0.0.1:9600; HTTPS
// when --admin says https:// or, without a scheme, when the config sets admin.tls, trusting
// --ca-file, else admin.tls.ca_file, else the system's store; the bearer token from --token, else
// from the config (admin.token or token_file; agent/admin_auth.h). The config is read only for
// those settings: a config with errors elsewhere still names the instance (it is what
// `sluice reload` is for).
// Thread-safety: one per command, used by one thread.
#pragma once

#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>

#include "pipeline/status.h"

namespace sluice::agent {

struct AdminClientFlags {
  std::string admin;    // --admin [http[s]://]HOST:PORT; "" when not given
  std::string token;    // --token; "" when not given
  std::string config;   // -c; "" when not given
  std::string ca_file;  // --ca-file; "" when not given
};

class AdminClient {
 public:
  static Result<AdminClient> Resolve(const AdminClientFlags& flags);

  const std::string& host() const { return host_; }
  int port() const { return port_; }
  bool https() const { return https_; }
  // "http://HOST:PORT" or "https://HOST:PORT", for messages.
  std::string Url() const;
  // What to tell the user when a request got no answer, and when the token was refused (401).
  std::string NoAnswer(httplib::Error error) const;
  std::string TokenRefused() const;

  // POST (empty body) and GET, waiting up to `timeout` for the answer.
  httplib::Result Post(const std::string& path, std::chrono::seconds timeout) const;
  httplib::Result Get(const std::string& path, std::chrono::seconds timeout) const;
  // GET of a streamed answer: `on_response` sees the status, `on_data` each piece of the body
  // (returning false ends the stream); no read timeout beyond a day of silence.
  httplib::Result Stream(const std::string& path, httplib::ResponseHandler on_response,
                         httplib::ContentReceiver on_data) const;

 private:
  httplib::Headers Headers() const;
  // A client for one request: plain, or HTTPS verifying the certificate against ca_file_.
  std::unique_ptr<httplib::Client> NewClient() const;

  std::string host_;
  int port_ = 0;
  bool https_ = false;
  std::string ca_file_;  // "" : the system's store
  std::string token_;
};

}  // namespace sluice::agent
