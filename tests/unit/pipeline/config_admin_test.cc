// The admin settings' token (`admin.token` / `admin.token_file`), and the secrets a config load
// notes for the file-permission warning.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "pipeline/config.h"
#include "tests/unit/pipeline/config_load.h"
#include "tests/unit/test_util.h"

namespace sluice::config {
namespace {

using testing::Errors;
using testing::FakeEnv;
using testing::Loads;

const char* kPipelines = R"(pipelines:
  p:
    inputs: [{type: generate}]
    outputs: [{type: stdout}]
)";

class ConfigAdminTest : public testing::TempDirTest {
 protected:
  ConfigAdminTest() : TempDirTest("config_admin") {}
};

TEST_F(ConfigAdminTest, NoTokenByDefault) {
  Config c;
  ASSERT_TRUE(Loads(kPipelines, &c));
  EXPECT_EQ(c.process.admin.BearerToken(), "");
  EXPECT_TRUE(c.secret_files.empty());
}

TEST_F(ConfigAdminTest, ALiteralTokenIsUsedAndItsFileNoted) {
  Config c;
  ASSERT_TRUE(Loads(std::string("admin: {token: abc.DEF-123}\n") + kPipelines, &c));
  EXPECT_EQ(c.process.admin.BearerToken(), "abc.DEF-123");
  ASSERT_EQ(c.secret_files.size(), 1u);
  EXPECT_EQ(c.secret_files[0].file, "t.yaml");
  EXPECT_EQ(c.secret_files[0].option, "admin.token");
  EXPECT_EQ(c.secret_files[0].where.ToString(), "t.yaml:1:16");
}

TEST_F(ConfigAdminTest, ATokenFromTheEnvironmentIsNotNoted) {
  Config c;
  ASSERT_TRUE(Loads(std::string("admin: {token: '${SLUICE_ADMIN_TOKEN}'}\n") + kPipelines, &c,
                    FakeEnv({{"SLUICE_ADMIN_TOKEN", "from-env"}})));
  EXPECT_EQ(c.process.admin.BearerToken(), "from-env");
  EXPECT_TRUE(c.secret_files.empty());
  EXPECT_EQ(Errors(std::string("admin: {token: '${SLUICE_ADMIN_TOKEN}'}\n") + kPipelines),
            "t.yaml:1:16: admin.token: environment variable SLUICE_ADMIN_TOKEN is not set; set "
            "it, or give a default with ${SLUICE_ADMIN_TOKEN:-default}\n");
}

TEST_F(ConfigAdminTest, ATokenFileIsReadWithoutItsNewlineAndNoted) {
  std::string path = Write("admin-token", "t0k3n-in-a-file\n");
  Config c;
  ASSERT_TRUE(Loads("admin:\n  token_file: " + path + "\n" + kPipelines, &c));
  EXPECT_EQ(c.process.admin.BearerToken(), "t0k3n-in-a-file");
  EXPECT_EQ(c.process.admin.token_file.path, path);
  ASSERT_EQ(c.secret_files.size(), 1u);
  EXPECT_EQ(c.secret_files[0].file, path);
  EXPECT_EQ(c.secret_files[0].option, "admin.token_file");
  EXPECT_EQ(c.secret_files[0].where.ToString(), "t.yaml:2:15");
}

TEST_F(ConfigAdminTest, AMissingOrEmptyTokenFileIsAnErrorAtItsLine) {
  std::string missing = (dir_ / "none").string();
  EXPECT_EQ(
      Errors("admin:\n  token_file: " + missing + "\n" + kPipelines),
      "t.yaml:2:15: admin.token_file: cannot read " + missing + ": No such file or directory\n");
  std::string empty = Write("empty", "");
  EXPECT_EQ(Errors("admin:\n  token_file: " + empty + "\n" + kPipelines),
            "t.yaml:2:15: admin.token_file: " + empty + " is empty; put the secret in it\n");
}

TEST_F(ConfigAdminTest, TokenAndTokenFileTogetherIsAnError) {
  std::string path = Write("admin-token", "x\n");
  EXPECT_EQ(Errors("admin: {token: abc, token_file: " + path + "}\n" + kPipelines),
            "t.yaml:1:8: admin: set only one of 'token' and 'token_file', not both\n");
}

TEST_F(ConfigAdminTest, AnEmptyTokenIsAnErrorNotAnOpenApi) {
  EXPECT_EQ(Errors(std::string("admin: {token: ''}\n") + kPipelines),
            "t.yaml:1:16: admin.token: must not be empty\n");
  EXPECT_EQ(
      Errors(std::string("admin: {token: '${EMPTY}'}\n") + kPipelines, FakeEnv({{"EMPTY", ""}})),
      "t.yaml:1:16: admin.token: must not be empty\n");
}

TEST_F(ConfigAdminTest, ATokenHoldsOnlyWhatAnAuthorizationHeaderCarries) {
  std::string errors = Errors(std::string("admin: {token: 'two words'}\n") + kPipelines);
  EXPECT_EQ(errors,
            "t.yaml:1:8: admin: token: the token may hold only printable ASCII characters without "
            "spaces (it travels in an Authorization header)\n");
  std::string path = Write("admin-token", "t\x01k\n");
  EXPECT_NE(Errors("admin: {token_file: " + path + "}\n" + kPipelines)
                .find("admin: token_file: the token may hold only printable ASCII"),
            std::string::npos);
}

// Plugin secrets set literally are noted with their paths; those from the environment are not.
TEST_F(ConfigAdminTest, PluginSecretsSetLiterallyAreNoted) {
  Config c;
  ASSERT_TRUE(Loads(R"(pipelines:
  p:
    inputs: [{type: generate}]
    outputs:
      - type: kafka
        brokers: b:9092
        topic: t
        sasl: {mechanism: SCRAM-SHA-512, username: u, password: Kafka-Pa55}
        librdkafka: {sasl.password: Other-Pa55, client.id: me}
      - type: elasticsearch
        user: u
        password: ${ES_PASSWORD}
)",
                    &c, FakeEnv({{"ES_PASSWORD", "from-env"}})));
  ASSERT_EQ(c.secret_files.size(), 2u);
  EXPECT_EQ(c.secret_files[0].option, "pipelines.p.outputs[0].sasl.password");
  EXPECT_EQ(c.secret_files[0].where.ToString(), "t.yaml:8:65");
  EXPECT_EQ(c.secret_files[1].option, "pipelines.p.outputs[0].librdkafka.sasl.password");
}

}  // namespace
}  // namespace sluice::config
