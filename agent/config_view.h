// The loaded config as Sluice shows it back (`sluice validate --print-config`, GET /api/v1/config):
// the process settings, then every pipeline with its settings and its plugins, each option with
// the value in effect (defaults included, ${VAR} references expanded), and every secret masked as
// `***` (the options the schemas mark `.secret`, the secret-named entries of pass-through maps,
// passwords in URLs). The `tests:` sections are left out.
// Thread-safety: pure function of an immutable config.
#pragma once

#include "pipeline/config.h"
#include "pipeline/options/config_value.h"

namespace sluice::agent {

config::ConfigValue ShowConfig(const config::Config& config);

}  // namespace sluice::agent
