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
#include "tests/unit/plugins/filters/filter_cases.h"
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

class K8sFilterTest : public sluice::testing::TempDirTest {
 protected:
  K8sFilterTest() : TempDirTest("sluice_k8s_filter") {}

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

  // A filter built from `yaml` and `env`, applied to one event.
  struct Run {
    std::unique_ptr<Built> built;
    EventBatch batch;
    Event* event = nullptr;
    FilterResult result = FilterResult::kSkipped;
  };
  std::unique_ptr<Run> Apply(const std::string& yaml, Env env) {
    auto r = std::make_unique<Run>();
    r->built = Make(yaml, std::move(env));
    r->event = &r->batch.Add(0, "line");
    r->result = r->built->filter->Apply(*r->event);
    return r;
  }
};

TEST_F(K8sFilterTest, IsRegistered) {
  EXPECT_NE(Registry::Get().Find(PluginKind::kFilter, "k8s"), nullptr);
}

TEST_F(K8sFilterTest, PodFieldsFromTheEnvironment) {
  auto r = Apply("{}", kPodEnv);
  EXPECT_EQ(r->result, FilterResult::kMatched);
  testing::ExpectEvent(*r->event,
                       {.text = {{"kubernetes.pod.name", "spark-pi-driver"},
                                 {"kubernetes.namespace", "spark-jobs"},
                                 {"kubernetes.node.name", "ip-10-0-1-23.ec2.internal"},
                                 {"kubernetes.container.name", "spark-kubernetes-driver"},
                                 {"kubernetes.pod.uid", "0b7e5c1a-4d2e-4f3a-9c1d-1234567890ab"}},
                        .field_count = 5});
}

TEST_F(K8sFilterTest, MissingAndEmptyVariablesAreLeftOut) {
  auto r = Apply("{}", {{"POD_NAME", "p"}, {"POD_NAMESPACE", ""}});
  EXPECT_EQ(r->result, FilterResult::kMatched);
  testing::ExpectEvent(*r->event, {.text = {{"kubernetes.pod.name", "p"}}, .field_count = 1});
}

TEST_F(K8sFilterTest, NothingKnownSkips) {
  auto r = Apply("{}", {});
  EXPECT_EQ(r->result, FilterResult::kSkipped);
  EXPECT_TRUE(r->event->fields().empty());
}

TEST_F(K8sFilterTest, CustomVariableNamesAndDisabledOnes) {
  auto r = Apply(
      "{pod_name_env: MY_POD, namespace_env: '', node_name_env: HOST_NODE, "
      "container_name_env: SHIPPED, pod_uid_env: UID}",
      {{"MY_POD", "mine"},
       {"POD_NAMESPACE", "ns"},
       {"HOST_NODE", "n1"},
       {"SHIPPED", "spark-kubernetes-executor"},
       {"UID", "u-1"},
       {"POD_UID", "not-this"}});
  testing::ExpectEvent(*r->event,
                       {.text = {{"kubernetes.pod.name", "mine"},
                                 {"kubernetes.node.name", "n1"},
                                 {"kubernetes.container.name", "spark-kubernetes-executor"},
                                 {"kubernetes.pod.uid", "u-1"}},
                        .absent = {"kubernetes.namespace"}});
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
  auto r = Apply("labels_file: " + path, {});
  EXPECT_EQ(r->result, FilterResult::kMatched);
  testing::ExpectEvent(*r->event,
                       {.text = {{"kubernetes.labels.app", "spark-pi"},
                                 {"kubernetes.labels.app_kubernetes_io/name", "spark"},
                                 {"kubernetes.labels.quote", "say \"hi\" \\ done"},
                                 {"kubernetes.labels.controls", "a\tb\nc\r\a\b\f\v"},
                                 {"kubernetes.labels.hex",
                                  "\xff"
                                  "A"},
                                 {"kubernetes.labels.octal", "A0"},
                                 {"kubernetes.labels.unicode", "caf\u00e9 \U0001F600 \u00fc"},
                                 {"kubernetes.labels.empty", ""},
                                 {"kubernetes.labels.spark-role", "driver"}}});
}

TEST_F(K8sFilterTest, DedotFalseKeepsDots) {
  std::string path = Write("labels", "app.kubernetes.io/name=\"spark\"\n");
  auto r = Apply("{labels_file: " + path + ", dedot: false}", {});
  testing::ExpectEvent(*r->event,
                       {.text = {{"kubernetes.labels.app.kubernetes.io/name", "spark"}}});
}

TEST_F(K8sFilterTest, DedotCollisionKeepsTheFirst) {
  std::string path = Write("labels", "a.b=\"first\"\na_b=\"second\"\n");
  auto r = Apply("labels_file: " + path, {});
  EXPECT_EQ(r->built->filter->fields().size(), 1u);
  testing::ExpectEvent(*r->event, {.text = {{"kubernetes.labels.a_b", "first"}}});
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
  auto r = Apply("labels_file: " + path, {});
  testing::ExpectEvent(*r->event, {.text = {{"kubernetes.labels.good", "1"},
                                            {"kubernetes.labels.crlf", "ok"},
                                            {"kubernetes.labels.also", "2"}},
                                   .field_count = 3});
}

TEST_F(K8sFilterTest, BinaryLabelsFileDoesNotCrash) {
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk.push_back(static_cast<char>((i * 131) & 0xff));
  std::string path = Write("labels", junk);
  Apply("labels_file: " + path, {});
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
  auto r = Apply("{labels_file: " + labels + ", annotations_file: " + annotations + "}", {});
  testing::ExpectEvent(
      *r->event,
      {.text = {{"kubernetes.labels.app", "pi"},
                {"kubernetes.annotations.kubernetes_io/config_seen", "2024-01-01T00:00:00Z"},
                {"kubernetes.annotations.note", "a\nb"}}});
}

TEST_F(K8sFilterTest, Prefix) {
  std::string labels = Write("labels", "app=\"pi\"\n");
  auto r = Apply("{prefix: 'k8s.', labels_file: " + labels + "}", {{"POD_NAME", "p"}});
  testing::ExpectEvent(*r->event, {.text = {{"k8s.pod.name", "p"}, {"k8s.labels.app", "pi"}}});
  auto bare = Apply("prefix: ''", {{"POD_NAME", "p"}});
  testing::ExpectEvent(*bare->event, {.text = {{"pod.name", "p"}}});
}

TEST_F(K8sFilterTest, OverwriteOption) {
  auto keep = Make("{}", {{"POD_NAME", "from-env"}, {"POD_NAMESPACE", "ns"}});
  EventBatch batch;
  Event& e = batch.Add(0, "line");
  e.Set("kubernetes.pod.name", Value::String("from-event"));
  EXPECT_EQ(keep->filter->Apply(e), FilterResult::kMatched);
  testing::ExpectEvent(
      e, {.text = {{"kubernetes.pod.name", "from-event"}, {"kubernetes.namespace", "ns"}}});
  EXPECT_EQ(keep->filter->Apply(e), FilterResult::kSkipped);  // everything already there
  auto replace = Make("overwrite: true", {{"POD_NAME", "from-env"}});
  EXPECT_EQ(replace->filter->Apply(e), FilterResult::kMatched);
  testing::ExpectEvent(e, {.text = {{"kubernetes.pod.name", "from-env"}}});
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
