// kafka_mock_cluster: starts librdkafka's in-process mock Kafka cluster (the real Kafka protocol,
// brokers listening on 127.0.0.1) and prints its bootstrap servers, so that integration tests and
// outside clients (kcat) have a Kafka without a server install. Runs until SIGTERM/SIGINT or until
// its stdin closes (a test that dies takes the cluster with it).
//
//   kafka_mock_cluster [--brokers N] [--topic NAME:PARTITIONS[:REPLICATION]]...
//
// Prints one line, `bootstrap.servers=HOST:PORT,...`, once the cluster is up. Then it reads fault
// commands, one per line, from stdin, and answers each with `ok N` (N counts the commands) or
// `error N: ...` on stdout:
//   down BROKER            rd_kafka_mock_broker_set_down (brokers are numbered from 1)
//   up BROKER              rd_kafka_mock_broker_set_up
//   errors API_KEY COUNT ERROR
//                          the next COUNT requests of API_KEY (0 Produce, 1 Fetch, 8 OffsetCommit,
//                          ...) fail with Kafka error code ERROR (6 NOT_LEADER_OR_FOLLOWER, 7
//                          REQUEST_TIMED_OUT, ...): rd_kafka_mock_push_request_errors
//   topic_error TOPIC ERROR
//                          metadata answers give TOPIC the error (3 UNKNOWN_TOPIC_OR_PART: the
//                          topic does not exist and is not created); 0 clears it
// Exit status: 0 after a clean stop, 1 when the cluster cannot start, 2 on bad arguments.

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "plugins/common/kafka/kafka_embedded.h"

namespace {

struct TopicSpec {
  std::string name;
  int partitions = 1;
  int replication = 1;
};

[[noreturn]] void Usage(const std::string& problem) {
  std::fprintf(stderr,
               "kafka_mock_cluster: %s\nusage: kafka_mock_cluster [--brokers N] "
               "[--topic NAME:PARTITIONS[:REPLICATION]]...\n",
               problem.c_str());
  std::exit(2);
}

int ParsePositive(std::string_view text, const char* what) {
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 1) {
    Usage(std::string(what) + ": expected a positive integer, got '" + std::string(text) + "'");
  }
  return v;
}

TopicSpec ParseTopic(std::string_view spec) {
  TopicSpec t;
  size_t colon = spec.find(':');
  t.name = std::string(spec.substr(0, colon));
  if (t.name.empty()) Usage("--topic: expected NAME:PARTITIONS[:REPLICATION]");
  if (colon == std::string_view::npos) return t;
  std::string_view rest = spec.substr(colon + 1);
  size_t colon2 = rest.find(':');
  t.partitions = ParsePositive(rest.substr(0, colon2), "--topic partitions");
  if (colon2 != std::string_view::npos) {
    t.replication = ParsePositive(rest.substr(colon2 + 1), "--topic replication");
  }
  return t;
}

// Runs one fault command; returns "" or what is wrong with it.
std::string RunCommand(rd_kafka_mock_cluster_t* cluster, const std::string& line) {
  std::istringstream in(line);
  std::string verb;
  in >> verb;
  if (verb == "down" || verb == "up") {
    int broker = 0;
    if (!(in >> broker)) return "usage: " + verb + " BROKER";
    rd_kafka_resp_err_t err = verb == "down" ? rd_kafka_mock_broker_set_down(cluster, broker)
                                             : rd_kafka_mock_broker_set_up(cluster, broker);
    return err == RD_KAFKA_RESP_ERR_NO_ERROR ? "" : rd_kafka_err2str(err);
  }
  if (verb == "errors") {
    int api_key = 0, count = 0, error = 0;
    if (!(in >> api_key >> count >> error) || count < 1) {
      return "usage: errors API_KEY COUNT ERROR";
    }
    std::vector<rd_kafka_resp_err_t> errors(static_cast<size_t>(count),
                                            static_cast<rd_kafka_resp_err_t>(error));
    rd_kafka_mock_push_request_errors_array(cluster, static_cast<int16_t>(api_key),
                                            static_cast<size_t>(count), errors.data());
    return "";
  }
  if (verb == "topic_error") {
    std::string topic;
    int error = 0;
    if (!(in >> topic >> error)) return "usage: topic_error TOPIC ERROR";
    rd_kafka_mock_topic_set_error(cluster, topic.c_str(), static_cast<rd_kafka_resp_err_t>(error));
    return "";
  }
  return "unknown command '" + verb + "' (down, up, errors, topic_error)";
}

volatile sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

}  // namespace

int main(int argc, char** argv) {
  int brokers = 3;
  std::vector<TopicSpec> topics;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) Usage(std::string(arg) + " needs a value");
      return argv[++i];
    };
    if (arg == "--brokers") {
      brokers = ParsePositive(value(), "--brokers");
    } else if (arg == "--topic") {
      topics.push_back(ParseTopic(value()));
    } else {
      Usage("unknown argument: " + std::string(arg));
    }
  }

  std::string error;
  std::unique_ptr<sluice::common::EmbeddedKafka> kafka =
      sluice::common::EmbeddedKafka::Start(brokers, &error);
  if (!kafka) {
    std::fprintf(stderr, "kafka_mock_cluster: %s\n", error.c_str());
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = kafka->cluster();
  for (const TopicSpec& t : topics) {
    rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(cluster, t.name.c_str(), t.partitions, t.replication);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::fprintf(stderr, "kafka_mock_cluster: cannot create topic %s: %s\n", t.name.c_str(),
                   rd_kafka_err2str(err));
      return 1;
    }
  }
  std::printf("bootstrap.servers=%s\n", kafka->bootstrap_servers().c_str());
  std::fflush(stdout);

  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  // Serve commands until a signal comes or stdin closes (EOF or error).
  std::string pending;
  int commands = 0;
  while (!g_stop) {
    pollfd in = {STDIN_FILENO, POLLIN, 0};
    int n = poll(&in, 1, 200);
    if (n <= 0) continue;
    char buf[256];
    ssize_t got = read(STDIN_FILENO, buf, sizeof(buf));
    if (got <= 0) break;
    pending.append(buf, static_cast<size_t>(got));
    for (size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
      std::string line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      if (line.empty()) continue;
      ++commands;
      std::string problem = RunCommand(cluster, line);
      if (problem.empty()) {
        std::printf("ok %d\n", commands);
      } else {
        std::printf("error %d: %s\n", commands, problem.c_str());
      }
      std::fflush(stdout);
    }
  }
  return 0;
}
