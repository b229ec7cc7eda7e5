// kafka_mock_cluster: starts librdkafka's in-process mock Kafka cluster (the real Kafka protocol,
// brokers listening on 127.0.0.1) and prints its bootstrap servers, so that integration tests and
// outside clients (kcat) have a Kafka without a server install. Runs until SIGTERM/SIGINT or until
// its stdin closes (a test that dies takes the cluster with it).
//
//   kafka_mock_cluster [--brokers N] [--topic NAME:PARTITIONS[:REPLICATION]]...
//
// Prints one line, `bootstrap.servers=HOST:PORT,...`, once the cluster is up. Exit status: 0 after
// a clean stop, 1 when the cluster cannot start, 2 on bad arguments.

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

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

  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // Quiet the "no bootstrap.servers" warning: this client never connects anywhere.
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
  // The mock cluster needs a client instance to live in; a producer that sends nothing.
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (rk == nullptr) {
    std::fprintf(stderr, "kafka_mock_cluster: cannot create the client: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (cluster == nullptr) {
    std::fprintf(stderr, "kafka_mock_cluster: cannot start the mock cluster\n");
    rd_kafka_destroy(rk);
    return 1;
  }
  for (const TopicSpec& t : topics) {
    rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(cluster, t.name.c_str(), t.partitions, t.replication);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::fprintf(stderr, "kafka_mock_cluster: cannot create topic %s: %s\n", t.name.c_str(),
                   rd_kafka_err2str(err));
      rd_kafka_mock_cluster_destroy(cluster);
      rd_kafka_destroy(rk);
      return 1;
    }
  }
  std::printf("bootstrap.servers=%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  std::fflush(stdout);

  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  // Wait for a signal or for stdin to close (EOF or error), whichever comes first.
  while (!g_stop) {
    pollfd in = {STDIN_FILENO, POLLIN, 0};
    int n = poll(&in, 1, 200);
    if (n > 0) {
      char buf[256];
      ssize_t got = read(STDIN_FILENO, buf, sizeof(buf));
      if (got <= 0) break;
    }
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
