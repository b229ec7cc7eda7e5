// Config tests: what `sluice test` runs. A config's top-level `tests:` section lists cases; each
// feeds input text through one pipeline's filter chain (framed into events the way the pipeline's
// first input would, multiline rules included) and compares what comes out with what the case
// expects: field values, absent fields, tags, the event time, which outputs an event is routed to,
// or that everything was dropped. No input or output runs: no I/O beyond reading the config.
//
//   tests:
//     - name: a Spark error keeps its stack trace
//       pipeline: spark                # optional when the config has one pipeline
//       input: |                       # or `events: [...]`: each string is one event, verbatim
//         17/06/09 20:10:40 ERROR executor.Executor: boom
//         java.lang.RuntimeException: boom
//             at org.X.run(X.scala:12)
//       fields: {log.file.path: /var/log/x/stderr}   # set on every event before the filters
//       expect:                        # the events that come out, in order
//         - fields: {log.level: ERROR, message: "boom\njava.lang..."}
//           absent: [error.type]
//           tags: [java_exception]     # must be present (`no_tags: true`: none at all)
//           timestamp: 2017-06-09T20:10:40Z
//           outputs: [kafka]           # the outputs whose `when:` selects it (all listed)
//     - name: DEBUG is dropped
//       input: "17/06/09 20:10:40 DEBUG x.Y: z"
//       expect_dropped: true
//
// An expected scalar written plain matches a value of any type with that text (`42` matches the
// int 42 and the string "42"); a quoted one matches strings only. `null` (or `~`) matches null.
// The section is read through option schemas, like every other one (test_runner_cases.h).
// Thread-safety: none; one run at a time.
#pragma once

#include <string>

#include "pipeline/config.h"

namespace sluice {

struct ConfigTestResults {
  int passed = 0;
  int failed = 0;
  std::string report;  // one line per passing case, a readable diff per failing one
};

// Runs every case of `config.tests`. Problems in the tests section itself (unknown keys, a
// pipeline that does not exist) go to `diags` with file:line:column, and their cases count as
// failed.
ConfigTestResults RunConfigTests(const config::Config& config, config::Diagnostics& diags);

}  // namespace sluice
