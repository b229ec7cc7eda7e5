// What the filter fuzz targets (json, kv, dissect) share: failing loudly with the target's name,
// building a filter from YAML options through its own schema (as a config would), and checking an
// event's encoding: one valid JSON object, whose keys (where the encoder built the objects) never
// repeat.
// Thread-safety: none; libFuzzer calls a target from one thread.
#pragma once

#include <simdjson.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/event.h"
#include "pipeline/json_encoder.h"
#include "pipeline/options/diagnostics.h"
#include "pipeline/options/env.h"
#include "pipeline/options/node_reader.h"
#include "pipeline/plugin.h"

namespace sluice::fuzz {

// Prints `target: what detail` (the detail cut to 2,000 bytes) and aborts: libFuzzer saves the
// input as a crash.
[[noreturn]] inline void Fail(const char* target, const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "%s: %s %.*s\n", target, what,
               static_cast<int>(std::min<size_t>(detail.size(), 2000)), detail.data());
  std::abort();
}

// Filter F from `node` (a map of its options), through its schema as a config would give it; null
// with `*errors` set when the schema rejects the options. Options the schema accepted must build.
template <typename F>
std::unique_ptr<F> BuildFilter(const char* target, const YAML::Node& node, std::string* errors) {
  static const std::string kFile = "fuzz.yaml";
  static const config::EnvLookup kNoEnv = [](const std::string&) -> std::optional<std::string> {
    return std::nullopt;
  };
  config::Diagnostics diags;
  typename F::Options options;
  config::NodeReader r(node, kFile, "", diags, kNoEnv);
  F::Options::Schema().Parse(r, &options, "filter", {"type", "id", "when"});
  if (!diags.ok()) {
    *errors = diags.ToString();
    return nullptr;
  }
  PluginContext context;
  context.kind = PluginKind::kFilter;
  auto built = F::Build(options, context);
  if (!built.ok())
    Fail(target, "options the schema accepted do not build:", built.status().message());
  return std::move(built).value();
}

// Filter F from fixed YAML options, which must be valid.
template <typename F>
std::unique_ptr<F> BuildFixedFilter(const char* target, const std::string& yaml) {
  std::string errors;
  std::unique_ptr<F> filter = BuildFilter<F>(target, YAML::Load(yaml), &errors);
  if (filter == nullptr) Fail(target, "bad fixed options:", errors);
  return filter;
}

// Whether the objects in `element` repeat no key (recursively).
inline bool KeysUnique(simdjson::dom::element element) {
  using simdjson::dom::element_type;
  if (element.type() == element_type::ARRAY) {
    // A copy: ranging over value_unsafe() of the temporary result would dangle.
    const simdjson::dom::array array = element.get_array().value_unsafe();
    for (simdjson::dom::element item : array) {
      if (!KeysUnique(item)) return false;
    }
    return true;
  }
  if (element.type() != element_type::OBJECT) return true;
  std::vector<std::string_view> keys;
  const simdjson::dom::object object = element.get_object().value_unsafe();
  for (simdjson::dom::key_value_pair member : object) {
    keys.push_back(member.key);
    if (!KeysUnique(member.value)) return false;
  }
  std::sort(keys.begin(), keys.end());
  return std::adjacent_find(keys.begin(), keys.end()) == keys.end();
}

// Encodes `event` as the outputs would and checks the text: one valid JSON object and, with
// `check_keys`, no repeated key. A document nested deeper than simdjson's limit (each dot of a
// field name nests) is not checked.
inline void CheckEncoded(const char* target, const Event& event, bool check_keys) {
  static auto* encoder = new JsonEncoder();
  static auto* parser = new simdjson::dom::parser();
  std::string out;
  encoder->Encode(event, out);
  simdjson::dom::element root;
  const simdjson::error_code error = parser->parse(out).get(root);
  if (error == simdjson::DEPTH_ERROR) return;
  if (error != simdjson::SUCCESS) Fail(target, "the encoded event is not valid JSON:", out);
  if (root.type() != simdjson::dom::element_type::OBJECT) Fail(target, "not a JSON object:", out);
  if (check_keys && !KeysUnique(root)) Fail(target, "the encoded event repeats a key:", out);
}

}  // namespace sluice::fuzz
