// `sluice tap PATTERN...`: prints samples of the events passing the components of a running
// instance that the patterns name (`PIPELINE.COMPONENT`, globs: `spark.*`, `*.grok`), as they
// pass, through GET /api/v1/tap (pipeline/tap.h): one per line, as JSON ({"component", "kind",
// "event"}) or as text (`spark.grok filter  <the event's message>`), until `--limit` samples or
// Ctrl-C. Samples the server could not take (its rate, or this terminal reading too slowly) are
// reported on stderr (`tap: 120 sample(s) missed`); the pipeline's events are never affected.
// Exit codes: 0; 1 no component matches (the components are listed); 2 usage; 3 the instance
// could not be asked.
// Thread-safety: runs on the main thread.
#pragma once

#include <string>
#include <vector>

#include "agent/admin_client.h"

namespace sluice::agent {

struct TapFlags {
  std::vector<std::string> patterns;
  size_t limit = 0;   // 0: no limit
  double rate = 100;  // samples per second
  std::string format = "json";
};

int TapCommand(const AdminClientFlags& admin, const TapFlags& flags);

}  // namespace sluice::agent
