// `sluice reload`: asks a running instance to read its config again (POST /api/v1/reload, see
// agent/reloader.h) and prints the outcome: what was unchanged, replaced, added and removed, or
// the new config's errors (file:line:column) when it was rejected. Exit codes: 0 applied; 1 the
// config is invalid (nothing changed); 3 applied with errors, or the instance could not be asked.
// Thread-safety: runs on the main thread.
#pragma once

#include <chrono>

#include "agent/admin_client.h"

namespace sluice::agent {

int ReloadCommand(const AdminClientFlags& flags, std::chrono::seconds timeout);

}  // namespace sluice::agent
