#include "plugins/filters/k8s.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>

#include <fmt/format.h>

namespace sluice::filters {

SLUICE_REGISTER_FILTER(K8sFilter, "k8s",
                       "Pod name, namespace, node, container, uid, labels and annotations of the "
                       "pod Sluice runs in (downward API), on every event.");

namespace {

// Downward-API files are small (Kubernetes caps all annotations of an object at 256 KiB).
constexpr size_t kMaxFileBytes = 1 << 20;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads `digits` hex digits at text[*i]; advances *i.
bool ReadHex(std::string_view text, size_t* i, int digits, uint32_t* out) {
  if (*i + digits > text.size()) return false;
  uint32_t v = 0;
  for (int k = 0; k < digits; ++k) {
    int h = HexValue(text[*i + k]);
    if (h < 0) return false;
    v = v * 16 + static_cast<uint32_t>(h);
  }
  *i += digits;
  *out = v;
  return true;
}

bool AppendUtf8(uint32_t cp, std::string* out) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return true;
}

// The contents of a Go double-quoted string literal (without its quotes).
bool UnquoteGo(std::string_view text, std::string* out) {
  out->clear();
  for (size_t i = 0; i < text.size();) {
    char c = text[i++];
    if (c == '"') return false;  // an unescaped quote cannot be inside the literal
    if (c != '\\') {
      out->push_back(c);
      continue;
    }
    if (i == text.size()) return false;
    char e = text[i++];
    uint32_t v = 0;
    switch (e) {
      case 'a':
        out->push_back('\a');
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'v':
        out->push_back('\v');
        break;
      case '\\':
        out->push_back('\\');
        break;
      case '"':
        out->push_back('"');
        break;
      case '\'':
        out->push_back('\'');
        break;
      case 'x':
        if (!ReadHex(text, &i, 2, &v)) return false;
        out->push_back(static_cast<char>(v));  // a raw byte, possibly not UTF-8
        break;
      case 'u':
        if (!ReadHex(text, &i, 4, &v) || !AppendUtf8(v, out)) return false;
        break;
      case 'U':
        if (!ReadHex(text, &i, 8, &v) || !AppendUtf8(v, out)) return false;
        break;
      default:
        if (e < '0' || e > '7' || i + 2 > text.size()) return false;
        v = static_cast<uint32_t>(e - '0');
        for (int k = 0; k < 2; ++k) {
          char o = text[i++];
          if (o < '0' || o > '7') return false;
          v = v * 8 + static_cast<uint32_t>(o - '0');
        }
        if (v > 255) return false;
        out->push_back(static_cast<char>(v));
        break;
    }
  }
  return true;
}

std::string Dedot(std::string key) {
  for (char& c : key) {
    if (c == '.') c = '_';
  }
  return key;
}

}  // namespace

const config::OptionSchema<K8sFilter::Options>& K8sFilter::Options::Schema() {
  static const auto* schema =
      &(*new config::OptionSchema<Options>())
           .Add("pod_name_env", &Options::pod_name_env,
                "Environment variable holding the pod name (downward API `metadata.name`). Empty: "
                "not read.")
           .Add("namespace_env", &Options::namespace_env,
                "Environment variable holding the namespace (`metadata.namespace`).")
           .Add("node_name_env", &Options::node_name_env,
                "Environment variable holding the node name (`spec.nodeName`).")
           .Add("container_name_env", &Options::container_name_env,
                "Environment variable holding the name of the container whose logs are shipped "
                "(the downward API has no field for it: set it as a literal `value`).")
           .Add("pod_uid_env", &Options::pod_uid_env,
                "Environment variable holding the pod uid (`metadata.uid`).")
           .Add("labels_file", &Options::labels_file,
                "Downward-API volume file with the pod labels (`metadata.labels`), one "
                "`key=\"value\"` per line. Missing: no labels. Empty: not read.")
           .Add("annotations_file", &Options::annotations_file,
                "Downward-API volume file with the pod annotations (`metadata.annotations`). "
                "Empty: no annotations.",
                {.example = "/etc/podinfo/annotations"})
           .Add("prefix", &Options::prefix,
                "Prepended as is to every field name (`kubernetes.pod.name`). Dots nest in JSON "
                "output.")
           .Add("dedot", &Options::dedot,
                "Replace `.` with `_` in label and annotation keys "
                "(`app.kubernetes.io/name` → `kubernetes.labels.app_kubernetes_io/name`), so they "
                "do not nest in JSON output.")
           .Add("overwrite", &Options::overwrite,
                "Replace fields the event already has. `false`: existing fields are kept.");
  return *schema;
}

Result<std::unique_ptr<K8sFilter>> K8sFilter::Build(const Options& options,
                                                    PluginContext& context) {
  return std::make_unique<K8sFilter>(options, context);
}

bool K8sFilter::ParseDownwardApiLine(std::string_view line, std::string* key, std::string* value) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  size_t eq = line.find('=');
  if (eq == std::string_view::npos || eq == 0) return false;
  std::string_view quoted = line.substr(eq + 1);
  if (quoted.size() < 2 || quoted.front() != '"' || quoted.back() != '"') return false;
  if (!UnquoteGo(quoted.substr(1, quoted.size() - 2), value)) return false;
  key->assign(line.substr(0, eq));
  return true;
}

std::vector<std::pair<std::string, std::string>> K8sFilter::ReadDownwardApiFile(
    const std::string& path, std::string_view what, const Logger& logger) {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    int err = errno;
    logger.Once(err == ENOENT ? LogLevel::kInfo : LogLevel::kWarn,
                fmt::format("no pod {}: cannot open '{}': {}", what, path, std::strerror(err)));
    return pairs;
  }
  std::string text(kMaxFileBytes + 1, '\0');
  size_t got = std::fread(text.data(), 1, text.size(), f);
  bool error = std::ferror(f) != 0;
  std::fclose(f);
  if (error) {
    logger.Once(LogLevel::kWarn,
                fmt::format("no pod {}: cannot read '{}': {}", what, path, std::strerror(errno)));
    return pairs;
  }
  text.resize(got);
  if (got > kMaxFileBytes) {
    logger.Once(LogLevel::kWarn,
                fmt::format("'{}' is larger than {} bytes; only its first {} bytes are used", path,
                            kMaxFileBytes, kMaxFileBytes));
    text.resize(kMaxFileBytes);
    size_t nl = text.rfind('\n');
    text.resize(nl == std::string::npos ? 0 : nl);  // no half line
  }
  std::string key;
  std::string value;
  size_t line_number = 0;
  size_t bad_lines = 0;
  size_t first_bad = 0;
  for (size_t i = 0; i < text.size();) {
    size_t end = text.find('\n', i);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + i, end - i);
    i = end + 1;
    ++line_number;
    if (line.empty() || line == "\r") continue;
    if (!ParseDownwardApiLine(line, &key, &value)) {
      if (bad_lines++ == 0) first_bad = line_number;
      continue;
    }
    pairs.emplace_back(key, value);
  }
  if (bad_lines > 0) {
    logger.Once(
        LogLevel::kWarn,
        fmt::format("'{}': {} line(s) are not key=\"value\" (the first is line {}); skipped", path,
                    bad_lines, first_bad));
  }
  return pairs;
}

K8sFilter::K8sFilter(const Options& options, PluginContext& context) : options_(options) {
  config::EnvLookup env = options_.env ? options_.env : config::ProcessEnv();
  auto from_env = [&](const std::string& var, std::string_view field) {
    if (var.empty()) return;
    std::string value = env(var).value_or("");
    if (!value.empty()) fields_.emplace_back(options_.prefix + std::string(field), value);
  };
  from_env(options_.pod_name_env, "pod.name");
  from_env(options_.namespace_env, "namespace");
  from_env(options_.node_name_env, "node.name");
  from_env(options_.container_name_env, "container.name");
  from_env(options_.pod_uid_env, "pod.uid");
  size_t label_count = 0;
  size_t annotation_count = 0;
  auto from_file = [&](const std::string& path, std::string_view what, size_t* count) {
    if (path.empty()) return;
    std::set<std::string> names;
    for (auto& [key, value] : ReadDownwardApiFile(path, what, context.logger)) {
      std::string name =
          options_.prefix + std::string(what) + "." + (options_.dedot ? Dedot(key) : key);
      if (!names.insert(name).second) {
        context.logger.Once(
            LogLevel::kWarn,
            fmt::format("'{}': {} key '{}' gives field '{}' a second time; the first is kept", path,
                        what, key, name));
        continue;
      }
      fields_.emplace_back(std::move(name), std::move(value));
      ++*count;
    }
  };
  from_file(options_.labels_file, "labels", &label_count);
  from_file(options_.annotations_file, "annotations", &annotation_count);
  if (fields_.empty()) {
    context.logger.Once(
        LogLevel::kWarn,
        "no pod metadata found (environment variables unset or empty, no labels): events "
        "pass unchanged");
  } else {
    context.logger.Once(LogLevel::kInfo,
                        fmt::format("{} pod fields ({} labels, {} annotations)", fields_.size(),
                                    label_count, annotation_count));
  }
}

FilterResult K8sFilter::Apply(Event& event) {
  bool set = false;
  for (const auto& [name, value] : fields_) {
    if (!options_.overwrite && event.Get(name) != nullptr) continue;
    event.SetView(name, Value::String(value));
    set = true;
  }
  return set ? FilterResult::kMatched : FilterResult::kSkipped;
}

}  // namespace sluice::filters
