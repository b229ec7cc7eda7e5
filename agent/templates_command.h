// `sluice templates`: prints the templates that the `template` filters of an instance know, with
// their counts, sorted by count (default), by first seen or by last seen. It reads the filters'
// state files, DATA_DIR/templates/PIPELINE/ID.state, which a running instance rewrites every
// `save_interval` (30 s by default) and at shutdown, so it works on a stopped instance too. The
// entry format is the one plugins/filters/template/template_state.h writes:
// key = template id, value = `COUNT FIRST_SEEN LAST_SEEN TEMPLATE`.
// Exit codes: 0 printed (also when there are none: it says so on stderr); 2 usage; 3 a state file
// could not be read.
// Thread-safety: runs on the main thread.
#pragma once

#include <cstddef>
#include <string>

namespace sluice::agent {

struct TemplatesFlags {
  std::string data_dir;  // default: data_dir of `config`
  std::string config;
  std::string sort = "count";   // count, first, last
  size_t limit = 0;             // per filter; 0: all
  std::string format = "text";  // text or json (one object a line)
};

int TemplatesCommand(const TemplatesFlags& flags);

}  // namespace sluice::agent
