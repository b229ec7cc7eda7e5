#include "plugins/filters/k8s.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "pipeline/event_batch.h"
#include "pipeline/registry.h"
#include "tests/unit/plugins/plugin_test_util.h"
#include "tests/unit/test_util.h"

namespace sluice::filters {
namespace {

using testing::ParseFilterOptions;

using Env = std::map<std::string, std::string>;

const Env kPodEnv = {{"POD_NAME", "spark-pi-driver"},
                     {"POD_NAMESPACE", "spark-jobs"},
                     {"NODE_NAME", "ip-10-0-1-23.ec2.internal"},
                     {"CONTAINER_NAME", "spark-kubernetes-driver"},
                     {"POD_UID", "0b7e5c1a-4d2e-4f3a-9c1d-1234567890ab"}};

struct Built {
  MetricsRegistry registry;
  ComponentMetrics metrics{registry, {}};
  PluginContext context;
  std::unique_ptr<K8sFilter> filter;
};

class K8sFilterTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = sluice::testing::FreshTestDir("sluice_k8s_filter"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    std::filesystem::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }

  // Builds from `yaml`; labels_file defaults to a path that does not exist unless given.
  std::unique_ptr<Built> Make(const std::string& yaml, Env env) {
    auto b = std::make_unique<Built>();
    b->context.kind = PluginKind::kFilter;
    b->context.metrics = &b->metrics;
    K8sFilter::Options options = ParseFilterOptions<K8sFilter>(yaml);
    if (yaml.find("labels_file") == std::string::npos) {
      options.labels_file = (dir_ / "no-such-labels").string();
    }
    options.env = [env = std::move(env)](const std::string& name) -> std::optional<std::string> {
      auto it = env.find(name);
      if (it == env.end()) return std::nullopt;
      return it->second;
    };
    auto built = K8sFilter::Build(options, b->context);
    EXPECT_TRUE(built.ok());
    b->filter = std::move(built).value();
    return b;
  }

  static std::string Text(const Event& e, const std::string& name) {
    const Value* v = e.Get(name);
    return v == nullptr ? "<absent>" : std::string(v->as_string());
  }

  std::filesystem::path dir_;
};

TEST_F(K8sFilterTest, IsRegistered) {
  EXPECT_NE(Registry::Get().Find(PluginKind::kFilter, "k8s"), nullptr);
}

TEST_F(K8sFilterTest, PodFieldsFromTheEnvironment) {
  auto b = Make("{}", kPodEnv);
  EventBatch batch;
  Event& e = batch.Add(0, "line");
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(Text(e, "kubernetes.pod.name"), "spark-pi-driver");
  EXPECT_EQ(Text(e, "kubernetes.namespace"), "spark-jobs");
  EXPECT_EQ(Text(e, "kubernetes.node.name"), "ip-10-0-1-23.ec2.internal");
  EXPECT_EQ(Text(e, "kubernetes.container.name"), "spark-kubernetes-driver");
  EXPECT_EQ(Text(e, "kubernetes.pod.uid"), "0b7e5c1a-4d2e-4f3a-9c1d-1234567890ab");
  EXPECT_EQ(e.fields().size(), 5u);
}

TEST_F(K8sFilterTest, MissingAndEmptyVariablesAreLeftOut) {
  auto b = Make("{}", {{"POD_NAME", "p"}, {"POD_NAMESPACE", ""}});
  EventBatch batch;
  Event& e = batch.Add(0, "line");
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(Text(e, "kubernetes.pod.name"), "p");
  EXPECT_EQ(e.fields().size(), 1u);
}

TEST_F(K8sFilterTest, NothingKnownSkips) {
  auto b = Make("{}", {});
  EventBatch batch;
  Event& e = batch.Add(0, "line");
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kSkipped);
  EXPECT_TRUE(e.fields().empty());
}

TEST_F(K8sFilterTest, CustomVariableNamesAndDisabledOnes) {
  auto b = Make(
      "{pod_name_env: MY_POD, namespace_env: '', node_name_env: HOST_NODE, "
      "container_name_env: SHIPPED, pod_uid_env: UID}",
      {{"MY_POD", "mine"},
       {"POD_NAMESPACE", "ns"},
       {"HOST_NODE", "n1"},
       {"SHIPPED", "spark-kubernetes-executor"},
       {"UID", "u-1"},
       {"POD_UID", "not-this"}});
  EventBatch batch;
  Event& e = batch.Add(0, "line");
  b->filter->Apply(e);
  EXPECT_EQ(Text(e, "kubernetes.pod.name"), "mine");
  EXPECT_EQ(Text(e, "kubernetes.namespace"), "<absent>");
  EXPECT_EQ(Text(e, "kubernetes.node.name"), "n1");
  EXPECT_EQ(Text(e, "kubernetes.container.name"), "spark-kubernetes-executor");
  EXPECT_EQ(Text(e, "kubernetes.pod.uid"), "u-1");
}

TEST_F(K8sFilterTest, LabelsFileWithGoEscapes) {
  std::string path = Write("labels",
                           "app=\"spark-pi\"\n"
                           "app.kubernetes.io/name=\"spark\"\n"
                           "quote=\"say \\\"hi\\\" \\\\ done\"\n"
                           "controls=\"a\\tb\\nc\\r\\a\\b\\f\\v\"\n"
                           "hex=\"\\xff\\x41\"\n"
                           "octal=\"\\101\\060\"\n"
                           "unicode=\"caf\\u00e9 \\U0001F600 \u00fc\"\n"
                           "empty=\"\"\n"
                           "spark-role=\"driver\"");  // no final newline
  auto b = Make("labels_file: " + path, {});
  EventBatch batch;
  Event& e = batch.Add(0, "line");
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(Text(e, "kubernetes.labels.app"), "spark-pi");
  EXPECT_EQ(Text(e, "kubernetes.labels.app_kubernetes_io/name"), "spark");
  EXPECT_EQ(Text(e, "kubernetes.labels.quote"), "say \"hi\" \\ done");
  EXPECT_EQ(Text(e, "kubernetes.labels.controls"), "a\tb\nc\r\a\b\f\v");
  EXPECT_EQ(Text(e, "kubernetes.labels.hex"),
            "\xff"
            "A");
  EXPECT_EQ(Text(e, "kubernetes.labels.octal"), "A0");
  EXPECT_EQ(Text(e, "kubernetes.labels.unicode"), "caf\u00e9 \U0001F600 \u00fc");
  EXPECT_EQ(Text(e, "kubernetes.labels.empty"), "");
  EXPECT_EQ(Text(e, "kubernetes.labels.spark-role"), "driver");
}

TEST_F(K8sFilterTest, DedotFalseKeepsDots) {
  std::string path = Write("labels", "app.kubernetes.io/name=\"spark\"\n");
  auto b = Make("{labels_file: " + path + ", dedot: false}", {});
  EventBatch batch;
  Event& e = batch.Add(0, "line");
  b->filter->Apply(e);
  EXPECT_EQ(Text(e, "kubernetes.labels.app.kubernetes.io/name"), "spark");
}

TEST_F(K8sFilterTest, DedotCollisionKeepsTheFirst) {
  std::string path = Write("labels", "a.b=\"first\"\na_b=\"second\"\n");
  auto b = Make("labels_file: " + path, {});
  EXPECT_EQ(b->filter->fields().size(), 1u);
  EventBatch batch;
  Event& e = batch.Add(0, "line");
  b->filter->Apply(e);
  EXPECT_EQ(Text(e, "kubernetes.labels.a_b"), "first");
}

TEST_F(K8sFilterTest, MalformedLinesAreSkipped) {
  std::string path = Write("labels",
                           "good=\"1\"\n"
                           "no-equals\n"
                           "=\"no key\"\n"
                           "unquoted=value\n"
                           "open=\"x\n"
                           "inner=\"a\"b\"\n"
                           "badescape=\"\\q\"\n"
                           "shorthex=\"\\x4\"\n"
                           "surrogate=\"\\ud800\"\n"
                           "bigoctal=\"\\777\"\n"
                           "trailing=\"\\\"\n"
                           "\n"
                           "crlf=\"ok\"\r\n"
                           "also=\"2\"\n");
  auto b = Make("labels_file: " + path, {});
  EventBatch batch;
  Event& e = batch.Add(0, "line");
  b->filter->Apply(e);
  EXPECT_EQ(e.fields().size(), 3u);
  EXPECT_EQ(Text(e, "kubernetes.labels.good"), "1");
  EXPECT_EQ(Text(e, "kubernetes.labels.crlf"), "ok");
  EXPECT_EQ(Text(e, "kubernetes.labels.also"), "2");
}

TEST_F(K8sFilterTest, BinaryLabelsFileDoesNotCrash) {
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk.push_back(static_cast<char>((i * 131) & 0xff));
  std::string path = Write("labels", junk);
  auto b = Make("labels_file: " + path, {});
  EventBatch batch;
  b->filter->Apply(batch.Add(0, "line"));
  SUCCEED();
}

TEST_F(K8sFilterTest, MissingOrUnreadableFilesGiveNoLabels) {
  auto missing = Make("labels_file: " + (dir_ / "absent").string(), kPodEnv);
  EXPECT_EQ(missing->filter->fields().size(), 5u);
  auto directory = Make("labels_file: " + dir_.string(), kPodEnv);  // a directory
  EXPECT_EQ(directory->filter->fields().size(), 5u);
  auto off = Make("labels_file: ''", {});
  EXPECT_TRUE(off->filter->fields().empty());
}

TEST_F(K8sFilterTest, Annotations) {
  std::string labels = Write("labels", "app=\"pi\"\n");
  std::string annotations =
      Write("annotations", "kubernetes.io/config.seen=\"2024-01-01T00:00:00Z\"\nnote=\"a\\nb\"\n");
  auto b = Make("{labels_file: " + labels + ", annotations_file: " + annotations + "}", {});
  EventBatch batch;
  Event& e = batch.Add(0, "line");
  b->filter->Apply(e);
  EXPECT_EQ(Text(e, "kubernetes.labels.app"), "pi");
  EXPECT_EQ(Text(e, "kubernetes.annotations.kubernetes_io/config_seen"), "2024-01-01T00:00:00Z");
  EXPECT_EQ(Text(e, "kubernetes.annotations.note"), "a\nb");
}

TEST_F(K8sFilterTest, Prefix) {
  std::string labels = Write("labels", "app=\"pi\"\n");
  auto b = Make("{prefix: 'k8s.', labels_file: " + labels + "}", {{"POD_NAME", "p"}});
  EventBatch batch;
  Event& e = batch.Add(0, "line");
  b->filter->Apply(e);
  EXPECT_EQ(Text(e, "k8s.pod.name"), "p");
  EXPECT_EQ(Text(e, "k8s.labels.app"), "pi");
  auto bare = Make("prefix: ''", {{"POD_NAME", "p"}});
  Event& f = batch.Add(0, "line");
  bare->filter->Apply(f);
  EXPECT_EQ(Text(f, "pod.name"), "p");
}

TEST_F(K8sFilterTest, OverwriteOption) {
  auto keep = Make("{}", {{"POD_NAME", "from-env"}, {"POD_NAMESPACE", "ns"}});
  EventBatch batch;
  Event& e = batch.Add(0, "line");
  e.Set("kubernetes.pod.name", Value::String("from-event"));
  EXPECT_EQ(keep->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(Text(e, "kubernetes.pod.name"), "from-event");
  EXPECT_EQ(Text(e, "kubernetes.namespace"), "ns");
  EXPECT_EQ(keep->filter->Apply(e), FilterResult::kSkipped);  // everything already there
  auto replace = Make("overwrite: true", {{"POD_NAME", "from-env"}});
  EXPECT_EQ(replace->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(Text(e, "kubernetes.pod.name"), "from-env");
}

TEST_F(K8sFilterTest, ValuesAreSharedNotCopiedPerEvent) {
  auto b = Make("{}", kPodEnv);
  EventBatch batch;
  Event& e1 = batch.Add(0, "a");
  Event& e2 = batch.Add(0, "b");
  b->filter->Apply(e1);
  size_t before = batch.arena().bytes_allocated();
  b->filter->Apply(e2);
  // Only the field array of e2 (8 fields' worth) is allocated: no string bytes.
  EXPECT_LE(batch.arena().bytes_allocated() - before, 8 * sizeof(Field) + 16);
  EXPECT_EQ(e1.Get("kubernetes.pod.name")->as_string().data(),
            e2.Get("kubernetes.pod.name")->as_string().data());
}

TEST_F(K8sFilterTest, ParseDownwardApiLine) {
  std::string key;
  std::string value;
  EXPECT_TRUE(K8sFilter::ParseDownwardApiLine("k=\"v\"", &key, &value));
  EXPECT_EQ(key, "k");
  EXPECT_EQ(value, "v");
  EXPECT_TRUE(K8sFilter::ParseDownwardApiLine("k=\"a=b\"", &key, &value));
  EXPECT_EQ(value, "a=b");
  EXPECT_FALSE(K8sFilter::ParseDownwardApiLine("k=\"", &key, &value));
  EXPECT_FALSE(K8sFilter::ParseDownwardApiLine("k=v", &key, &value));
  EXPECT_FALSE(K8sFilter::ParseDownwardApiLine("\"v\"", &key, &value));
  EXPECT_FALSE(K8sFilter::ParseDownwardApiLine("k=\"\\U00110000\"", &key, &value));
}

TEST_F(K8sFilterTest, OptionErrors) {
  std::string errors;
  ParseFilterOptions<K8sFilter>("{dedot: sometimes}", &errors);
  EXPECT_FALSE(errors.empty());
  ParseFilterOptions<K8sFilter>("{label_file: /x}", &errors);
  EXPECT_NE(errors.find("did you mean 'labels_file'"), std::string::npos) << errors;
}

}  // namespace
}  // namespace sluice::filters
