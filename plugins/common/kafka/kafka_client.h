// What every Kafka plugin (the kafka input and output) shares: the connection options (brokers,
// TLS, SASL, raw librdkafka properties) and their schema, making a librdkafka client from them,
// and routing librdkafka's logs and errors to the plugin's logger. `brokers: embedded` connects
// to the process's embedded mock cluster (kafka_embedded.h) instead of real brokers.
// Thread-safety: the option helpers are pure; KafkaClientHooks methods are called from librdkafka's
// threads.
#pragma once

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/log.h"
#include "pipeline/options/option_schema.h"
#include "pipeline/status.h"
#include "plugins/common/kafka/kafka_embedded.h"

namespace sluice::common {

// What a Kafka message holds: one event as a JSON object (Sluice's own encoding) or the event's
// message bytes alone. The kafka output's `encoding`, the kafka input's `decode`.
enum class KafkaPayload : uint8_t { kJson, kRaw };
inline constexpr config::EnumName<KafkaPayload> kKafkaPayloadNames[] = {
    {"json", KafkaPayload::kJson}, {"raw", KafkaPayload::kRaw}};
constexpr std::span<const config::EnumName<KafkaPayload>> OptionNames(KafkaPayload) {
  return kKafkaPayloadNames;
}

struct KafkaTlsOptions {
  bool enabled = false;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string key_password;
  bool verify = true;
  static const config::OptionSchema<KafkaTlsOptions>& Schema();
};

// The SASL mechanism of a connection (`sasl.mechanism`), named as librdkafka's
// `sasl.mechanisms` takes it. kNone: no SASL, named `none` or left empty (as configs did before
// `none` existed); "" comes first, so EnumNameOf(kNone) is "" (the docs show no default) and an
// "expected one of" message does not list it.
enum class KafkaSaslMechanism : uint8_t { kNone, kPlain, kScramSha256, kScramSha512 };
inline constexpr config::EnumName<KafkaSaslMechanism> kKafkaSaslMechanismNames[] = {
    {"", KafkaSaslMechanism::kNone},
    {"none", KafkaSaslMechanism::kNone},
    {"PLAIN", KafkaSaslMechanism::kPlain},
    {"SCRAM-SHA-256", KafkaSaslMechanism::kScramSha256},
    {"SCRAM-SHA-512", KafkaSaslMechanism::kScramSha512}};
constexpr std::span<const config::EnumName<KafkaSaslMechanism>> OptionNames(KafkaSaslMechanism) {
  return kKafkaSaslMechanismNames;
}

struct KafkaSaslOptions {
  KafkaSaslMechanism mechanism = KafkaSaslMechanism::kNone;
  std::string username;
  std::string password;
  static const config::OptionSchema<KafkaSaslOptions>& Schema();
};

// The connection part of a Kafka plugin's options, as one value for NewKafkaClient().
struct KafkaConnection {
  std::string brokers;
  KafkaTlsOptions tls;
  KafkaSaslOptions sasl;
  std::map<std::string, std::string> librdkafka;
};

// "" when every key of `properties` is a librdkafka property that takes its value, else the error
// librdkafka gives for the first that does not (checked without connecting anywhere).
std::string CheckLibrdkafkaProperties(const std::map<std::string, std::string>& properties);

// A new schema (never freed: a plugin keeps it in a function-local static) for the Options of a
// Kafka plugin, holding `brokers`, `tls`, `sasl` and `librdkafka` (members of those names, which
// KafkaConnectionOf() gathers); the plugin adds its own options to it.
template <typename Options>
config::OptionSchema<Options>& NewKafkaOptionSchema() {
  auto* schema = new config::OptionSchema<Options>();
  schema
      ->Add("brokers", &Options::brokers,
            "Bootstrap brokers, `host:port` separated by commas; `embedded` starts (or joins) the "
            "process's in-memory mock Kafka cluster (3 brokers, for demos and tests).",
            {.required = true,
             .non_empty = true,
             .example = "b-1.msk.example.com:9092,b-2.msk.example.com:9092"})
      .Add("tls", &Options::tls, "TLS to the brokers (see below).")
      .Add("sasl", &Options::sasl,
           "SASL authentication (see below); over TLS when `tls.enabled` is true.")
      .Add("librdkafka", &Options::librdkafka,
           "Any librdkafka property (https://github.com/confluentinc/librdkafka/blob/master/"
           "CONFIGURATION.md), applied last, so it overrides what Sluice sets.",
           {.example = "{socket.keepalive.enable: 'true'}", .secret_entries = true})
      .Check([](const Options& o) -> std::string {
        if (o.sasl.mechanism != KafkaSaslMechanism::kNone && o.sasl.username.empty()) {
          return "sasl.username is required with sasl.mechanism " +
                 std::string(config::EnumNameOf(o.sasl.mechanism));
        }
        return CheckLibrdkafkaProperties(o.librdkafka);
      });
  return *schema;
}

template <typename Options>
KafkaConnection KafkaConnectionOf(const Options& o) {
  return KafkaConnection{o.brokers, o.tls, o.sasl, o.librdkafka};
}

// The callbacks librdkafka makes into a plugin: logs and client-level errors. The plugin sets
// itself as the handle's opaque (NewKafkaClient does).
class KafkaClientHooks {
 public:
  virtual ~KafkaClientHooks() = default;
  virtual const Logger& kafka_logger() const = 0;
  // A client-level error (all brokers down, authentication failed, a fatal producer error).
  // `fatal`: the handle is unusable (rd_kafka_fatal_error).
  virtual void OnKafkaError(rd_kafka_t* rk, rd_kafka_resp_err_t err, const std::string& reason,
                            bool fatal) = 0;
};

// A librdkafka client (producer or consumer) and the embedded cluster it uses (kept alive as long
// as the client). The caller owns `rk` (rd_kafka_destroy).
struct KafkaClient {
  rd_kafka_t* rk = nullptr;
  std::shared_ptr<EmbeddedKafka> embedded;
  std::string bootstrap_servers;  // what `brokers` named, or the embedded cluster's
};

// Makes a client of `type` (RD_KAFKA_PRODUCER or RD_KAFKA_CONSUMER). Its configuration: `defaults`
// first (the plugin's tuned values), then what the options imply (bootstrap servers, security
// protocol, TLS and SASL settings), then the user's `librdkafka:` properties, which win; logs and
// errors go to `hooks` (the handle's opaque), and `callbacks` sets the plugin's own (rebalance,
// delivery reports). With `brokers: embedded`, `embedded_topics` are created in the embedded
// cluster first. Fails with InvalidArgument naming the property librdkafka refused, or saying why
// the handle could not be made; Internal when the embedded cluster cannot start.
Result<KafkaClient> NewKafkaClient(rd_kafka_type_t type, const KafkaConnection& connection,
                                   const std::vector<std::pair<std::string, std::string>>& defaults,
                                   KafkaClientHooks* hooks, void (*callbacks)(rd_kafka_conf_t*),
                                   const std::vector<std::string>& embedded_topics);

// True for errors that mean the client cannot work until someone fixes the setup (credentials,
// ACLs, TLS): they make the plugin unready.
bool IsKafkaSetupError(rd_kafka_resp_err_t err);

// What a client-level error (KafkaClientHooks::OnKafkaError) means for the plugin's readiness.
enum class KafkaErrorKind {
  kFatal,        // the handle is unusable (rd_kafka_fatal_error)
  kSetup,        // IsKafkaSetupError: credentials, ACLs, TLS
  kUnreachable,  // no broker answers (all down, or their names do not resolve)
  kOther,        // one broker's trouble and the like: librdkafka copes, worth a warning
};
// `reason` is librdkafka's text: a failed TLS handshake has no code of its own (it comes as a
// transport error), only its text tells it from a dropped connection.
KafkaErrorKind ClassifyKafkaError(rd_kafka_resp_err_t err, bool fatal, std::string_view reason);

}  // namespace sluice::common
