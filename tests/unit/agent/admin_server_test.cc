// The admin API's token: 401 without it (or with a wrong one), 200 with it, and the probes open.
#include "agent/admin_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include "pipeline/config.h"

namespace sluice::agent {
namespace {

constexpr const char* kToken = "0123456789abcdef-admin-token";

config::Config LoadOrDie(const std::string& yaml) {
  config::Diagnostics diags;
  config::Config config = config::LoadConfigText(yaml, "t.yaml", diags);
  EXPECT_TRUE(diags.ok()) << diags.ToString();
  return config;
}

class AdminServerTest : public ::testing::Test {
 protected:
  // Starts the admin API of a config (not its pipelines) on a free port.
  void Start(const std::string& admin) {
    service_ = std::make_unique<Service>(
        LoadOrDie("admin: " + admin +
                  "\npipelines:\n  p:\n    inputs: [{type: generate, count: 1}]\n"
                  "    outputs: [{type: elasticsearch, hosts: ['http://127.0.0.1:1'], user: u, "
                  "password: es-Pa55word}]\n"));
    server_ = std::make_unique<AdminServer>(*service_);
    ASSERT_TRUE(server_->Start(service_->config()->process.admin).ok());
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }
  httplib::Result Post(const std::string& path, const httplib::Headers& headers = {}) {
    httplib::Client client("127.0.0.1", server_->port());
    client.set_connection_timeout(10);
    client.set_read_timeout(30);
    return client.Post(path, headers, "", "application/json");
  }
  httplib::Result Get(const std::string& path, const httplib::Headers& headers = {}) {
    httplib::Client client("127.0.0.1", server_->port());
    client.set_connection_timeout(10);
    client.set_read_timeout(30);
    return client.Get(path, headers);
  }

  std::unique_ptr<Service> service_;
  std::unique_ptr<AdminServer> server_;
};

TEST_F(AdminServerTest, WithATokenEveryEndpointButTheProbesNeedsIt) {
  Start(std::string("{listen: '127.0.0.1:0', token: '") + kToken + "'}");
  const httplib::Headers good = {{"Authorization", std::string("Bearer ") + kToken}};
  const httplib::Headers wrong = {{"Authorization", "Bearer not-the-token"}};
  for (const char* path : {"/metrics", "/api/v1/stats", "/api/v1/config", "/no/such/path"}) {
    auto without = Get(path);
    ASSERT_TRUE(without) << path;
    EXPECT_EQ(without->status, 401) << path;
    EXPECT_EQ(without->get_header_value("WWW-Authenticate"), "Bearer realm=\"sluice\"") << path;
    auto bad = Get(path, wrong);
    ASSERT_TRUE(bad) << path;
    EXPECT_EQ(bad->status, 401) << path;
    EXPECT_NE(bad->get_header_value("WWW-Authenticate").find("invalid_token"), std::string::npos);
    EXPECT_EQ(bad->body.find(kToken), std::string::npos);
  }
  for (const char* path : {"/metrics", "/api/v1/stats", "/api/v1/config"}) {
    auto with = Get(path, good);
    ASSERT_TRUE(with) << path;
    EXPECT_EQ(with->status, 200) << path;
  }
  auto unknown = Get("/no/such/path", good);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  auto health = Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto ready = Get("/ready");  // the pipelines were not started: not ready, but not refused
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503);
}

TEST_F(AdminServerTest, WithoutATokenEverythingIsOpen) {
  Start("{listen: '127.0.0.1:0'}");
  for (const char* path : {"/metrics", "/api/v1/stats", "/api/v1/config", "/health"}) {
    auto r = Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path;
  }
}

TEST_F(AdminServerTest, TheConfigEndpointMasksSecrets) {
  Start(std::string("{listen: '127.0.0.1:0', token: '") + kToken + "'}");
  auto r = Get("/api/v1/config", {{"Authorization", std::string("Bearer ") + kToken}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(r->body.find(kToken), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find("es-Pa55word"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("\"token\": \"***\""), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("\"password\": \"***\""), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("\"user\": \"u\""), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("\"listen\": \"127.0.0.1:0\""), std::string::npos) << r->body;
}

// POST /api/v1/reload is guarded like the rest, and answers 503 while there is no reloader (before
// the pipelines start, and while stopping).
TEST_F(AdminServerTest, ReloadNeedsTheTokenAndARunningService) {
  Start(std::string("{listen: '127.0.0.1:0', token: '") + kToken + "'}");
  auto without = Post("/api/v1/reload");
  ASSERT_TRUE(without);
  EXPECT_EQ(without->status, 401);
  auto with = Post("/api/v1/reload", {{"Authorization", std::string("Bearer ") + kToken}});
  ASSERT_TRUE(with);
  EXPECT_EQ(with->status, 503) << with->body;
  EXPECT_NE(with->body.find("\"ok\":false"), std::string::npos) << with->body;
}

// A reload can set, change or remove the token: SetToken applies to the next request.
TEST_F(AdminServerTest, SetTokenAppliesToTheNextRequest) {
  Start("{listen: '127.0.0.1:0'}");
  auto open = Get("/metrics");
  ASSERT_TRUE(open);
  EXPECT_EQ(open->status, 200);
  server_->SetToken("a-new-token-from-a-reload");
  auto refused = Get("/metrics");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  auto granted = Get("/metrics", {{"Authorization", "Bearer a-new-token-from-a-reload"}});
  ASSERT_TRUE(granted);
  EXPECT_EQ(granted->status, 200);
  server_->SetToken("");
  auto open_again = Get("/metrics");
  ASSERT_TRUE(open_again);
  EXPECT_EQ(open_again->status, 200);
}

}  // namespace
}  // namespace sluice::agent
