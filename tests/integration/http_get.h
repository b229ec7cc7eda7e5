// HttpGet: the integration tests' HTTP call to a local server (the sluice admin API, the test
// servers in tests/tools), with room for a loaded 2-core machine under ASan: a test helper that
// times out first would report an empty answer where the server was only slow. cpp-httplib's
// own default read timeout is 5 s, which a 200,000-document answer can exceed there.
#pragma once

#include <httplib.h>

#include <string>

namespace sluice::testing {

// GET http://127.0.0.1:PORT/PATH; the Result is false when no answer came within 120 s.
inline httplib::Result HttpGet(int port, const std::string& path,
                               const httplib::Headers& headers = {}) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(30);
  client.set_read_timeout(120);
  client.set_write_timeout(30);
  return client.Get(path, headers);
}

}  // namespace sluice::testing
