// Secrets in option schemas: masked when shown, redacted from errors, noted when set literally;
// and SecretFile, the `*_file` option type.
#include "pipeline/options/secret.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "pipeline/options/option_schema.h"
#include "pipeline/options/secret_file.h"
#include "tests/unit/test_util.h"

namespace sluice::config {
namespace {

struct Nested {
  std::string user;
  std::string password;
  static const OptionSchema<Nested>& Schema() {
    static const auto* schema =
        &(*new OptionSchema<Nested>())
             .Add("user", &Nested::user, "User.")
             .Add("password", &Nested::password, "Password.", {.non_empty = true, .secret = true});
    return *schema;
  }
};

struct Options {
  std::string url;
  std::string api_key;
  std::string region = "eu-west-1";
  std::vector<std::string> hosts;
  Nested auth;
  std::map<std::string, std::string> properties;
  SecretFile key_file;
  static const OptionSchema<Options>& Schema() {
    static const auto* schema =
        &(*new OptionSchema<Options>())
             .Add("url", &Options::url, "Endpoint.")
             .Add("api_key", &Options::api_key, "Key.", {.secret = true})
             .Add("region", &Options::region, "Region.")
             .Add("hosts", &Options::hosts, "Hosts.")
             .Add("auth", &Options::auth, "Authentication.")
             .Add("properties", &Options::properties, "Pass-through.", {.secret_entries = true})
             .Add("key_file", &Options::key_file, "Key file.");
    return *schema;
  }
};

EnvLookup Env() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (name == "API_KEY") return std::string("from-env-KEY");
    return std::nullopt;
  };
}

// Parses `yaml` into *out; returns the errors, and the secret files noted in *noted.
std::string Parse(const std::string& yaml, Options* out, std::vector<SecretFileUse>* noted) {
  Diagnostics diags;
  EnvLookup env = Env();
  std::string file = "t.yaml";
  NodeReader r(YAML::Load(yaml), file, "output", diags, env);
  Options::Schema().Parse(r, out, "output 'x'");
  if (noted != nullptr) *noted = diags.secret_files();
  return diags.ToString();
}

TEST(SecretTest, KeysNamingSecrets) {
  for (const char* key : {"sasl.password", "ssl.key.password", "ssl.keystore.password",
                          "sasl.oauthbearer.client.secret", "sasl.oauthbearer.config",
                          "ssl.key.pem", "sasl.jaas.config", "API_KEY", "x-api-key-apikey",
                          "session_token", "aws_credentials", "private_key"}) {
    EXPECT_TRUE(NamesASecret(key)) << key;
  }
  for (const char* key : {"ssl.key.location", "ssl.certificate.pem", "ssl.ca.location",
                          "sasl.username", "socket.keepalive.enable", "key", "client.id"}) {
    EXPECT_FALSE(NamesASecret(key)) << key;
  }
}

TEST(SecretTest, UrlPasswordsAreMasked) {
  EXPECT_EQ(MaskUrlPasswords("https://elastic:changeme@es1:9200/x?a=b"),
            "https://elastic:***@es1:9200/x?a=b");
  EXPECT_EQ(MaskUrlPasswords("http://a:b@h1:1,http://c:d@h2:2"),
            "http://a:***@h1:1,http://c:***@h2:2");
  EXPECT_EQ(MaskUrlPasswords("https://user@host/"), "https://user@host/");    // no password
  EXPECT_EQ(MaskUrlPasswords("https://host/p@th:x"), "https://host/p@th:x");  // not user-info
  EXPECT_EQ(MaskUrlPasswords("https://u:p:q@h"), "https://u:***@h");
  EXPECT_EQ(MaskUrlPasswords("no url here: a@b"), "no url here: a@b");
  EXPECT_EQ(MaskUrlPasswords(""), "");
}

TEST(SecretTest, LiteralMeansNoVariableReference) {
  EXPECT_TRUE(IsLiteralSecret("hunter2"));
  EXPECT_TRUE(IsLiteralSecret("a$b"));
  EXPECT_TRUE(IsLiteralSecret("$${NOT_A_VAR}"));  // `$${` is a literal `${`
  EXPECT_FALSE(IsLiteralSecret(""));
  EXPECT_FALSE(IsLiteralSecret("${API_KEY}"));
  EXPECT_FALSE(IsLiteralSecret("prefix-${API_KEY}"));
  EXPECT_FALSE(IsLiteralSecret("${API_KEY:-default}"));
}

TEST(SecretTest, SecretsAreMaskedWhenShown) {
  Options o;
  ASSERT_EQ(Parse("url: 'https://u:url-Pa55@h:1'\napi_key: Sup3rKey\nhosts: ['http://a:b@c']\n"
                  "auth: {user: bob, password: Pa55word}\n"
                  "properties: {sasl.password: Kafka-Pa55, client.id: me}\n",
                  &o, nullptr),
            "");
  EXPECT_EQ(o.api_key, "Sup3rKey");  // parsed as written: masking is for showing only
  EXPECT_EQ(o.auth.password, "Pa55word");
  const std::string yaml = Options::Schema().Show(o).ToYaml();
  EXPECT_EQ(yaml,
            "url: \"https://u:***@h:1\"\n"
            "api_key: \"***\"\n"
            "region: eu-west-1\n"
            "hosts:\n"
            "  - \"http://a:***@c\"\n"
            "auth:\n"
            "  user: bob\n"
            "  password: \"***\"\n"
            "properties:\n"
            "  client.id: me\n"
            "  sasl.password: \"***\"\n");
  for (const char* secret : {"url-Pa55", "Sup3rKey", "Pa55word", "Kafka-Pa55"}) {
    EXPECT_EQ(yaml.find(secret), std::string::npos) << secret;
  }
  // Options known only by their infos (a plugin's) show the same.
  EXPECT_EQ(ShowOptions(Options::Schema().infos(), &o).ToYaml(), yaml);
}

TEST(SecretTest, UnsetOptionsAreLeftOutAndAnEmptySecretIsNotMasked) {
  Options o;
  ASSERT_EQ(Parse("region: ''\n", &o, nullptr), "");
  // `region` was set to "" (its default is not empty): shown; the unset options are not.
  // `auth` is shown, but none of its options is set.
  EXPECT_EQ(Options::Schema().Show(o).ToYaml(), "region: \"\"\nauth: {}\n");
}

TEST(SecretTest, LiteralSecretsAreNotedButVariablesAreNot) {
  Options o;
  std::vector<SecretFileUse> noted;
  ASSERT_EQ(Parse("api_key: ${API_KEY}\nauth: {password: '${API_KEY}'}\n"
                  "properties: {sasl.password: '${API_KEY}', client.id: x}\n",
                  &o, &noted),
            "");
  EXPECT_EQ(o.api_key, "from-env-KEY");
  EXPECT_TRUE(noted.empty());
  ASSERT_EQ(Parse("api_key: k1\nauth:\n  password: p1\nproperties: {ssl.key.password: p2, "
                  "client.id: not-a-secret}\n",
                  &o, &noted),
            "");
  ASSERT_EQ(noted.size(), 3u);
  EXPECT_EQ(noted[0].file, "t.yaml");
  EXPECT_EQ(noted[0].option, "output.api_key");
  EXPECT_EQ(noted[0].where.ToString(), "t.yaml:1:10");
  EXPECT_EQ(noted[1].option, "output.auth.password");
  EXPECT_EQ(noted[1].where.ToString(), "t.yaml:3:13");
  EXPECT_EQ(noted[2].option, "output.properties.ssl.key.password");
}

TEST(SecretTest, ErrorsNeverEchoASecret) {
  Options o;
  // An unclosed ${ in a secret: the substitution error would quote the text.
  std::string errors = Parse("api_key: 'S3cret${oops'\nurl: 'x${oops'\n", &o, nullptr);
  EXPECT_EQ(errors.find("S3cret"), std::string::npos) << errors;
  EXPECT_NE(errors.find("t.yaml:1:10: output.api_key: unclosed '${' in '***'"), std::string::npos)
      << errors;
  EXPECT_NE(errors.find("unclosed '${' in 'x${oops'"), std::string::npos) << errors;  // not secret
  errors = Parse("properties: {sasl.password: 'Kafka${x', client.id: [a]}\n", &o, nullptr);
  EXPECT_EQ(errors.find("Kafka"), std::string::npos) << errors;
  EXPECT_NE(errors.find("output.properties.client.id: expected a string, got a list"),
            std::string::npos)
      << errors;
  errors = Parse("auth: {password: ''}\n", &o, nullptr);
  EXPECT_EQ(errors, "t.yaml:1:18: output.auth.password: must not be empty\n");
}

TEST(SecretTest, TheDocsSaySecretsAreMasked) {
  std::string docs = OptionsMarkdownWithNested(Options::Schema().infos());
  EXPECT_NE(docs.find("| `api_key` | string | — | Key. Secret: shown as `***`. |"),
            std::string::npos)
      << docs;
  EXPECT_NE(docs.find("| `password` | string | — | Password. Must not be empty. Secret: shown as "
                      "`***`. |"),
            std::string::npos)
      << docs;
  EXPECT_NE(docs.find("Pass-through. Values of keys naming a secret"), std::string::npos) << docs;
  EXPECT_NE(docs.find("| `key_file` | path | — | Key file. |"), std::string::npos) << docs;
}

class SecretFileTest : public testing::TempDirTest {
 protected:
  SecretFileTest() : TempDirTest("secret_file") {}
};

TEST_F(SecretFileTest, ReadsTheFileWithoutTrailingNewlines) {
  std::string path = Write("key", "s3cr3t-from-file\r\n\n");
  Options o;
  std::vector<SecretFileUse> noted;
  ASSERT_EQ(Parse("key_file: " + path + "\n", &o, &noted), "");
  EXPECT_EQ(o.key_file.path, path);
  EXPECT_EQ(o.key_file.value, "s3cr3t-from-file");
  ASSERT_EQ(noted.size(), 1u);
  EXPECT_EQ(noted[0].file, path);
  EXPECT_EQ(noted[0].option, "output.key_file");
  EXPECT_EQ(noted[0].where.ToString(), "t.yaml:1:11");
  std::string yaml = Options::Schema().Show(o).ToYaml();
  EXPECT_NE(yaml.find("key_file: "), std::string::npos) << yaml;
  EXPECT_NE(yaml.find(path), std::string::npos) << yaml;
  EXPECT_EQ(yaml.find("s3cr3t-from-file"), std::string::npos) << yaml;
}

TEST_F(SecretFileTest, AMissingEmptyOrUnreadableFileIsAnErrorAtItsLine) {
  Options o;
  std::string missing = (dir_ / "nope").string();
  EXPECT_EQ(
      Parse("region: x\nkey_file: " + missing + "\n", &o, nullptr),
      "t.yaml:2:11: output.key_file: cannot read " + missing + ": No such file or directory\n");
  std::string empty = Write("empty", "\n");
  EXPECT_EQ(Parse("key_file: " + empty + "\n", &o, nullptr),
            "t.yaml:1:11: output.key_file: " + empty + " is empty; put the secret in it\n");
  EXPECT_EQ(Parse("key_file: " + dir_.string() + "\n", &o, nullptr),
            "t.yaml:1:11: output.key_file: cannot read " + dir_.string() +
                ": it is a directory, not a file\n");
  EXPECT_EQ(Parse("key_file: ''\n", &o, nullptr),
            "t.yaml:1:11: output.key_file: expected a file path, got an empty string\n");
  EXPECT_FALSE(ReadSecretFile(missing).ok());
  // A device by mistake is refused at once (it was read until memory ran out).
  EXPECT_EQ(Parse("key_file: /dev/zero\n", &o, nullptr),
            "t.yaml:1:11: output.key_file: cannot read /dev/zero: it is not a regular file (a "
            "device, pipe or socket)\n");
  const std::string huge = Write("huge", std::string(65 << 10, 'k'));
  EXPECT_EQ(Parse("key_file: " + huge + "\n", &o, nullptr),
            "t.yaml:1:11: output.key_file: cannot read " + huge +
                ": it is larger than 64KiB; is it the right file?\n");
}

}  // namespace
}  // namespace sluice::config
