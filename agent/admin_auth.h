// Admin API authentication: the optional bearer token (`admin.token` / `admin.token_file`). The
// server's check of a request, and the token lookup of the commands that call the API (`sluice
// tap`, `top` and `reload`, planned), so that both sides agree on one rule. No TLS: the API is
// meant for loopback or a private interface.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "pipeline/config.h"

namespace sluice::agent {

// Whether `path` answers without a token: /health and /ready, so that probes keep working.
bool IsOpenEndpoint(std::string_view path);

// Whether `a` equals `b`, in a time that depends on the length of `a` only (not on where they
// differ, nor on `b`'s length): compare what a client sent (`a`) with the secret (`b`).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Whether `authorization`, the value of a request's Authorization header, carries `token` as a
// Bearer credential (`Bearer TOKEN`; the scheme's case and the spaces around the token do not
// matter). False for an empty `token`: the caller only checks when a token is configured.
bool BearerTokenMatches(std::string_view authorization, std::string_view token);

// Whether `host` (of admin.listen, without brackets) is a loopback address, reachable from this
// machine only: `localhost`, 127.0.0.0/8 or ::1.
bool IsLoopbackHost(std::string_view host);

// The token a command that calls the admin API sends: `flag` (--token) when given, else the
// config's (admin.token, or the content of admin.token_file); "" for none.
std::string ClientToken(const std::string& flag, const config::AdminOptions& admin);

// The Authorization header value for `token` ("Bearer TOKEN").
std::string AuthorizationFor(std::string_view token);

}  // namespace sluice::agent
