#include "agent/admin_auth.h"

#include <gtest/gtest.h>

namespace sluice::agent {
namespace {

TEST(AdminAuthTest, OnlyTheProbesAreOpen) {
  EXPECT_TRUE(IsOpenEndpoint("/health"));
  EXPECT_TRUE(IsOpenEndpoint("/ready"));
  for (const char* path : {"/metrics", "/api/v1/stats", "/api/v1/config", "/", "/health/",
                           "//health", "/HEALTH", "/readyz", "/nope"}) {
    EXPECT_FALSE(IsOpenEndpoint(path)) << path;
  }
}

TEST(AdminAuthTest, ConstantTimeEqualsIsPlainEquality) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("s3cr3t", "s3cr3t"));
  EXPECT_FALSE(ConstantTimeEquals("s3cr3t", "s3cr3T"));
  EXPECT_FALSE(ConstantTimeEquals("s3cr3", "s3cr3t"));    // a prefix
  EXPECT_FALSE(ConstantTimeEquals("s3cr3tt", "s3cr3t"));  // longer
  EXPECT_FALSE(ConstantTimeEquals("", "s3cr3t"));
  EXPECT_FALSE(ConstantTimeEquals(std::string_view("s3cr3t\0", 7), "s3cr3t"));
}

TEST(AdminAuthTest, TheBearerCredentialMustBeTheToken) {
  const std::string token = "abc.DEF-123_~+/=";
  EXPECT_TRUE(BearerTokenMatches("Bearer " + token, token));
  EXPECT_TRUE(BearerTokenMatches("bearer " + token, token));  // the scheme is case-insensitive
  EXPECT_TRUE(BearerTokenMatches("BEARER   " + token + "  ", token));
  EXPECT_FALSE(BearerTokenMatches("", token));
  EXPECT_FALSE(BearerTokenMatches("Bearer", token));
  EXPECT_FALSE(BearerTokenMatches("Bearer ", token));
  EXPECT_FALSE(BearerTokenMatches("Bearer" + token, token));
  EXPECT_FALSE(BearerTokenMatches(token, token));  // no scheme
  EXPECT_FALSE(BearerTokenMatches("Basic " + token, token));
  EXPECT_FALSE(BearerTokenMatches("Bearer " + token + "x", token));
  EXPECT_FALSE(BearerTokenMatches("Bearer " + token.substr(1), token));
  EXPECT_FALSE(BearerTokenMatches("Bearer wrong", token));
  // No token configured: nothing matches (the server does not check then).
  EXPECT_FALSE(BearerTokenMatches("Bearer ", ""));
  EXPECT_FALSE(BearerTokenMatches("Bearer x", ""));
}

TEST(AdminAuthTest, ClientsSendTheFlagElseTheConfiguredToken) {
  config::AdminOptions admin;
  EXPECT_EQ(ClientToken("", admin), "");
  admin.token = "from-config";
  EXPECT_EQ(ClientToken("", admin), "from-config");
  EXPECT_EQ(ClientToken("from-flag", admin), "from-flag");
  admin.token.clear();
  admin.token_file = config::SecretFile{"/etc/sluice/admin-token", "from-file"};
  EXPECT_EQ(ClientToken("", admin), "from-file");
  EXPECT_EQ(AuthorizationFor("from-file"), "Bearer from-file");
  EXPECT_TRUE(BearerTokenMatches(AuthorizationFor("t0k"), "t0k"));
}

TEST(AdminAuthTest, LoopbackHosts) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "localhost", "::1"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host : {"0.0.0.0", "::", "10.0.0.1", "127.example.com", "example.com", ""}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

}  // namespace
}  // namespace sluice::agent
