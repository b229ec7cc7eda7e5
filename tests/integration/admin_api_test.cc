// The admin API's security with the real binary: the bearer token (401 without it, 200 with it,
// the probes open), secrets masked in /api/v1/config and `validate --print-config`, and the
// warning about a config file holding a secret that others can read.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <utility>
#include <vector>

#include "tests/integration/http_get.h"
#include "tests/integration/sluice_process.h"
#include "tests/integration/subprocess.h"

namespace sluice::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kToken = "Adm1n-T0ken-0123456789abcdef";
constexpr const char* kEsPassword = "Es-Pa55word-literal";
constexpr const char* kKafkaPassword = "Kafka-Pa55word-literal";

class AdminApiTest : public SluiceProcessTest {
 protected:
  void SetUp() override { MakeDir("admin_api"); }
  // NAME.yaml holding `yaml` after a data_dir, with mode `mode`.
  std::string Write(const std::string& name, const std::string& yaml, mode_t mode = 0600) {
    std::string path = (dir_ / (name + ".yaml")).string();
    std::ofstream(path) << "data_dir: " << (dir_ / (name + "-data")).string() << "\n" << yaml;
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }
  // A config whose admin API wants kToken, with a secret in an elasticsearch output (which starts
  // without its cluster) and, with `kafka`, in a kafka output (only validated: a SCRAM producer
  // needs a librdkafka built with SSL).
  std::string WriteWithSecrets(const std::string& name, bool kafka) {
    std::string yaml = std::string("admin: {listen: '127.0.0.1:0', token: ") + kToken +
                       "}\npipelines:\n  p:\n    inputs: [{type: stdin}]\n    outputs:\n"
                       "      - type: blackhole\n"
                       "      - type: elasticsearch\n        user: elastic\n        password: " +
                       kEsPassword + "\n";
    if (kafka) {
      yaml += std::string(
                  "      - type: kafka\n        brokers: b:9092\n        topic: t\n"
                  "        sasl: {mechanism: SCRAM-SHA-512, username: u, password: ") +
              kKafkaPassword + "}\n";
    }
    return Write(name, yaml);
  }
  static httplib::Headers Bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
  }
  fs::path RunDir(const std::string& name) { return dir_ / ("run-" + name); }
  // A self-signed certificate for 127.0.0.1 and its key (openssl req).
  void MakeSelfSigned(const std::string& cert, const std::string& key) {
    Subprocess openssl(
        {"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
         "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert},
        RunDir("openssl-" + fs::path(cert).stem().string()));
    ASSERT_EQ(openssl.WaitFor(std::chrono::seconds(120)), 0) << openssl.Stderr();
  }
};

TEST_F(AdminApiTest, TheTokenGuardsEveryEndpointButTheProbes) {
  std::string cfg = Write("token", std::string("admin: {listen: '127.0.0.1:0', token: ") + kToken +
                                       "}\npipelines:\n  p:\n    inputs: [{type: stdin}]\n"
                                       "    outputs: [{type: blackhole}]\n");
  Subprocess p({SLUICE_BINARY, "run", "-c", cfg}, RunDir("run"), /*stdin_pipe=*/true);
  int port = WaitForAdminPort(p);
  ASSERT_GT(port, 0) << p.Stderr();
  ASSERT_TRUE(WaitUntil([&] { return ReadyStatus(p) == 200; }, std::chrono::seconds(30)))
      << p.Stderr();
  for (const char* path : {"/metrics", "/api/v1/stats", "/api/v1/config"}) {
    auto without = HttpGet(port, path);
    ASSERT_TRUE(without) << path;
    EXPECT_EQ(without->status, 401) << path;
    EXPECT_EQ(without->get_header_value("WWW-Authenticate").rfind("Bearer", 0), 0u) << path;
    auto wrong = HttpGet(port, path, Bearer("not-the-token"));
    ASSERT_TRUE(wrong) << path;
    EXPECT_EQ(wrong->status, 401) << path;
    auto with = HttpGet(port, path, Bearer(kToken));
    ASSERT_TRUE(with) << path;
    EXPECT_EQ(with->status, 200) << path;
  }
  auto metrics = HttpGet(port, "/metrics", Bearer(kToken));
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("sluice_component_received_events_total"), std::string::npos);
  for (const char* probe : {"/health", "/ready"}) {
    auto r = HttpGet(port, probe);
    ASSERT_TRUE(r) << probe;
    EXPECT_EQ(r->status, 200) << probe;
  }
  p.CloseStdin();
  EXPECT_EQ(p.WaitFor(std::chrono::seconds(30)), 0) << p.Stderr();
  EXPECT_NE(p.Stderr().find("a bearer token is required except for /health and /ready"),
            std::string::npos)
      << p.Stderr();
  EXPECT_EQ(p.Stderr().find(kToken), std::string::npos) << p.Stderr();
}

TEST_F(AdminApiTest, TheConfigEndpointNeverShowsASecret) {
  std::string cfg = WriteWithSecrets("config", /*kafka=*/false);
  Subprocess p({SLUICE_BINARY, "run", "-c", cfg}, RunDir("run"), /*stdin_pipe=*/true);
  int port = WaitForAdminPort(p);
  ASSERT_GT(port, 0) << p.Stderr();
  auto r = HttpGet(port, "/api/v1/config", Bearer(kToken));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  for (const char* secret : {kToken, kEsPassword, kKafkaPassword}) {
    EXPECT_EQ(r->body.find(secret), std::string::npos) << secret << " in " << r->body;
  }
  EXPECT_NE(r->body.find("\"token\": \"***\""), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("\"password\": \"***\""), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("\"user\": \"elastic\""), std::string::npos) << r->body;
  p.Signal(SIGTERM);
  p.WaitFor(std::chrono::seconds(30));
  for (const char* secret : {kToken, kEsPassword, kKafkaPassword}) {
    EXPECT_EQ(p.Stderr().find(secret), std::string::npos) << secret << " logged: " << p.Stderr();
  }
}

TEST_F(AdminApiTest, PrintConfigMasksSecrets) {
  std::string cfg = WriteWithSecrets("print", /*kafka=*/true);
  Subprocess v({SLUICE_BINARY, "validate", "--print-config", "-c", cfg}, RunDir("validate"));
  ASSERT_EQ(v.Wait(), 0) << v.Stderr();
  std::string out = v.Stdout();
  for (const char* secret : {kToken, kEsPassword, kKafkaPassword}) {
    EXPECT_EQ(out.find(secret), std::string::npos) << secret << " in " << out;
    EXPECT_EQ(v.Stderr().find(secret), std::string::npos) << secret << " in " << v.Stderr();
  }
  EXPECT_NE(v.Stderr().find(cfg + ": OK (1 pipeline(s), 4 plugin(s))"), std::string::npos)
      << v.Stderr();
  YAML::Node shown = YAML::Load(out);  // stdout is the YAML document alone
  EXPECT_EQ(shown["admin"]["token"].as<std::string>(), "***") << out;
  EXPECT_EQ(shown["admin"]["listen"].as<std::string>(), "127.0.0.1:0") << out;
  YAML::Node outputs = shown["pipelines"]["p"]["outputs"];
  ASSERT_EQ(outputs.size(), 3u) << out;
  EXPECT_EQ(outputs[1]["password"].as<std::string>(), "***") << out;
  EXPECT_EQ(outputs[1]["user"].as<std::string>(), "elastic") << out;
  EXPECT_EQ(outputs[2]["sasl"]["password"].as<std::string>(), "***") << out;
  EXPECT_EQ(outputs[2]["sasl"]["username"].as<std::string>(), "u") << out;
  // Without the flag, the verdict is on stdout as before.
  Subprocess plain({SLUICE_BINARY, "validate", "-c", cfg}, RunDir("plain"));
  ASSERT_EQ(plain.Wait(), 0) << plain.Stderr();
  EXPECT_EQ(plain.Stdout(), cfg + ": OK (1 pipeline(s), 4 plugin(s))\n");
}

TEST_F(AdminApiTest, AConfigHoldingASecretWarnsWhenOthersCanReadIt) {
  const std::string pipelines =
      "pipelines:\n  p:\n    inputs: [{type: generate, count: 10}]\n"
      "    outputs: [{type: blackhole}]\n";
  const std::string admin = std::string("admin: {listen: '127.0.0.1:0', token: ") + kToken + "}\n";
  std::string open = Write("open", admin + pipelines, 0644);
  std::string closed = Write("closed", admin + pipelines, 0600);
  Subprocess a({SLUICE_BINARY, "run", "-c", open}, RunDir("open"));
  ASSERT_EQ(a.WaitFor(std::chrono::seconds(60)), 0) << a.Stderr();
  EXPECT_NE(a.Stderr().find("WARN " + open + " holds a secret (admin.token at " + open + ":2:"),
            std::string::npos)
      << a.Stderr();
  EXPECT_NE(a.Stderr().find("is readable by others (mode 0644); run `chmod 600 " + open + "`"),
            std::string::npos)
      << a.Stderr();
  Subprocess b({SLUICE_BINARY, "run", "-c", closed}, RunDir("closed"));
  ASSERT_EQ(b.WaitFor(std::chrono::seconds(60)), 0) << b.Stderr();
  EXPECT_EQ(b.Stderr().find("holds a secret"), std::string::npos) << b.Stderr();
  // `validate` says it too, and still succeeds.
  Subprocess v({SLUICE_BINARY, "validate", "-c", open}, RunDir("validate"));
  ASSERT_EQ(v.Wait(), 0) << v.Stderr();
  EXPECT_NE(v.Stderr().find("warning: " + open + " holds a secret"), std::string::npos)
      << v.Stderr();
  // A token from the environment puts no secret in the file: no warning however open it is.
  ::setenv("SLUICE_TEST_ADMIN_TOKEN", kToken, 1);
  std::string env = Write(
      "env", "admin: {listen: '127.0.0.1:0', token: '${SLUICE_TEST_ADMIN_TOKEN}'}\n" + pipelines,
      0644);
  Subprocess c({SLUICE_BINARY, "run", "-c", env}, RunDir("env"));
  int code = c.WaitFor(std::chrono::seconds(60));
  ::unsetenv("SLUICE_TEST_ADMIN_TOKEN");
  ASSERT_EQ(code, 0) << c.Stderr();
  EXPECT_EQ(c.Stderr().find("holds a secret"), std::string::npos) << c.Stderr();
  EXPECT_NE(c.Stderr().find("a bearer token is required"), std::string::npos) << c.Stderr();
}

// admin.tls: the API speaks HTTPS only, with the configured certificate; the commands that call it
// (here `sluice top --once`) use HTTPS when the config sets admin.tls and trust its ca_file; a
// client that does not trust the certificate gets nothing, nor does a plain HTTP one.
TEST_F(AdminApiTest, TlsServesHttpsOnlyAndTheCommandsTrustTheConfiguredCa) {
  const std::string cert = (dir_ / "admin.crt").string();
  const std::string key = (dir_ / "admin.key").string();
  ASSERT_NO_FATAL_FAILURE(MakeSelfSigned(cert, key));
  const std::string pipelines =
      "pipelines:\n  p:\n    inputs: [{type: stdin}]\n    outputs: [{type: blackhole}]\n";
  std::string cfg =
      Write("tls", std::string("admin:\n  listen: '127.0.0.1:0'\n  token: ") + kToken +
                       "\n  tls: {cert_file: " + cert + ", key_file: " + key +
                       ", ca_file: " + cert + "}\n" + pipelines);
  Subprocess p({SLUICE_BINARY, "run", "-c", cfg}, RunDir("run"), /*stdin_pipe=*/true);
  const int port = WaitForAdminPort(p);
  ASSERT_GT(port, 0) << p.Stderr();
  EXPECT_NE(p.Stderr().find("admin API on https://127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << p.Stderr();
  const std::string url = "https://127.0.0.1:" + std::to_string(port);
  auto https_get = [&](const std::string& path, const std::string& ca,
                       const httplib::Headers& headers) {
    httplib::Client client(url);
    client.enable_server_certificate_verification(true);
    if (!ca.empty()) client.set_ca_cert_path(ca);
    client.set_connection_timeout(30);
    client.set_read_timeout(120);
    return client.Get(path, headers);
  };
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto r = https_get("/ready", cert, {});
        return r && r->status == 200;
      },
      std::chrono::seconds(30)))
      << p.Stderr();
  auto metrics = https_get("/metrics", cert, Bearer(kToken));
  ASSERT_TRUE(metrics) << httplib::to_string(metrics.error());
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("sluice_component_received_events_total"), std::string::npos);
  auto no_token = https_get("/metrics", cert, {});
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 401);
  // Not trusted (the system's store does not hold a self-signed certificate), and plain HTTP.
  auto untrusted = https_get("/health", "", {});
  EXPECT_FALSE(untrusted);
  EXPECT_EQ(untrusted.error(), httplib::Error::SSLServerVerification);
  auto plain = HttpGet(port, "/health");
  EXPECT_FALSE(plain && plain->status == 200);

  // sluice top reads admin.tls (HTTPS, trusting ca_file) and the token from the config...
  std::string out, err;
  EXPECT_EQ(RunCommand({SLUICE_BINARY, "top", "--once", "-c", cfg, "--admin",
                        "127.0.0.1:" + std::to_string(port)},
                       &out, &err),
            0)
      << err;
  EXPECT_NE(out.find("p"), std::string::npos) << out;
  // ...and without the CA it refuses the certificate and says where it tried.
  EXPECT_NE(
      RunCommand({SLUICE_BINARY, "top", "--once", "--token", kToken, "--admin", url}, &out, &err),
      0);
  EXPECT_NE(err.find(url), std::string::npos) << err;
  EXPECT_EQ(RunCommand({SLUICE_BINARY, "top", "--once", "--token", kToken, "--admin", url,
                        "--ca-file", cert},
                       &out, &err),
            0)
      << err;
  p.CloseStdin();
  EXPECT_EQ(p.WaitFor(std::chrono::seconds(30)), 0) << p.Stderr();
}

// Files that validate accepts (readable PEM) but that do not go together stop `run` at start with
// an error naming them (exit 3), before any pipeline starts.
TEST_F(AdminApiTest, ACertificateAndAKeyThatDoNotMatchStopRun) {
  const std::string cert = (dir_ / "a.crt").string();
  const std::string other_key = (dir_ / "b.key").string();
  ASSERT_NO_FATAL_FAILURE(MakeSelfSigned(cert, (dir_ / "a.key").string()));
  ASSERT_NO_FATAL_FAILURE(MakeSelfSigned((dir_ / "b.crt").string(), other_key));
  std::string cfg =
      Write("mismatch", "admin:\n  listen: '127.0.0.1:0'\n  tls: {cert_file: " + cert +
                            ", key_file: " + other_key +
                            "}\npipelines:\n  p:\n    inputs: [{type: stdin}]\n"
                            "    outputs: [{type: blackhole}]\n");
  Subprocess v({SLUICE_BINARY, "validate", "-c", cfg}, RunDir("validate"));
  EXPECT_EQ(v.Wait(), 0) << v.Stderr();
  Subprocess p({SLUICE_BINARY, "run", "-c", cfg}, RunDir("run"), /*stdin_pipe=*/true);
  EXPECT_EQ(p.WaitFor(std::chrono::seconds(60)), 3) << p.Stderr();
  EXPECT_NE(p.Stderr().find("admin.tls: cannot load " + cert + " and " + other_key),
            std::string::npos)
      << p.Stderr();
}

TEST_F(AdminApiTest, TlsFilesAreCheckedByValidate) {
  const std::string pem = (dir_ / "not-a-cert.pem").string();
  std::ofstream(pem) << "just text\n";
  const std::string pipelines =
      "pipelines:\n  p:\n    inputs: [{type: stdin}]\n    outputs: [{type: blackhole}]\n";
  const std::string missing = (dir_ / "missing.crt").string();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{cert_file: " + missing + ", key_file: " + pem + "}",
       "cert_file: cannot read " + missing + ": No such file or directory"},
      {"{cert_file: " + pem + ", key_file: " + pem + "}", "is not PEM (no -----BEGIN line)"},
      {"{key_file: " + pem + "}", "key_file is set without cert_file"},
  };
  int n = 0;
  for (const auto& [tls, error] : cases) {
    std::string cfg = Write("bad-tls", "admin:\n  tls: " + tls + "\n" + pipelines);
    Subprocess v({SLUICE_BINARY, "validate", "-c", cfg}, RunDir("validate-" + std::to_string(n++)));
    EXPECT_NE(v.Wait(), 0) << tls;
    EXPECT_NE(v.Stderr().find(error), std::string::npos) << v.Stderr();
    EXPECT_NE(v.Stderr().find(cfg + ":3:8: admin.tls: "), std::string::npos) << v.Stderr();
  }
}

}  // namespace
}  // namespace sluice::testing
