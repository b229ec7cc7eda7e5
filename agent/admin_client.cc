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
  std::string listen = flags.admin.empty() ? admin.listen : flags.admin;
  AdminClient client;
  client.https_ = admin.tls.enabled();
  for (const auto& [scheme, https] : {std::pair{"https://", true}, std::pair{"http://", false}}) {
    if (flags.admin.starts_with(scheme)) {
      listen = flags.admin.substr(std::string_view(scheme).size());
      client.https_ = https;
    }
  }
  if (!config::SplitHostPort(listen, &client.host_, &client.port_)) {
    return InvalidArgument("--admin: expected [https://]HOST:PORT such as 127.0.0.1:9600, got '" +
                           flags.admin + "'");
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
  client.ca_file_ = flags.ca_file.empty() ? admin.tls.ca_file : flags.ca_file;
  return client;
}

std::string AdminClient::Url() const {
  bool v6 = host_.find(':') != std::string::npos;
  return (https_ ? "https://" : "http://") + (v6 ? "[" + host_ + "]" : host_) + ":" +
         std::to_string(port_);
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

std::unique_ptr<httplib::Client> AdminClient::NewClient() const {
  auto client = std::make_unique<httplib::Client>(Url());
  if (https_) {
    client->enable_server_certificate_verification(true);
    if (!ca_file_.empty()) client->set_ca_cert_path(ca_file_);
  }
  client->set_connection_timeout(5);
  return client;
}

httplib::Result AdminClient::Post(const std::string& path, std::chrono::seconds timeout) const {
  std::unique_ptr<httplib::Client> client = NewClient();
  client->set_read_timeout(timeout);
  return client->Post(path, Headers(), "", "application/json");
}

httplib::Result AdminClient::Get(const std::string& path, std::chrono::seconds timeout) const {
  std::unique_ptr<httplib::Client> client = NewClient();
  client->set_read_timeout(timeout);
  return client->Get(path, Headers());
}

httplib::Result AdminClient::Stream(const std::string& path, httplib::ResponseHandler on_response,
                                    httplib::ContentReceiver on_data) const {
  std::unique_ptr<httplib::Client> client = NewClient();
  client->set_read_timeout(std::chrono::hours(24));
  return client->Get(path, Headers(), std::move(on_response), std::move(on_data));
}

}  // namespace sluice::agent
