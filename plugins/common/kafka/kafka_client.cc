#include "plugins/common/kafka/kafka_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <string_view>

#include "plugins/common/ca_bundle.h"

namespace sluice::common {

const config::OptionSchema<KafkaTlsOptions>& KafkaTlsOptions::Schema() {
  static const auto* schema =
      &(*new config::OptionSchema<KafkaTlsOptions>())
           .Add("enabled", &KafkaTlsOptions::enabled,
                "Connect with TLS (`security.protocol` SSL, or SASL_SSL with `sasl`).")
           .Add("ca_file", &KafkaTlsOptions::ca_file,
                "PEM file of the CA certificates to trust; empty: the system's store.",
                {.example = "/etc/ssl/certs/ca-certificates.crt"})
           .Add("cert_file", &KafkaTlsOptions::cert_file, "PEM client certificate, for mutual TLS.")
           .Add("key_file", &KafkaTlsOptions::key_file, "PEM private key of `cert_file`.")
           .Add("key_password", &KafkaTlsOptions::key_password,
                "Password of `key_file`, when it is encrypted.", {.secret = true})
           .Add("verify", &KafkaTlsOptions::verify,
                "Verify the brokers' certificates and host names. `false` is for tests only and "
                "logs a warning.");
  return *schema;
}

const config::OptionSchema<KafkaSaslOptions>& KafkaSaslOptions::Schema() {
  static const auto* schema =
      &(*new config::OptionSchema<KafkaSaslOptions>())
           .Add("mechanism", &KafkaSaslOptions::mechanism,
                "`PLAIN`, `SCRAM-SHA-256` or `SCRAM-SHA-512` (MSK: SCRAM-SHA-512); `none` or "
                "empty: no SASL.")
           .Add("username", &KafkaSaslOptions::username, "SASL user name.",
                {.example = "${KAFKA_USER}"})
           .Add("password", &KafkaSaslOptions::password, "SASL password.",
                {.example = "${KAFKA_PASSWORD}", .secret = true});
  return *schema;
}

std::string CheckLibrdkafkaProperties(const std::map<std::string, std::string>& properties) {
  if (properties.empty()) return "";
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::string error;
  char errstr[512];
  for (const auto& [key, value] : properties) {
    // Properties that make librdkafka run a command or load code: nothing in a config may.
    static constexpr std::string_view kRefused[] = {"sasl.kerberos.kinit.cmd",
                                                    "plugin.library.paths", "ssl.engine.location"};
    if (std::find(std::begin(kRefused), std::end(kRefused), key) != std::end(kRefused)) {
      error = fmt::format(
          "librdkafka: property '{}' is refused: it makes librdkafka run a command or load a "
          "library, and nothing in a Sluice config may (remove it)",
          key);
      break;
    }
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof(errstr)) !=
        RD_KAFKA_CONF_OK) {
      error = fmt::format("librdkafka: property '{}': {}", key, errstr);
      break;
    }
  }
  rd_kafka_conf_destroy(conf);
  return error;
}

namespace {

void OnLog(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  auto* hooks = static_cast<KafkaClientHooks*>(rd_kafka_opaque(rk));
  if (hooks == nullptr) return;
  // syslog levels: 0-3 error, 4 warning, 5-6 info, 7 debug.
  LogLevel ours = level <= 3   ? LogLevel::kError
                  : level == 4 ? LogLevel::kWarn
                  : level <= 6 ? LogLevel::kInfo
                               : LogLevel::kDebug;
  hooks->kafka_logger().Log(ours, "librdkafka {}: {}", facility, message);
}

void OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto* hooks = static_cast<KafkaClientHooks*>(opaque);
  if (hooks == nullptr) return;
  auto code = static_cast<rd_kafka_resp_err_t>(err);
  bool fatal = false;
  std::string text = reason;
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    char errstr[512];
    code = rd_kafka_fatal_error(rk, errstr, sizeof(errstr));
    text = errstr;
    fatal = true;
  }
  hooks->OnKafkaError(rk, code, text, fatal);
}

}  // namespace

Result<KafkaClient> NewKafkaClient(rd_kafka_type_t type, const KafkaConnection& connection,
                                   const std::vector<std::pair<std::string, std::string>>& defaults,
                                   KafkaClientHooks* hooks, void (*callbacks)(rd_kafka_conf_t*),
                                   const std::vector<std::string>& embedded_topics) {
  KafkaClient out;
  if (connection.brokers == "embedded") {
    std::string error;
    out.embedded = EmbeddedKafka::Acquire(&error);
    if (!out.embedded) return Internal("brokers: embedded: " + error);
    out.bootstrap_servers = out.embedded->bootstrap_servers();
    for (const std::string& topic : embedded_topics) out.embedded->EnsureTopic(topic);
  } else {
    out.bootstrap_servers = connection.brokers;
  }
  std::vector<std::pair<std::string, std::string>> settings = defaults;
  settings.emplace_back("bootstrap.servers", out.bootstrap_servers);
  const bool sasl = connection.sasl.mechanism != KafkaSaslMechanism::kNone;
  const bool tls = connection.tls.enabled;
  settings.emplace_back("security.protocol",
                        sasl ? (tls ? "sasl_ssl" : "sasl_plaintext") : (tls ? "ssl" : "plaintext"));
  if (tls) {
    const KafkaTlsOptions& t = connection.tls;
    // No ca_file: the system's bundle, found per distribution (the packaged binary's OpenSSL is
    // static, its own default path Debian's); `librdkafka: {ssl.ca.location: ...}` still wins.
    const std::string& ca_file = t.ca_file.empty() ? SystemCaBundle() : t.ca_file;
    if (!ca_file.empty()) settings.emplace_back("ssl.ca.location", ca_file);
    if (!t.cert_file.empty()) settings.emplace_back("ssl.certificate.location", t.cert_file);
    if (!t.key_file.empty()) settings.emplace_back("ssl.key.location", t.key_file);
    if (!t.key_password.empty()) settings.emplace_back("ssl.key.password", t.key_password);
    if (!t.verify) {
      settings.emplace_back("enable.ssl.certificate.verification", "false");
      settings.emplace_back("ssl.endpoint.identification.algorithm", "none");
      if (hooks) {
        hooks->kafka_logger().Warn(
            "tls.verify is false: the brokers' certificates are not checked (anyone on the path "
            "can read and change the data); use it for tests only");
      }
    }
  }
  if (sasl) {
    settings.emplace_back("sasl.mechanisms", config::EnumNameOf(connection.sasl.mechanism));
    settings.emplace_back("sasl.username", connection.sasl.username);
    settings.emplace_back("sasl.password", connection.sasl.password);
  }
  for (const auto& kv : connection.librdkafka) settings.push_back(kv);

  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[512];
  for (const auto& [key, value] : settings) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof(errstr)) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return InvalidArgument(fmt::format("librdkafka property '{}': {}", key, errstr));
    }
  }
  rd_kafka_conf_set_opaque(conf, hooks);
  rd_kafka_conf_set_log_cb(conf, OnLog);
  rd_kafka_conf_set_error_cb(conf, OnError);
  if (callbacks != nullptr) callbacks(conf);
  // rd_kafka_new() owns `conf` once it succeeds.
  out.rk = rd_kafka_new(type, conf, errstr, sizeof(errstr));
  if (out.rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return InvalidArgument(fmt::format("cannot create the Kafka {}: {}",
                                       type == RD_KAFKA_PRODUCER ? "producer" : "consumer",
                                       errstr));
  }
  return out;
}

bool IsKafkaSetupError(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR__SSL:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_SASL_MECHANISM:
    case RD_KAFKA_RESP_ERR_ILLEGAL_SASL_STATE:
      return true;
    default:
      return false;
  }
}

KafkaErrorKind ClassifyKafkaError(rd_kafka_resp_err_t err, bool fatal, std::string_view reason) {
  if (fatal) return KafkaErrorKind::kFatal;
  if (IsKafkaSetupError(err)) return KafkaErrorKind::kSetup;
  if (err == RD_KAFKA_RESP_ERR__TRANSPORT && reason.find("SSL handshake failed") != reason.npos) {
    return KafkaErrorKind::kSetup;
  }
  if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || err == RD_KAFKA_RESP_ERR__RESOLVE) {
    return KafkaErrorKind::kUnreachable;
  }
  return KafkaErrorKind::kOther;
}

}  // namespace sluice::common
