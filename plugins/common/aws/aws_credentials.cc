#include "plugins/common/aws/aws_credentials.h"

#include <absl/time/time.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>

#include "pipeline/read_file.h"
#include "plugins/common/http_client.h"

namespace sluice::common {

namespace {

constexpr int64_t kRefreshBeforeSeconds = 300;

std::string Trim(std::string s) {
  size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t\r\n");
  return s.substr(a, b - a + 1);
}

// The file's content, or "" with *ok false (1 MiB at most: credentials files and web identity
// tokens are a few KiB).
std::string ReadWhole(const std::string& path, bool* ok) {
  Result<std::string> content = ReadBoundedFile(path, 1 << 20);
  *ok = content.ok();
  return content.ok() ? std::move(content).value() : std::string();
}

}  // namespace

int64_t ParseIsoTime(const std::string& text) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &err)) return 0;
  return absl::ToUnixSeconds(t);
}

std::optional<std::string> XmlTag(std::string_view xml, std::string_view tag) {
  std::string open = fmt::format("<{}>", tag), close = fmt::format("</{}>", tag);
  size_t a = xml.find(open);
  if (a == std::string_view::npos) return std::nullopt;
  a += open.size();
  size_t b = xml.find(close, a);
  if (b == std::string_view::npos) return std::nullopt;
  std::string_view raw = xml.substr(a, b - a);
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '&') {
      out += raw[i];
      continue;
    }
    static const std::pair<std::string_view, char> kEntities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    bool decoded = false;
    for (const auto& [entity, c] : kEntities) {
      if (raw.substr(i, entity.size()) == entity) {
        out += c;
        i += entity.size() - 1;
        decoded = true;
        break;
      }
    }
    if (!decoded) out += '&';
  }
  return out;
}

AwsCredentialsChain::AwsCredentialsChain(AwsCredentialsOptions options, Getenv getenv)
    : options_(std::move(options)), getenv_(std::move(getenv)) {
  if (!getenv_) {
    getenv_ = [](const std::string& name) -> std::optional<std::string> {
      const char* v = std::getenv(name.c_str());
      if (v == nullptr || *v == '\0') return std::nullopt;
      return std::string(v);
    };
  }
}

std::optional<std::string> AwsCredentialsChain::Env(const std::string& name) const {
  return getenv_(name);
}

Result<AwsCredentials> AwsCredentialsChain::Get() {
  std::lock_guard lock(mu_);
  const int64_t now = std::time(nullptr);
  if (cached_ &&
      (cached_->expires_unix == 0 || cached_->expires_unix - now > kRefreshBeforeSeconds)) {
    return *cached_;
  }
  auto fresh = Resolve();
  if (!fresh.ok()) {
    // Keys that have not expired yet still work while the refresh fails.
    if (cached_ && cached_->expires_unix > now) return *cached_;
    return fresh.status();
  }
  cached_ = fresh.value();
  return fresh;
}

Result<AwsCredentials> AwsCredentialsChain::Resolve() {
  if (!options_.access_key_id.empty() || !options_.secret_access_key.empty()) {
    if (options_.access_key_id.empty() || options_.secret_access_key.empty()) {
      return InvalidArgument("access_key_id and secret_access_key must be set together");
    }
    return AwsCredentials{options_.access_key_id, options_.secret_access_key,
                          options_.session_token, 0, "options"};
  }
  auto key = Env("AWS_ACCESS_KEY_ID"), secret = Env("AWS_SECRET_ACCESS_KEY");
  if (key && secret) {
    return AwsCredentials{*key, *secret, Env("AWS_SESSION_TOKEN").value_or(""), 0, "environment"};
  }
  std::string why_profile, why_web, why_imds;
  if (auto c = FromProfile(&why_profile)) return *c;
  if (auto c = FromWebIdentity(&why_web)) return *c;
  if (auto c = FromImds(&why_imds)) return *c;
  return Status(
      StatusCode::kNotFound,
      fmt::format(
          "no AWS credentials: not in the options, not in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; "
          "shared credentials file: {}; web identity (IRSA): {}; instance profile (IMDSv2): {}",
          why_profile, why_web, why_imds));
}

std::optional<AwsCredentials> AwsCredentialsChain::FromProfile(std::string* why) {
  std::string path;
  if (auto p = Env("AWS_SHARED_CREDENTIALS_FILE")) {
    path = *p;
  } else if (auto home = Env("HOME")) {
    path = *home + "/.aws/credentials";
  } else {
    *why = "no HOME";
    return std::nullopt;
  }
  std::string profile =
      !options_.profile.empty() ? options_.profile : Env("AWS_PROFILE").value_or("default");
  bool ok = false;
  std::string text = ReadWhole(path, &ok);
  if (!ok) {
    *why = fmt::format("{} cannot be read", path);
    return std::nullopt;
  }
  std::istringstream lines(text);
  std::string line, section;
  AwsCredentials c;
  bool found = false;
  while (std::getline(lines, line)) {
    line = Trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = Trim(line.substr(1, line.size() - 2));
      if (section.rfind("profile ", 0) == 0) section = Trim(section.substr(8));
      found = found || section == profile;
      continue;
    }
    if (section != profile) continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string name = Trim(line.substr(0, eq)), value = Trim(line.substr(eq + 1));
    if (name == "aws_access_key_id") c.access_key_id = value;
    if (name == "aws_secret_access_key") c.secret_access_key = value;
    if (name == "aws_session_token") c.session_token = value;
  }
  if (!found || c.access_key_id.empty() || c.secret_access_key.empty()) {
    *why = fmt::format("{} has no keys for profile '{}'", path, profile);
    return std::nullopt;
  }
  c.source = "profile " + profile;
  return c;
}

std::optional<AwsCredentials> AwsCredentialsChain::FromWebIdentity(std::string* why) {
  auto token_file = Env("AWS_WEB_IDENTITY_TOKEN_FILE"), role = Env("AWS_ROLE_ARN");
  if (!token_file || !role) {
    *why = "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN not set";
    return std::nullopt;
  }
  bool ok = false;
  std::string token = Trim(ReadWhole(*token_file, &ok));
  if (!ok || token.empty()) {
    *why = fmt::format("token file {} cannot be read", *token_file);
    return std::nullopt;
  }
  std::string endpoint = options_.sts_endpoint;
  if (endpoint.empty()) {
    endpoint = Env("AWS_ENDPOINT_URL_STS")
                   .value_or(fmt::format("https://sts.{}.amazonaws.com", options_.region));
  }
  // Query parameters in sorted order.
  std::string url = fmt::format(
      "{}/?Action=AssumeRoleWithWebIdentity&DurationSeconds=3600&RoleArn={}&RoleSessionName={}"
      "&Version=2011-06-15&WebIdentityToken={}",
      endpoint, UriEncode(*role, false),
      UriEncode(Env("AWS_ROLE_SESSION_NAME").value_or("sluice"), false), UriEncode(token, false));
  HttpClient http(HttpClientOptions{.connect_timeout = std::chrono::milliseconds(3000),
                                    .timeout = std::chrono::milliseconds(10000)});
  HttpResponse r = http.Send(HttpRequest{.method = "GET", .url = url});
  if (r.status != 200) {
    *why = r.status == 0 ? fmt::format("STS {}: {}", endpoint, r.error)
                         : fmt::format("STS {} answered {}: {}", endpoint, r.status,
                                       XmlTag(r.body, "Message").value_or(r.body.substr(0, 200)));
    return std::nullopt;
  }
  AwsCredentials c;
  c.access_key_id = XmlTag(r.body, "AccessKeyId").value_or("");
  c.secret_access_key = XmlTag(r.body, "SecretAccessKey").value_or("");
  c.session_token = XmlTag(r.body, "SessionToken").value_or("");
  c.expires_unix = ParseIsoTime(XmlTag(r.body, "Expiration").value_or(""));
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    *why = fmt::format("STS {} answered without credentials", endpoint);
    return std::nullopt;
  }
  c.source = "web identity";
  return c;
}

std::optional<AwsCredentials> AwsCredentialsChain::FromImds(std::string* why) {
  if (Env("AWS_EC2_METADATA_DISABLED").value_or("") == "true") {
    *why = "disabled (AWS_EC2_METADATA_DISABLED)";
    return std::nullopt;
  }
  std::string endpoint = options_.imds_endpoint;
  if (endpoint.empty()) {
    endpoint = Env("AWS_EC2_METADATA_SERVICE_ENDPOINT").value_or("http://169.254.169.254");
  }
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  HttpClient http(HttpClientOptions{.connect_timeout = std::chrono::milliseconds(1000),
                                    .timeout = std::chrono::milliseconds(2000)});
  HttpResponse token =
      http.Send(HttpRequest{.method = "PUT",
                            .url = endpoint + "/latest/api/token",
                            .headers = {"X-aws-ec2-metadata-token-ttl-seconds: 21600"}});
  if (token.status != 200) {
    *why = token.status == 0 ? fmt::format("{}: {}", endpoint, token.error)
                             : fmt::format("{} refused a token ({})", endpoint, token.status);
    return std::nullopt;
  }
  const std::string auth = "X-aws-ec2-metadata-token: " + Trim(token.body);
  const std::string base = endpoint + "/latest/meta-data/iam/security-credentials/";
  HttpResponse role = http.Send(HttpRequest{.method = "GET", .url = base, .headers = {auth}});
  std::string name = Trim(role.body.substr(0, role.body.find('\n')));
  if (role.status != 200 || name.empty()) {
    *why = fmt::format("{} has no instance profile role ({})", endpoint, role.status);
    return std::nullopt;
  }
  HttpResponse keys =
      http.Send(HttpRequest{.method = "GET", .url = base + name, .headers = {auth}});
  if (keys.status != 200) {
    *why = fmt::format("{} refused the keys of role {} ({})", endpoint, name, keys.status);
    return std::nullopt;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(keys.body).get(doc) != simdjson::SUCCESS) {
    *why = fmt::format("{} answered unreadable JSON for role {}", endpoint, name);
    return std::nullopt;
  }
  auto text = [&](const char* field) {
    std::string_view v;
    return doc[field].get(v) == simdjson::SUCCESS ? std::string(v) : std::string();
  };
  AwsCredentials c{text("AccessKeyId"), text("SecretAccessKey"), text("Token"),
                   ParseIsoTime(text("Expiration")), "imds"};
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    *why = fmt::format("{} answered without keys for role {}", endpoint, name);
    return std::nullopt;
  }
  return c;
}

}  // namespace sluice::common
