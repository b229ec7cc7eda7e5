#include "agent/admin_client.h"

#include "agent/admin_auth.h"
#include "pipeline/config.h"

namespace sluice::agent {
namespace {

// The address to connect to for a listen address: a wildcard is reached on loopback.
std::string ConnectHost(const std::string& host) {
  if (host.empty() || host == "0.0.0.0") return "127.0.0.1";
  if (host == "::") return "::1";
  return host;
}

}  // namespace

Result<AdminClient> AdminClient::Resolve(const AdminClientFlags& flags) {
  config::AdminOptions admin;
  if (!flags.config.empty()) {
    config::Diagnostics diags;  // errors elsewhere in the config do not matter here
    admin = config::LoadConfig(flags.config, diags).process.admin;
  }
  const std::string& listen = flags.admin.empty() ? admin.listen : flags.admin;
  AdminClient client;
  if (!config::SplitHostPort(listen, &client.host_, &client.port_)) {
    return InvalidArgument("--admin: expected HOST:PORT such as 127.0.0.1:9600, got '" + listen +
                           "'");
  }
  if (client.port_ == 0) {
    return InvalidArgument("admin.listen '" + listen +
                           "' picks a free port at start: give the port the instance logged "
                           "with --admin HOST:PORT");
  }
  if (flags.admin.empty() && !admin.enabled) {
    return InvalidArgument(
        "the config has admin.enabled: false, so the instance has no admin "
        "API to call; enable it, or give --admin HOST:PORT");
  }
  client.host_ = ConnectHost(client.host_);
  client.token_ = ClientToken(flags.token, admin);
  return client;
}

std::string AdminClient::Url() const {
  bool v6 = host_.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_);
}

std::string AdminClient::NoAnswer(httplib::Error error) const {
  return "cannot reach the admin API at " + Url() + " (" + httplib::to_string(error) +
         "): is sluice running, and is that its admin.listen?";
}

std::string AdminClient::TokenRefused() const {
  return Url() +
         " wants the admin token: give --token TOKEN, or -c CONFIG with admin.token or "
         "admin.token_file";
}

httplib::Headers AdminClient::Headers() const {
  if (token_.empty()) return {};
  return {{"Authorization", AuthorizationFor(token_)}};
}

httplib::Result AdminClient::Post(const std::string& path, std::chrono::seconds timeout) const {
  httplib::Client client(host_, port_);
  client.set_connection_timeout(5);
  client.set_read_timeout(timeout);
  return client.Post(path, Headers(), "", "application/json");
}

httplib::Result AdminClient::Get(const std::string& path, std::chrono::seconds timeout) const {
  httplib::Client client(host_, port_);
  client.set_connection_timeout(5);
  client.set_read_timeout(timeout);
  return client.Get(path, Headers());
}

httplib::Result AdminClient::Stream(const std::string& path, httplib::ResponseHandler on_response,
                                    httplib::ContentReceiver on_data) const {
  httplib::Client client(host_, port_);
  client.set_connection_timeout(5);
  client.set_read_timeout(std::chrono::hours(24));
  return client.Get(path, Headers(), std::move(on_response), std::move(on_data));
}

}  // namespace sluice::agent
