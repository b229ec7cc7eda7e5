// The config as `validate --print-config` and /api/v1/config show it: every option in effect,
// every secret masked.
#include "agent/config_view.h"

#include <gtest/gtest.h>

#include <map>

namespace sluice::agent {
namespace {

config::Config LoadOrDie(const std::string& yaml) {
  config::Diagnostics diags;
  config::EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "ES_API_KEY") return std::string("Env-Api-Key");
    return std::nullopt;
  };
  config::Config config = config::LoadConfigText(yaml, "t.yaml", diags, env);
  EXPECT_TRUE(diags.ok()) << diags.ToString();
  return config;
}

const char* kSmall = R"(data_dir: /tmp/x
admin: {listen: '127.0.0.1:0', token: S3cret-T0ken}
pipelines:
  p:
    inputs:
      - type: generate
        count: 10
    outputs:
      - type: stdout
)";

TEST(ConfigViewTest, ShowsEveryOptionInEffect) {
  EXPECT_EQ(ShowConfig(LoadOrDie(kSmall)).ToYaml(), R"(data_dir: /tmp/x
admin:
  enabled: true
  listen: "127.0.0.1:0"
  token: "***"
  tls: {}
log:
  level: info
  format: text
priority:
  nice: 0
  cpu_scheduling: normal
  io_class: inherit
  io_priority: 4
shutdown_timeout: 30s
checkpoint_interval: 1s
pipelines:
  p:
    max_inflight_bytes: 32MiB
    workers: auto
    inputs:
      - type: generate
        id: generate
        count: 10
        rate: 0
        seed: 42
        stack_trace_ratio: 0.02
        batch_events: 1024
        host: ip-10-0-1-17.ec2.internal
        fields: true
        resume: false
    filters: []
    outputs:
      - type: stdout
        id: stdout
        buffer:
          type: memory
          max_size: 1GiB
          when_full: block
          sync: batch
          sync_interval: 1s
        codec: json
)");
}

// What is shown loads back to the same config (secrets aside: they load back as "***").
TEST(ConfigViewTest, TheYamlLoadsBack) {
  std::string shown = ShowConfig(LoadOrDie(kSmall)).ToYaml();
  EXPECT_EQ(ShowConfig(LoadOrDie(shown)).ToYaml(), shown);
}

TEST(ConfigViewTest, NoSecretOfAnyPluginIsShown) {
  config::Config config = LoadOrDie(R"(admin: {token: Admin-T0ken}
pipelines:
  p:
    inputs:
      - type: kafka
        brokers: b:9092
        topics: [t]
        group_id: g
        tls: {enabled: true, key_file: /etc/k.pem, key_password: Tls-Key-Pa55}
        sasl: {mechanism: SCRAM-SHA-512, username: kafka-user, password: Kafka-Pa55}
        librdkafka: {sasl.password: Rdkafka-Pa55, client.id: me}
    filters:
      - type: drop
        when: 'message == "x"'
    outputs:
      - type: elasticsearch
        hosts: ['https://elastic:Url-Pa55@es1:9200']
        api_key: ${ES_API_KEY}
      - type: elasticsearch
        id: es_basic
        user: es-user
        password: Es-Pa55
      - type: elasticsearch
        id: es_bearer
        bearer_token: Es-Bearer
      - type: s3
        bucket: b
        region: eu-west-1
        access_key_id: AKIAEXAMPLE
        secret_access_key: Aws-S3cret
        session_token: Aws-Sess10n
)");
  for (const std::string& text : {ShowConfig(config).ToYaml(), ShowConfig(config).ToJson()}) {
    for (const char* secret :
         {"Admin-T0ken", "Tls-Key-Pa55", "Kafka-Pa55", "Rdkafka-Pa55", "Url-Pa55", "Env-Api-Key",
          "Es-Pa55", "Es-Bearer", "Aws-S3cret", "Aws-Sess10n"}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << secret << " is shown:\n" << text;
    }
    // What is not secret is shown as is.
    for (const char* shown : {"kafka-user", "es-user", "AKIAEXAMPLE", "/etc/k.pem", "client.id",
                              "https://elastic:***@es1:9200", "message == "}) {
      EXPECT_NE(text.find(shown), std::string::npos) << shown << " is not shown:\n" << text;
    }
  }
  config::ConfigValue shown = ShowConfig(config);
  const config::ConfigValue* outputs = shown.Find("pipelines")->Find("p")->Find("outputs");
  ASSERT_NE(outputs, nullptr);
  ASSERT_EQ(outputs->entries().size(), 4u);
  EXPECT_EQ(outputs->entries()[0].second.Find("api_key")->text(), "***");
  EXPECT_EQ(outputs->entries()[1].second.Find("password")->text(), "***");
  EXPECT_EQ(outputs->entries()[2].second.Find("bearer_token")->text(), "***");
  EXPECT_EQ(outputs->entries()[3].second.Find("secret_access_key")->text(), "***");
  EXPECT_EQ(outputs->entries()[3].second.Find("session_token")->text(), "***");
  EXPECT_EQ(outputs->entries()[1].second.Find("api_key"), nullptr);  // unset: left out
  const config::ConfigValue& input =
      shown.Find("pipelines")->Find("p")->Find("inputs")->entries()[0].second;
  EXPECT_EQ(input.Find("sasl")->Find("password")->text(), "***");
  EXPECT_EQ(input.Find("tls")->Find("key_password")->text(), "***");
  EXPECT_EQ(input.Find("librdkafka")->Find("sasl.password")->text(), "***");
  EXPECT_EQ(input.Find("librdkafka")->Find("client.id")->text(), "me");
  EXPECT_EQ(shown.Find("admin")->Find("token")->text(), "***");
}

}  // namespace
}  // namespace sluice::agent
