// The credentials chain, in order, with fake STS and IMDS servers on 127.0.0.1.
#include "plugins/common/aws/aws_credentials.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <thread>

#include "tests/unit/test_util.h"

namespace sluice::common {
namespace {

class FakeServer {
 public:
  explicit FakeServer(const std::function<void(httplib::Server&)>& routes) {
    routes(server_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    // The socket listens from bind_to_any_port on: early connections wait in its backlog.
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the loop runs would be lost (and join() would hang): wait for it.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

class AwsCredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::FreshTestDir("sluice_aws_credentials");
    env_["HOME"] = dir_.string();  // no ~/.aws/credentials unless a test writes one
    env_["AWS_EC2_METADATA_DISABLED"] = "true";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  AwsCredentialsChain::Getenv Env() {
    return [this](const std::string& name) -> std::optional<std::string> {
      auto it = env_.find(name);
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
  }
  std::filesystem::path dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(AwsCredentialsTest, OptionsComeFirstThenTheEnvironment) {
  env_["AWS_ACCESS_KEY_ID"] = "AKENV";
  env_["AWS_SECRET_ACCESS_KEY"] = "envsecret";
  env_["AWS_SESSION_TOKEN"] = "envtoken";
  AwsCredentialsChain from_options({.access_key_id = "AKOPT", .secret_access_key = "s"}, Env());
  auto c = from_options.Get();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c.value().access_key_id, "AKOPT");
  EXPECT_EQ(c.value().source, "options");
  AwsCredentialsChain from_env({}, Env());
  c = from_env.Get();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.value().access_key_id, "AKENV");
  EXPECT_EQ(c.value().session_token, "envtoken");
  EXPECT_EQ(c.value().source, "environment");
}

TEST_F(AwsCredentialsTest, SharedCredentialsFileProfile) {
  std::filesystem::create_directories(dir_ / ".aws");
  std::ofstream(dir_ / ".aws/credentials") << "[default]\naws_access_key_id = AKDEF\n"
                                              "aws_secret_access_key = defsecret\n\n"
                                              "# a comment\n[bronze]\n"
                                              "aws_access_key_id=AKBRONZE\n"
                                              "aws_secret_access_key=bronzesecret\n"
                                              "aws_session_token=tok\n";
  auto c = AwsCredentialsChain({}, Env()).Get();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c.value().access_key_id, "AKDEF");
  env_["AWS_PROFILE"] = "bronze";
  c = AwsCredentialsChain({}, Env()).Get();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.value().access_key_id, "AKBRONZE");
  EXPECT_EQ(c.value().session_token, "tok");
  EXPECT_EQ(c.value().source, "profile bronze");
  c = AwsCredentialsChain({.profile = "missing"}, Env()).Get();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("has no keys for profile 'missing'"), std::string::npos)
      << c.status().message();
}

// EKS IRSA: the token file's content goes to STS AssumeRoleWithWebIdentity, whose keys are used
// until 5 minutes before they expire, then asked for again.
TEST_F(AwsCredentialsTest, WebIdentityAssumesTheRoleAndRefreshesBeforeExpiry) {
  std::atomic<int> calls{0};
  std::atomic<int64_t> expires{0};
  FakeServer sts([&](httplib::Server& s) {
    s.Get("/", [&](const httplib::Request& req, httplib::Response& res) {
      if (req.get_param_value("Action") != "AssumeRoleWithWebIdentity" ||
          req.get_param_value("RoleArn") != "arn:aws:iam::1:role/sluice" ||
          req.get_param_value("WebIdentityToken") != "jwt.token/with=chars") {
        res.status = 400;
        res.set_content(
            "<ErrorResponse><Error><Message>bad request</Message></Error>"
            "</ErrorResponse>",
            "text/xml");
        return;
      }
      int n = ++calls;
      char when[32];
      std::time_t t = static_cast<std::time_t>(expires.load());
      std::strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
      res.set_content(
          "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
          "<AccessKeyId>ASIA" +
              std::to_string(n) +
              "</AccessKeyId><SecretAccessKey>sec&amp;ret</SecretAccessKey>"
              "<SessionToken>session</SessionToken><Expiration>" +
              when +
              "</Expiration></Credentials></AssumeRoleWithWebIdentityResult>"
              "</AssumeRoleWithWebIdentityResponse>",
          "text/xml");
    });
  });
  std::ofstream(dir_ / "token") << "jwt.token/with=chars\n";
  env_["AWS_WEB_IDENTITY_TOKEN_FILE"] = (dir_ / "token").string();
  env_["AWS_ROLE_ARN"] = "arn:aws:iam::1:role/sluice";
  AwsCredentialsChain chain({.sts_endpoint = sts.url()}, Env());
  expires = std::time(nullptr) + 3600;
  auto c = chain.Get();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c.value().access_key_id, "ASIA1");
  EXPECT_EQ(c.value().secret_access_key, "sec&ret");
  EXPECT_EQ(c.value().session_token, "session");
  EXPECT_EQ(c.value().source, "web identity");
  EXPECT_EQ(chain.Get().value().access_key_id, "ASIA1");  // cached: an hour left
  EXPECT_EQ(calls.load(), 1);
  // Keys that expire within 5 minutes are replaced.
  expires = std::time(nullptr) + 60;
  AwsCredentialsChain soon({.sts_endpoint = sts.url()}, Env());
  EXPECT_EQ(soon.Get().value().access_key_id, "ASIA2");
  EXPECT_EQ(soon.Get().value().access_key_id, "ASIA3");
}

// EC2 instance profile through IMDSv2: a session token first (PUT), then the role and its keys,
// each GET carrying the token.
TEST_F(AwsCredentialsTest, InstanceProfileThroughImdsV2) {
  FakeServer imds([&](httplib::Server& s) {
    s.Put("/latest/api/token", [](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("X-aws-ec2-metadata-token-ttl-seconds").empty()) {
        res.status = 400;
        return;
      }
      res.set_content("imds-session", "text/plain");
    });
    s.Get("/latest/meta-data/iam/security-credentials/",
          [](const httplib::Request& req, httplib::Response& res) {
            if (req.get_header_value("X-aws-ec2-metadata-token") != "imds-session") {
              res.status = 401;
              return;
            }
            res.set_content("collector-role", "text/plain");
          });
    s.Get("/latest/meta-data/iam/security-credentials/collector-role",
          [](const httplib::Request& req, httplib::Response& res) {
            if (req.get_header_value("X-aws-ec2-metadata-token") != "imds-session") {
              res.status = 401;
              return;
            }
            res.set_content(
                "{\"Code\":\"Success\",\"AccessKeyId\":\"ASIAIMDS\",\"SecretAccessKey\":\"s\","
                "\"Token\":\"t\",\"Expiration\":\"2099-01-01T00:00:00Z\"}",
                "application/json");
          });
  });
  env_.erase("AWS_EC2_METADATA_DISABLED");
  env_["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.url() + "/";
  auto c = AwsCredentialsChain({}, Env()).Get();
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c.value().access_key_id, "ASIAIMDS");
  EXPECT_EQ(c.value().session_token, "t");
  EXPECT_EQ(c.value().source, "imds");
  EXPECT_EQ(c.value().expires_unix, ParseIsoTime("2099-01-01T00:00:00Z"));
}

TEST_F(AwsCredentialsTest, NothingFoundNamesEverySourceTried) {
  auto c = AwsCredentialsChain({}, Env()).Get();
  ASSERT_FALSE(c.ok());
  const std::string& m = c.status().message();
  EXPECT_NE(m.find("AWS_ACCESS_KEY_ID"), std::string::npos) << m;
  EXPECT_NE(m.find("credentials cannot be read"), std::string::npos) << m;
  EXPECT_NE(m.find("AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN not set"), std::string::npos) << m;
  EXPECT_NE(m.find("disabled (AWS_EC2_METADATA_DISABLED)"), std::string::npos) << m;
  AwsCredentialsChain half({.access_key_id = "AK"}, Env());
  EXPECT_FALSE(half.Get().ok());
}

TEST(XmlTagTest, FirstTagDecoded) {
  EXPECT_EQ(XmlTag("<a><Code>NoSuchBucket</Code><Code>x</Code></a>", "Code").value(),
            "NoSuchBucket");
  EXPECT_EQ(XmlTag("<M>a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; &x</M>", "M").value(),
            "a <b> & \"c\" 'd' &x");
  EXPECT_FALSE(XmlTag("<Code>open", "Code").has_value());
  EXPECT_EQ(ParseIsoTime("1970-01-01T00:01:00Z"), 60);
  EXPECT_EQ(ParseIsoTime("yesterday"), 0);
}

}  // namespace
}  // namespace sluice::common
