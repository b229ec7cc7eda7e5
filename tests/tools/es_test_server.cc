// es_test_server: an Elasticsearch stand-in on 127.0.0.1 for the elasticsearch output's tests
// (no real Elasticsearch can be installed on the test machines). It keeps documents in memory and
// answers the part of the REST API Sluice uses the way Elasticsearch 8 does:
//
//   GET  /                              cluster info with version.number
//        https://www.elastic.co/guide/en/elasticsearch/reference/current/rest-api-root.html
//   POST /_bulk, POST /<index>/_bulk    NDJSON `index` and `create` actions (gzip bodies too);
//                                       HTTP 200 with one item per action in order, each with its
//                                       `status` and, when it failed, `error.type`/`error.reason`;
//                                       `errors: true` when any item failed; `create` of an
//                                       existing `_id` is 409 version_conflict_engine_exception;
//                                       `index` of an existing `_id` overwrites it (result
//                                       "updated", `_version` + 1); an invalid index name is 400
//                                       invalid_index_name_exception; a body that is not NDJSON
//                                       is a whole-request 400 (x_content_parse_exception)
//        https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-bulk.html
//        https://www.elastic.co/guide/en/elasticsearch/reference/current/indices-create-index.html
//          (index name rules)
//   PUT  /_index_template/<name>        stores the template; {"acknowledged":true}
//   GET  /_index_template/<name>        {"index_templates":[{"name":...,"index_template":...}]}
//        https://www.elastic.co/guide/en/elasticsearch/reference/current/indices-put-template.html
//   GET  /<index>/_count                {"count":N}; `<index>` may end with `*`
//        https://www.elastic.co/guide/en/elasticsearch/reference/current/search-count.html
//   GET  /_test/docs                    (test only) every document, one JSON line each:
//                                       {"_index":...,"_id":...,"_version":N,"_source":{...}}
//
// With `--discard` (benchmarks) items are answered as created without being parsed or kept.
// With `--auth user:password`, `--api-key KEY` or `--bearer TOKEN`, requests without the matching
// `Authorization` header get 401 security_exception, as Elasticsearch's security does.
//
//   es_test_server [--port N] [--discard] [--auth USER:PASSWORD] [--api-key KEY] [--bearer TOKEN]
//                  [--tls CERT KEY [--client-ca CA]]
// With `--tls` it speaks HTTPS with that certificate; `--client-ca` also asks every client for a
// certificate that CA signed (TLS client authentication).
//
// Prints `port=N` once it listens. Then it reads fault commands, one per line, from stdin and
// answers each with `ok N` (N counts the commands) on stdout:
//   reject FRACTION        that fraction of bulk items gets 429 es_rejected_execution_exception
//                          (Elasticsearch's answer when its write queue is full)
//   mapping FIELD long     documents whose FIELD (dotted path) is not an integer get 400
//                          document_parsing_exception, as a `long` mapping makes Elasticsearch do
//   unavailable COUNT      the next COUNT bulk requests get a whole-request 503
//   max_bytes N            bulk bodies above N bytes get 413 (http.max_content_length); 0: off
//   item_error COUNT STATUS TYPE
//                          the next COUNT bulk items get STATUS with error.type TYPE (e.g.
//                          `item_error 500 403 security_exception`: a user without the index
//                          privilege; `404 index_not_found_exception`: auto-create off)
//   delay COUNT MS         the next COUNT bulk requests are answered after MS milliseconds
//   down SECONDS           stops listening (connections are refused) for SECONDS
//   stats                  answers `ok N docs=D created=C updated=U conflicts=X rejected=R
//                          mapping_errors=M bulk_requests=B unavailable=V too_large=T
//                          item_errors=E pipelined=P` (P: bulk requests with ?pipeline=)
// Exit status: 0 when stdin closes, 2 on bad arguments, 1 when it cannot listen.

#include <httplib.h>
#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>

namespace {

struct Doc {
  std::string source;
  int64_t version = 1;
};

struct State {
  std::mutex mu;
  std::map<std::string, std::map<std::string, Doc>> indices;
  std::map<std::string, std::string> templates;
  uint64_t next_id = 0;
  // Faults.
  double reject = 0;
  std::string mapping_field;  // a JSON pointer: /spark/executor_id
  int unavailable_left = 0;
  size_t max_bytes = 0;
  int delay_left = 0;
  int item_error_left = 0;
  int item_error_status = 0;
  std::string item_error_type;
  int delay_ms = 0;
  std::mt19937_64 random{42};
  // Counters.
  uint64_t created = 0, updated = 0, conflicts = 0, rejected = 0, mapping_errors = 0;
  uint64_t bulk_requests = 0, unavailable = 0, too_large = 0, item_errors = 0;
  uint64_t pipelined = 0;  // bulk requests naming an ingest pipeline (?pipeline=)
  // Credentials.
  std::string authorization;  // the expected header value; empty: no security
  bool discard = false;
};

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string ErrorBody(int status, std::string_view type, std::string_view reason) {
  return "{\"error\":{\"root_cause\":[{\"type\":" + JsonString(type) +
         ",\"reason\":" + JsonString(reason) + "}],\"type\":" + JsonString(type) +
         ",\"reason\":" + JsonString(reason) + "},\"status\":" + std::to_string(status) + "}";
}

// Elasticsearch's index name rules: lowercase, none of \ / * ? " < > | space , #, not starting
// with - _ +, not . or .., at most 255 bytes.
std::string InvalidIndexReason(std::string_view name) {
  if (name.empty()) return "must not be empty";
  if (name == "." || name == "..") return "must not be '.' or '..'";
  if (name.front() == '-' || name.front() == '_' || name.front() == '+') {
    return "must not start with '_', '-', or '+'";
  }
  if (name.size() > 255) return "index name is too long";
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') return "must be lowercase";
    if (std::string_view("\\/*?\"<>| ,#:").find(c) != std::string_view::npos) {
      return "must not contain the following characters [ , \", *, \\, <, |, ,, >, /, ?]";
    }
  }
  return "";
}

bool Authorized(State& s, const httplib::Request& req, httplib::Response& res) {
  if (s.authorization.empty()) return true;
  if (req.get_header_value("Authorization") == s.authorization) return true;
  res.status = 401;
  res.set_header("WWW-Authenticate", "Basic realm=\"security\" charset=\"UTF-8\"");
  res.set_content(ErrorBody(401, "security_exception",
                            "unable to authenticate user for REST request [" + req.path + "]"),
                  "application/json");
  return false;
}

// One bulk item: appends its result object to `items`; true when it failed.
bool BulkItem(State& s, std::string_view action, const std::string& index, std::string id,
              std::string_view source, std::string& items) {
  auto failed = [&](int status, std::string_view type, std::string_view reason) {
    items += "{" + JsonString(action) + ":{\"_index\":" + JsonString(index) +
             ",\"_id\":" + JsonString(id) + ",\"status\":" + std::to_string(status) +
             ",\"error\":{\"type\":" + JsonString(type) + ",\"reason\":" + JsonString(reason) +
             "}}}";
    return true;
  };
  if (std::string why = InvalidIndexReason(index); !why.empty()) {
    return failed(400, "invalid_index_name_exception",
                  "Invalid index name [" + index + "], " + why);
  }
  if (s.item_error_left > 0) {
    --s.item_error_left;
    ++s.item_errors;
    return failed(s.item_error_status, s.item_error_type,
                  "injected by es_test_server for [" + index + "]");
  }
  if (s.reject > 0 && std::uniform_real_distribution<double>(0, 1)(s.random) < s.reject) {
    ++s.rejected;
    return failed(429, "es_rejected_execution_exception",
                  "rejected execution of coordinating operation [shard_detail=[" + index +
                      "][0][P]] (injected by es_test_server)");
  }
  if (s.discard) {
    ++s.created;
    items += "{" + JsonString(action) + ":{\"_index\":" + JsonString(index) +
             ",\"_id\":" + JsonString(id) +
             ",\"_version\":1,\"result\":\"created\",\"status\":201}}";
    return false;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(source.data(), source.size()).get(doc) != simdjson::SUCCESS ||
      !doc.is_object()) {
    ++s.mapping_errors;
    return failed(400, "document_parsing_exception", "[1:1] failed to parse: not a JSON object");
  }
  if (!s.mapping_field.empty()) {
    simdjson::dom::element value;
    if (doc.at_pointer(s.mapping_field).get(value) == simdjson::SUCCESS && !value.is_int64()) {
      ++s.mapping_errors;
      std::string field = s.mapping_field.substr(1);
      for (char& c : field) c = c == '/' ? '.' : c;
      return failed(400, "document_parsing_exception",
                    "[1:2] failed to parse field [" + field +
                        "] of type [long] in document with "
                        "id '" +
                        id + "'. Preview of field's value: '" + simdjson::to_string(value) + "'");
    }
  }
  if (id.empty()) id = "auto-" + std::to_string(++s.next_id);
  auto& docs = s.indices[index];
  auto it = docs.find(id);
  int status = 201;
  int64_t version = 1;
  std::string result = "created";
  if (it != docs.end()) {
    if (action == "create") {
      ++s.conflicts;
      return failed(409, "version_conflict_engine_exception",
                    "[" + id + "]: version conflict, document already exists (current version [" +
                        std::to_string(it->second.version) + "])");
    }
    version = ++it->second.version;
    it->second.source = std::string(source);
    status = 200;
    result = "updated";
    ++s.updated;
  } else {
    docs.emplace(id, Doc{std::string(source), 1});
    ++s.created;
  }
  items += "{" + JsonString(action) + ":{\"_index\":" + JsonString(index) +
           ",\"_id\":" + JsonString(id) + ",\"_version\":" + std::to_string(version) +
           ",\"result\":\"" + result +
           "\",\"_shards\":{\"total\":2,\"successful\":1,\"failed\":0},\"_seq_no\":0,"
           "\"_primary_term\":1,\"status\":" +
           std::to_string(status) + "}}";
  return false;
}

void Bulk(State& s, const httplib::Request& req, httplib::Response& res) {
  int delay = 0;
  {
    std::lock_guard lock(s.mu);
    if (!Authorized(s, req, res)) return;
    ++s.bulk_requests;
    if (req.has_param("pipeline")) ++s.pipelined;
    if (s.unavailable_left > 0) {
      --s.unavailable_left;
      ++s.unavailable;
      res.status = 503;
      res.set_content(ErrorBody(503, "cluster_block_exception",
                                "blocked by: [SERVICE_UNAVAILABLE/2/no master];"),
                      "application/json");
      return;
    }
    if (s.delay_left > 0) {
      --s.delay_left;
      delay = s.delay_ms;
    }
  }
  if (delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
  const std::string& body = req.body;  // cpp-httplib inflated a gzip body already
  std::lock_guard lock(s.mu);
  if (s.max_bytes > 0 && body.size() > s.max_bytes) {
    ++s.too_large;
    res.status = 413;
    res.set_content("", "text/plain");
    return;
  }
  std::string default_index = req.has_param("index") ? req.get_param_value("index") : "";
  if (req.path != "/_bulk") default_index = req.path.substr(1, req.path.size() - 7);
  std::string items;
  bool errors = false;
  size_t count = 0;
  simdjson::dom::parser parser;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find('\n', pos);
    if (end == std::string::npos) {
      res.status = 400;
      res.set_content(ErrorBody(400, "illegal_argument_exception",
                                "The bulk request must be terminated by a newline [\\n]"),
                      "application/json");
      return;
    }
    std::string_view line(body.data() + pos, end - pos);
    pos = end + 1;
    if (line.empty()) continue;
    simdjson::dom::element action;
    simdjson::dom::object fields;
    if (parser.parse(line.data(), line.size()).get(action) != simdjson::SUCCESS ||
        action.get_object().get(fields) != simdjson::SUCCESS || fields.size() != 1) {
      res.status = 400;
      res.set_content(
          ErrorBody(400, "x_content_parse_exception",
                    "Malformed action/metadata line [" + std::to_string(count + 1) + "]"),
          "application/json");
      return;
    }
    auto [name, meta] = *fields.begin();
    std::string verb(name);
    std::string index = default_index, id;
    std::string_view text;
    if (meta["_index"].get(text) == simdjson::SUCCESS) index = std::string(text);
    if (meta["_id"].get(text) == simdjson::SUCCESS) id = std::string(text);
    if (verb != "index" && verb != "create") {
      res.status = 400;
      res.set_content(
          ErrorBody(400, "illegal_argument_exception",
                    "es_test_server supports only index and create, not [" + verb + "]"),
          "application/json");
      return;
    }
    end = body.find('\n', pos);
    if (end == std::string::npos) end = body.size();
    std::string_view source(body.data() + pos, end - pos);
    pos = end + 1;
    if (count++ > 0) items += ',';
    errors |= BulkItem(s, verb, index, id, source, items);
  }
  res.set_content("{\"took\":1,\"errors\":" + std::string(errors ? "true" : "false") +
                      ",\"items\":[" + items + "]}",
                  "application/json");
}

bool Matches(const std::string& pattern, const std::string& name) {
  if (!pattern.empty() && pattern.back() == '*') {
    return name.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
  }
  return pattern == name;
}

void Routes(httplib::Server& server, State& s) {
  server.Get("/", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(s.mu);
    if (!Authorized(s, req, res)) return;
    res.set_content(
        "{\"name\":\"es-test-server\",\"cluster_name\":\"sluice-test\",\"version\":{\"number\":"
        "\"8.15.0\",\"build_flavor\":\"default\"},\"tagline\":\"You Know, for Search\"}",
        "application/json");
  });
  server.Post("/_bulk", [&](const auto& req, auto& res) { Bulk(s, req, res); });
  server.Post(R"(/([^/_][^/]*)/_bulk)", [&](const auto& req, auto& res) { Bulk(s, req, res); });
  server.Put(R"(/_index_template/([^/]+))",
             [&](const httplib::Request& req, httplib::Response& res) {
               std::lock_guard lock(s.mu);
               if (!Authorized(s, req, res)) return;
               simdjson::dom::parser parser;
               simdjson::dom::element tpl;
               if (parser.parse(req.body).get(tpl) != simdjson::SUCCESS || !tpl.is_object() ||
                   tpl["index_patterns"].error() != simdjson::SUCCESS) {
                 res.status = 400;
                 res.set_content(ErrorBody(400, "x_content_parse_exception",
                                           "the index template needs index_patterns"),
                                 "application/json");
                 return;
               }
               s.templates[req.matches[1]] = req.body;
               res.set_content("{\"acknowledged\":true}", "application/json");
             });
  server.Get(
      R"(/_index_template/([^/]+))", [&](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard lock(s.mu);
        if (!Authorized(s, req, res)) return;
        auto it = s.templates.find(req.matches[1]);
        if (it == s.templates.end()) {
          res.status = 404;
          res.set_content(
              ErrorBody(404, "resource_not_found_exception",
                        "index template matching [" + std::string(req.matches[1]) + "] not found"),
              "application/json");
          return;
        }
        res.set_content("{\"index_templates\":[{\"name\":" + JsonString(it->first) +
                            ",\"index_template\":" + it->second + "}]}",
                        "application/json");
      });
  server.Get(R"(/([^/_][^/]*)/_count)", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(s.mu);
    if (!Authorized(s, req, res)) return;
    size_t count = 0;
    for (const auto& [name, docs] : s.indices) {
      if (Matches(req.matches[1], name)) count += docs.size();
    }
    res.set_content("{\"count\":" + std::to_string(count) +
                        ",\"_shards\":{\"total\":1,\"successful\":1,\"skipped\":0,\"failed\":0}}",
                    "application/json");
  });
  server.Get("/_test/docs", [&](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(s.mu);
    std::string out;
    for (const auto& [index, docs] : s.indices) {
      for (const auto& [id, doc] : docs) {
        out += "{\"_index\":" + JsonString(index) + ",\"_id\":" + JsonString(id) +
               ",\"_version\":" + std::to_string(doc.version) + ",\"_source\":" + doc.source +
               "}\n";
      }
    }
    res.set_content(out, "application/x-ndjson");
  });
}

std::string Stats(State& s) {
  std::lock_guard lock(s.mu);
  size_t docs = 0;
  for (const auto& [name, d] : s.indices) docs += d.size();
  std::ostringstream out;
  out << "docs=" << docs << " created=" << s.created << " updated=" << s.updated
      << " conflicts=" << s.conflicts << " rejected=" << s.rejected
      << " mapping_errors=" << s.mapping_errors << " bulk_requests=" << s.bulk_requests
      << " unavailable=" << s.unavailable << " too_large=" << s.too_large
      << " item_errors=" << s.item_errors << " pipelined=" << s.pipelined;
  return out.str();
}

}  // namespace

int main(int argc, char** argv) {
  State state;
  int port = 0;
  std::string tls_cert, tls_key, client_ca;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--port" && i + 1 < argc) {
      port = std::atoi(argv[++i]);
    } else if (arg == "--tls" && i + 2 < argc) {
      tls_cert = argv[++i];
      tls_key = argv[++i];
    } else if (arg == "--client-ca" && i + 1 < argc) {
      client_ca = argv[++i];
    } else if (arg == "--discard") {
      state.discard = true;
    } else if (arg == "--auth" && i + 1 < argc) {
      // Basic credentials, as libcurl and every client send them.
      std::string plain = argv[++i];
      static const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
      std::string enc;
      for (size_t j = 0; j < plain.size(); j += 3) {
        uint32_t n = static_cast<unsigned char>(plain[j]) << 16;
        if (j + 1 < plain.size()) n |= static_cast<unsigned char>(plain[j + 1]) << 8;
        if (j + 2 < plain.size()) n |= static_cast<unsigned char>(plain[j + 2]);
        enc += kB64[(n >> 18) & 63];
        enc += kB64[(n >> 12) & 63];
        enc += j + 1 < plain.size() ? kB64[(n >> 6) & 63] : '=';
        enc += j + 2 < plain.size() ? kB64[n & 63] : '=';
      }
      state.authorization = "Basic " + enc;
    } else if (arg == "--api-key" && i + 1 < argc) {
      state.authorization = std::string("ApiKey ") + argv[++i];
    } else if (arg == "--bearer" && i + 1 < argc) {
      state.authorization = std::string("Bearer ") + argv[++i];
    } else {
      std::cerr << "usage: es_test_server [--port N] [--discard] [--auth USER:PASSWORD] "
                   "[--api-key KEY] [--bearer TOKEN] [--tls CERT KEY [--client-ca CA]]\n";
      return 2;
    }
  }
  // The server restarts on the same port after a `down`; the documents live in `state`.
  std::mutex server_mu;
  std::unique_ptr<httplib::Server> server;
  auto make = [&] {
    std::unique_ptr<httplib::Server> s;
    if (tls_cert.empty()) {
      s = std::make_unique<httplib::Server>();
    } else {
      s = std::make_unique<httplib::SSLServer>(tls_cert.c_str(), tls_key.c_str(),
                                               client_ca.empty() ? nullptr : client_ca.c_str());
    }
    s->set_payload_max_length(1ull << 30);
    Routes(*s, state);
    return s;
  };
  server = make();
  if (!server->is_valid()) {
    std::cerr << "es_test_server: cannot use the TLS certificate or key\n";
    return 1;
  }
  if (port == 0) {
    port = server->bind_to_any_port("127.0.0.1");
  } else if (!server->bind_to_port("127.0.0.1", port)) {
    port = -1;
  }
  if (port < 0) {
    std::cerr << "es_test_server: cannot listen on 127.0.0.1\n";
    return 1;
  }
  std::atomic<bool> quit{false};
  std::atomic<int> down_seconds{0};
  std::thread serving([&] {
    while (!quit.load()) {
      httplib::Server* s;
      {
        std::lock_guard lock(server_mu);
        s = server.get();
      }
      s->listen_after_bind();
      if (quit.load()) break;
      std::this_thread::sleep_for(std::chrono::seconds(down_seconds.load()));
      std::lock_guard lock(server_mu);
      server = make();
      while (!quit.load() && !server->bind_to_port("127.0.0.1", port)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  });
  std::cout << "port=" << port << std::endl;
  std::string line;
  int n = 0;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string cmd;
    in >> cmd;
    ++n;
    std::string extra;
    {
      std::lock_guard lock(state.mu);
      if (cmd == "reject") {
        in >> state.reject;
      } else if (cmd == "mapping") {
        std::string field, type;
        in >> field >> type;
        state.mapping_field = "/" + field;
        for (char& c : state.mapping_field) c = c == '.' ? '/' : c;
      } else if (cmd == "unavailable") {
        in >> state.unavailable_left;
      } else if (cmd == "max_bytes") {
        in >> state.max_bytes;
      } else if (cmd == "item_error") {
        in >> state.item_error_left >> state.item_error_status >> state.item_error_type;
      } else if (cmd == "delay") {
        in >> state.delay_left >> state.delay_ms;
      }
    }
    if (cmd == "down") {
      int seconds = 0;
      in >> seconds;
      down_seconds = seconds;
      std::lock_guard lock(server_mu);
      server->stop();
    } else if (cmd == "stats") {
      extra = " " + Stats(state);
    }
    std::cout << "ok " << n << extra << std::endl;
  }
  quit = true;
  {
    std::lock_guard lock(server_mu);
    server->stop();
  }
  serving.join();
  return 0;
}
