#include "plugins/filters/spark.h"

#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/event_batch.h"
#include "pipeline/registry.h"
#include "tests/unit/plugins/plugin_test_util.h"
#include "tests/unit/test_util.h"

namespace sluice::filters {
namespace {

using testing::ParseFilterOptions;

using Env = std::map<std::string, std::string>;

config::EnvLookup Lookup(Env env) {
  return [env = std::move(env)](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
}

struct Built {
  MetricsRegistry registry;
  ComponentMetrics metrics{registry, {}};
  PluginContext context;
  std::unique_ptr<SparkFilter> filter;
};

std::unique_ptr<Built> Make(const std::string& yaml = "{}", Env env = {}) {
  auto b = std::make_unique<Built>();
  b->context.kind = PluginKind::kFilter;
  b->context.metrics = &b->metrics;
  SparkFilter::Options options = ParseFilterOptions<SparkFilter>(yaml);
  options.env = Lookup(std::move(env));
  auto built = SparkFilter::Build(options, b->context);
  EXPECT_TRUE(built.ok());
  b->filter = std::move(built).value();
  return b;
}

// The four fields of an event, "-" for absent ones: "app|container|executor|role".
std::string Fields(const Event& e) {
  std::string out;
  for (const char* name :
       {"spark.app_id", "yarn.container_id", "spark.executor_id", "spark.role"}) {
    if (!out.empty()) out += '|';
    const Value* v = e.Get(name);
    out += v == nullptr ? "-" : std::string(v->as_string());
  }
  return out;
}

// Runs a fresh default filter (no environment) on one event with `path`.
std::string ForPath(const std::string& path, FilterResult* result = nullptr) {
  auto b = Make();
  EventBatch batch;
  Event& e = batch.Add(0, "line");
  e.Set("log.file.path", Value::String(path));
  FilterResult r = b->filter->Apply(e);
  if (result != nullptr) *result = r;
  return Fields(e);
}

TEST(SparkFilterTest, IsRegistered) {
  EXPECT_NE(Registry::Get().Find(PluginKind::kFilter, "spark"), nullptr);
}

TEST(SparkFilterTest, YarnContainers) {
  FilterResult r;
  EXPECT_EQ(ForPath("/var/log/hadoop-yarn/containers/application_1496969700420_0001/"
                    "container_1496969700420_0001_01_000002/stderr",
                    &r),
            "application_1496969700420_0001|container_1496969700420_0001_01_000002|-|executor");
  EXPECT_EQ(r, FilterResult::kMatched);
  // Container 1 is the ApplicationMaster: the driver in cluster mode.
  EXPECT_EQ(ForPath("/mnt/var/log/hadoop-yarn/containers/application_1496969700420_0001/"
                    "container_1496969700420_0001_01_000001/stdout"),
            "application_1496969700420_0001|container_1496969700420_0001_01_000001|driver|driver");
  // A second attempt's AM, and an epoch in the container id.
  EXPECT_EQ(
      ForPath("/hadoop/yarn/log/application_1496969700420_0012/"
              "container_e12_1496969700420_0012_02_000001/stderr"),
      "application_1496969700420_0012|container_e12_1496969700420_0012_02_000001|driver|driver");
  EXPECT_EQ(ForPath("/data/yarn/logs/application_1_0001/container_e3_1_0001_01_1000123/syslog"),
            "application_1_0001|container_e3_1_0001_01_1000123|-|executor");
  // An EMR log bucket copy (gzipped name).
  EXPECT_EQ(ForPath("s3://my-logs/elasticmapreduce/j-2AXXXXXXGAPLF/containers/"
                    "application_1496969700420_0003/container_1496969700420_0003_01_000004/"
                    "stderr.gz"),
            "application_1496969700420_0003|container_1496969700420_0003_01_000004|-|executor");
}

// A YARN NodeManager log directory as Hadoop 3 (EMR 6 and 7) leaves it: each container's
// stderr/stdout beside launch_container.sh, whose java command line names the executor.
class SparkLaunchScriptTest : public ::testing::Test {
 protected:
  void SetUp() override { root_ = sluice::testing::FreshTestDir("spark_launch"); }
  void TearDown() override { std::filesystem::remove_all(root_); }
  // Makes root/var/log/hadoop-yarn/containers/APP/CONTAINER with `script` (none when empty) and
  // returns the path of its stderr.
  std::string Container(const std::string& container, const std::string& script) {
    auto dir = root_ / "var/log/hadoop-yarn/containers/application_1700000000000_0007" / container;
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "stderr") << "";
    if (!script.empty()) std::ofstream(dir / "launch_container.sh") << script;
    return (dir / "stderr").string();
  }
  // For each (container, its launch_container.sh or "" for none, the fields of an event of its
  // stderr): what a default filter makes of the event.
  void ExpectContainers(const std::vector<std::array<std::string, 3>>& cases) {
    for (const auto& [container, script, fields] : cases) {
      EXPECT_EQ(ForPath(Container(container, script)), fields) << container;
    }
  }
  static std::string Executor(const std::string& id) {
    return "#!/bin/bash\nset -o pipefail -e\nexport PRELAUNCH_OUT=\"/var/log/hadoop-yarn/"
           "prelaunch.out\"\nexec /bin/bash -c "
           "\"LD_LIBRARY_PATH=\\\"/usr/lib/hadoop/lib/native\\\" "
           "$JAVA_HOME/bin/java -server -Xmx4743m '-verbose:gc' -Djava.io.tmpdir=$PWD/tmp "
           "-Dspark.yarn.app.container.log.dir=/var/log/hadoop-yarn/containers/"
           "application_1700000000000_0007/container_1700000000000_0007_01_000003 "
           "org.apache.spark.executor.YarnCoarseGrainedExecutorBackend --driver-url "
           "spark://CoarseGrainedScheduler@ip-10-0-1-5.ec2.internal:35469 --executor-id " +
           id +
           " --hostname ip-10-0-1-9.ec2.internal --cores 4 --app-id "
           "application_1700000000000_0007 --resourceProfileId 0 1>/var/log/stdout "
           "2>/var/log/stderr\"\n";
  }
  std::filesystem::path root_;
};

TEST_F(SparkLaunchScriptTest, ExecutorIdsComeFromTheLaunchScript) {
  // Executor 2 in container 3: YARN's container numbers and Spark's executor ids differ.
  ExpectContainers({
      {"container_1700000000000_0007_01_000003", Executor("2"),
       "application_1700000000000_0007|container_1700000000000_0007_01_000003|2|executor"},
      {"container_e14_1700000000000_0007_01_000011", Executor("17"),
       "application_1700000000000_0007|container_e14_1700000000000_0007_01_000011|17|executor"},
  });
}

TEST_F(SparkLaunchScriptTest, TheApplicationMasterIsTheDriverOnlyInClusterMode) {
  ExpectContainers({
      {"container_1700000000000_0007_01_000001",
       "exec /bin/bash -c \"$JAVA_HOME/bin/java -server -Xmx2g "
       "org.apache.spark.deploy.yarn.ApplicationMaster --class 'com.example.Job' --jar "
       "s3://bucket/job.jar --properties-file $PWD/__spark_conf__/__spark_conf__.properties\"\n",
       "application_1700000000000_0007|container_1700000000000_0007_01_000001|driver|driver"},
      // Client mode: the AM is only the ExecutorLauncher; the driver runs outside YARN.
      {"container_1700000000000_0007_02_000001",
       "exec /bin/bash -c \"$JAVA_HOME/bin/java -server -Xmx512m "
       "org.apache.spark.deploy.yarn.ExecutorLauncher --arg 'ip-10-0-1-5.ec2.internal:40543' "
       "--properties-file $PWD/__spark_conf__/__spark_conf__.properties\"\n",
       "application_1700000000000_0007|container_1700000000000_0007_02_000001|-|driver"},
  });
}

TEST_F(SparkLaunchScriptTest, WithoutAScriptOrTheOptionOnlyTheApplicationMasterGetsAnId) {
  // A MapReduce task's script names no executor.
  ExpectContainers({
      {"container_1700000000000_0007_01_000004", "",
       "application_1700000000000_0007|container_1700000000000_0007_01_000004|-|executor"},
      {"container_1700000000000_0007_01_000005",
       "exec /bin/bash -c \"$JAVA_HOME/bin/java org.apache.hadoop.mapred.YarnChild 10.0.1.5 "
       "41213\"\n",
       "application_1700000000000_0007|container_1700000000000_0007_01_000005|-|executor"},
  });
  auto b = Make("{launch_script: false}");
  EventBatch batch;
  Event& e = batch.Add(0, "line");
  e.Set("log.file.path",
        Value::String(Container("container_1700000000000_0007_01_000006", Executor("5"))));
  b->filter->Apply(e);
  EXPECT_EQ(Fields(e),
            "application_1700000000000_0007|container_1700000000000_0007_01_000006|-|executor");
}

TEST_F(SparkLaunchScriptTest, TheLearnedIdOutlivesTheCache) {
  // Two containers alternate in one batch: each event keeps its own executor id.
  const std::string a = Container("container_1700000000000_0007_01_000002", Executor("1"));
  const std::string b = Container("container_1700000000000_0007_01_000003", Executor("2"));
  auto built = Make();
  EventBatch batch;
  std::vector<Event*> events;
  for (int i = 0; i < 6; ++i) {
    Event& e = batch.Add(0, "line");
    e.Set("log.file.path", Value::String(i % 2 == 0 ? a : b));
    built->filter->Apply(e);
    events.push_back(&e);
  }
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(std::string(events[i]->Get("spark.executor_id")->as_string()), i % 2 == 0 ? "1" : "2")
        << i;
  }
}

TEST(SparkFilterTest, YarnAppIdFromTheContainerWhenThereIsNoApplicationDirectory) {
  EXPECT_EQ(ForPath("/logs/container_e7_1496969700420_0042_01_000003/stderr"),
            "application_1496969700420_0042|container_e7_1496969700420_0042_01_000003|-|executor");
}

TEST(SparkFilterTest, YarnAggregatedLogDirectoryGivesTheAppIdOnly) {
  EXPECT_EQ(ForPath("/tmp/logs/hadoop/logs/application_1496969700420_0001/ip-10-0-0-1_8041"),
            "application_1496969700420_0001|-|-|-");
}

TEST(SparkFilterTest, SparkStandalone) {
  EXPECT_EQ(ForPath("/opt/spark/work/app-20170609201040-0001/3/stderr"),
            "app-20170609201040-0001|-|3|executor");
  EXPECT_EQ(ForPath("/opt/spark/work/driver-20170609201040-0007/stderr"), "-|-|-|driver");
  // The app directory without an executor directory: the app id only.
  EXPECT_EQ(ForPath("/opt/spark/work/app-20170609201040-0001/stderr"),
            "app-20170609201040-0001|-|-|-");
}

TEST(SparkFilterTest, EmrServerless) {
  EXPECT_EQ(ForPath("s3://b/logs/applications/00f9abcdefg/jobs/00fa1234/SPARK_DRIVER/stderr.gz"),
            "-|-|-|driver");
  EXPECT_EQ(ForPath("s3://b/logs/applications/00f9/jobs/00fa/SPARK_DRIVER/archived/stderr_1.gz"),
            "-|-|-|driver");
  EXPECT_EQ(ForPath("s3://b/logs/applications/00f9/jobs/00fa/SPARK_EXECUTOR/12/stdout.gz"),
            "-|-|12|executor");
}

TEST(SparkFilterTest, EmrOnEks) {
  EXPECT_EQ(ForPath("s3://b/emr-containers-log/vc1/jobs/000000031abc/containers/"
                    "spark-000000031abc/spark-000000031abc-driver/stderr.gz"),
            "spark-000000031abc|-|-|driver");
  EXPECT_EQ(ForPath("s3://b/emr-containers-log/vc1/jobs/000000031abc/containers/"
                    "spark-000000031abc/etl-890693a03d3a548b-exec-14/stdout.gz"),
            "spark-000000031abc|-|14|executor");
}

TEST(SparkFilterTest, KubernetesNodeLogPaths) {
  EXPECT_EQ(
      ForPath("/var/log/pods/spark-jobs_pi-4f9a2b-driver_0b7e5c1a-4d2e-4f3a-9c1d-1234567890ab/"
              "spark-kubernetes-driver/0.log"),
      "-|-|-|driver");
  EXPECT_EQ(ForPath("/var/log/pods/spark-jobs_pi-4f9a2b-exec-3_0b7e5c1a-4d2e-4f3a-9c1d-12345678/"
                    "spark-kubernetes-executor/1.log"),
            "-|-|3|executor");
  EXPECT_EQ(ForPath("/var/log/containers/pi-4f9a2b-exec-27_spark-jobs_spark-kubernetes-executor-"
                    "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988.log"),
            "-|-|27|executor");
  EXPECT_EQ(ForPath("/var/log/containers/pi-4f9a2b-driver_spark-jobs_spark-kubernetes-driver-"
                    "1f2e3d4c5b6a7988.log"),
            "-|-|-|driver");
  // Another container of the same pod (a sidecar) is not Spark's.
  EXPECT_EQ(ForPath("/var/log/containers/pi-4f9a2b-driver_spark-jobs_sluice-1f2e3d4c.log"),
            "-|-|-|-");
}

TEST(SparkFilterTest, UnrecognizedAndWeirdPathsSetNothing) {
  const std::vector<std::string> paths = {"",
                                          "/",
                                          "//",
                                          "/var/log/syslog",
                                          "/var/log/spark/spark-history-server.out",
                                          "application_",
                                          "/x/application_1_/stderr",
                                          "/x/application_a_0001/stderr",
                                          "/x/application_1_0001x/stderr",
                                          "/x/container_1_0001_01/stderr",
                                          "/x/container_e_1_0001_01_000001/stderr",
                                          "/x/container_1_0001_01_00000a/stderr",
                                          "/x/app-2017060920104-0001/3/stderr",
                                          "/x/app-201706092010400-0001/3/stderr",
                                          "/x/SPARK_EXECUTOR/x/stderr",
                                          "/x/SPARK_DRIVER",
                                          "/x/containers/spark-/p-driver/stderr",
                                          "/x/containers/spark-1/p-driver",
                                          "/x/containers/spark-1/p-exec-/stderr",
                                          "/x/a_b/spark-kubernetes-driver/0.log",
                                          "/x/a_b_c_d/spark-kubernetes-driver/0.log",
                                          "/x/containers/pod_ns_spark-kubernetes-executor.log",
                                          std::string("\xff\xfe/\x00/", 5)};
  for (const std::string& path : paths) {
    FilterResult r;
    EXPECT_EQ(ForPath(path, &r), "-|-|-|-") << path;
    EXPECT_EQ(r, FilterResult::kSkipped) << path;
  }
}

TEST(SparkFilterTest, HugeAndBinaryPathsDoNotCrash) {
  std::string huge(1 << 20, '/');
  huge += "application_1_0001/container_1_0001_01_000002/stderr";
  EXPECT_EQ(ForPath(huge), "application_1_0001|container_1_0001_01_000002|-|executor");
  std::string binary = "/\xff\x80/application_1_0001/\xc3/stderr";
  EXPECT_EQ(ForPath(binary), "application_1_0001|-|-|-");
}

TEST(SparkFilterTest, TheComponentClosestToTheFileWins) {
  EXPECT_EQ(ForPath("/backup/application_1_0001/restored/application_1_0002/"
                    "container_1_0002_01_000005/stderr"),
            "application_1_0002|container_1_0002_01_000005|-|executor");
}

TEST(SparkFilterTest, PathValuesAreViewsIntoTheEventsPath) {
  auto b = Make();
  EventBatch batch;
  Event& e = batch.Add(0, "line");
  e.Set("log.file.path", Value::String("/c/application_1_0001/container_1_0001_01_000002/stderr"));
  ASSERT_EQ(b->filter->Apply(e), FilterResult::kMatched);
  std::string_view path = e.Get("log.file.path")->as_string();
  std::string_view app = e.Get("spark.app_id")->as_string();
  EXPECT_GE(app.data(), path.data());
  EXPECT_LE(app.data() + app.size(), path.data() + path.size());
}

TEST(SparkFilterTest, CacheIsCorrectAcrossBatchesAndPathChanges) {
  auto b = Make();
  const std::string p1 = "/c/application_1_0001/container_1_0001_01_000002/stderr";
  const std::string p2 = "/w/app-20170609201040-0001/5/stderr";
  auto batch1 = std::make_unique<EventBatch>();
  for (int i = 0; i < 3; ++i) {
    Event& e = batch1->Add(0, "a");
    e.Set("log.file.path", Value::String(p1));
    ASSERT_EQ(b->filter->Apply(e), FilterResult::kMatched);
  }
  EXPECT_EQ(Fields(batch1->events()[2]),
            "application_1_0001|container_1_0001_01_000002|-|executor");
  // The next batch (another arena) repeats the path, then alternates.
  auto batch2 = std::make_unique<EventBatch>();
  Event& same = batch2->Add(0, "b");
  same.Set("log.file.path", Value::String(p1));
  ASSERT_EQ(b->filter->Apply(same), FilterResult::kMatched);
  Event& other = batch2->Add(0, "c");
  other.Set("log.file.path", Value::String(p2));
  ASSERT_EQ(b->filter->Apply(other), FilterResult::kMatched);
  Event& back = batch2->Add(0, "d");
  back.Set("log.file.path", Value::String(p1));
  ASSERT_EQ(b->filter->Apply(back), FilterResult::kMatched);
  Event& unknown = batch2->Add(0, "e");
  unknown.Set("log.file.path", Value::String("/var/log/messages"));
  EXPECT_EQ(b->filter->Apply(unknown), FilterResult::kSkipped);
  batch1.reset();  // the first batch's bytes are gone: nothing may point at them
  std::string_view path2 = batch2->events()[0].Get("log.file.path")->as_string();
  std::string_view app = batch2->events()[0].Get("spark.app_id")->as_string();
  EXPECT_GE(app.data(), path2.data());
  EXPECT_LE(app.data() + app.size(), path2.data() + path2.size());
  EXPECT_EQ(Fields(batch2->events()[0]),
            "application_1_0001|container_1_0001_01_000002|-|executor");
  EXPECT_EQ(Fields(batch2->events()[1]), "app-20170609201040-0001|-|5|executor");
  EXPECT_EQ(Fields(batch2->events()[2]),
            "application_1_0001|container_1_0001_01_000002|-|executor");
  EXPECT_EQ(Fields(batch2->events()[3]), "-|-|-|-");
}

TEST(SparkFilterTest, CacheComparesEveryByte) {
  // Same length, same prefix, one byte apart: a cache keyed on length or pointer would be wrong.
  auto b = Make();
  EventBatch batch;
  Event& a = batch.Add(0, "a");
  a.Set("log.file.path", Value::String("/c/application_1_0001/container_1_0001_01_000002/stderr"));
  Event& c = batch.Add(0, "c");
  c.Set("log.file.path", Value::String("/c/application_1_0001/container_1_0001_01_000001/stderr"));
  b->filter->Apply(a);
  b->filter->Apply(c);
  EXPECT_EQ(Fields(a), "application_1_0001|container_1_0001_01_000002|-|executor");
  EXPECT_EQ(Fields(c), "application_1_0001|container_1_0001_01_000001|driver|driver");
}

TEST(SparkFilterTest, KubernetesEnvironment) {
  auto b = Make("{}", {{"SPARK_APPLICATION_ID", "spark-0a1b2c3d4e5f"}, {"SPARK_EXECUTOR_ID", "4"}});
  EventBatch batch;
  Event& e = batch.Add(0, "line");  // no path at all
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(Fields(e), "spark-0a1b2c3d4e5f|-|4|executor");
  // A path that says nothing falls back to the environment too.
  Event& f = batch.Add(0, "line");
  f.Set("log.file.path", Value::String("/var/log/spark/stderr"));
  EXPECT_EQ(b->filter->Apply(f), FilterResult::kMatched);
  EXPECT_EQ(Fields(f), "spark-0a1b2c3d4e5f|-|4|executor");
}

TEST(SparkFilterTest, RoleFromSparkRole) {
  auto driver = Make("{}", {{"SPARK_APPLICATION_ID", "spark-1"}, {"SPARK_ROLE", "Driver"}});
  EventBatch batch;
  Event& e = batch.Add(0, "line");
  driver->filter->Apply(e);
  EXPECT_EQ(Fields(e), "spark-1|-|-|driver");
  auto bogus = Make("{}", {{"SPARK_ROLE", "master"}});
  Event& f = batch.Add(0, "line");
  EXPECT_EQ(bogus->filter->Apply(f), FilterResult::kSkipped);
  EXPECT_EQ(Fields(f), "-|-|-|-");
  auto explicit_executor = Make("{}", {{"SPARK_ROLE", "executor"}});
  Event& g = batch.Add(0, "line");
  explicit_executor->filter->Apply(g);
  EXPECT_EQ(Fields(g), "-|-|-|executor");
}

TEST(SparkFilterTest, ARecognizedPathWinsOverTheEnvironment) {
  auto b = Make("{}", {{"SPARK_APPLICATION_ID", "spark-env"}, {"SPARK_EXECUTOR_ID", "9"}});
  EventBatch batch;
  Event& e = batch.Add(0, "line");
  e.Set("log.file.path", Value::String("/w/app-20170609201040-0001/2/stderr"));
  b->filter->Apply(e);
  EXPECT_EQ(Fields(e), "app-20170609201040-0001|-|2|executor");
}

TEST(SparkFilterTest, UseEnvFalseIgnoresTheEnvironment) {
  auto b =
      Make("use_env: false", {{"SPARK_APPLICATION_ID", "spark-1"}, {"SPARK_EXECUTOR_ID", "1"}});
  EventBatch batch;
  Event& e = batch.Add(0, "line");
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kSkipped);
  EXPECT_TRUE(e.fields().empty());
}

TEST(SparkFilterTest, EmptyEnvironmentValuesAreUnset) {
  auto b = Make("{}", {{"SPARK_APPLICATION_ID", ""}, {"SPARK_EXECUTOR_ID", ""}});
  EventBatch batch;
  Event& e = batch.Add(0, "line");
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kSkipped);
  EXPECT_TRUE(e.fields().empty());
}

TEST(SparkFilterTest, PathField) {
  auto b = Make("path_field: source");
  EventBatch batch;
  Event& e = batch.Add(0, "line");
  e.Set("log.file.path", Value::String("/c/application_1_0001/container_1_0001_01_000002/stderr"));
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kSkipped);
  e.Set("source", Value::String("/c/application_1_0002/container_1_0002_01_000001/stderr"));
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(Fields(e), "application_1_0002|container_1_0002_01_000001|driver|driver");
  // A path field that is not a string is treated as absent.
  Event& f = batch.Add(0, "line");
  f.Set("source", Value::Int(3));
  EXPECT_EQ(b->filter->Apply(f), FilterResult::kSkipped);
  // An empty path_field looks at the environment only.
  auto env_only = Make("path_field: ''", {{"SPARK_EXECUTOR_ID", "2"}});
  Event& g = batch.Add(0, "line");
  g.Set("log.file.path", Value::String("/c/application_1_0001/container_1_0001_01_000002/x"));
  EXPECT_EQ(env_only->filter->Apply(g), FilterResult::kMatched);
  EXPECT_EQ(Fields(g), "-|-|2|executor");
}

TEST(SparkFilterTest, OverwriteFalseKeepsExistingFields) {
  auto b = Make();
  EventBatch batch;
  Event& e = batch.Add(0, "line");
  e.Set("log.file.path", Value::String("/c/application_1_0001/container_1_0001_01_000002/stderr"));
  e.Set("spark.executor_id", Value::String("7"));  // e.g. parsed from the message
  e.Set("spark.role", Value::String("executor"));
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(Fields(e), "application_1_0001|container_1_0001_01_000002|7|executor");
  // Everything already there: nothing set.
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kSkipped);
  // The app id built from a container id is not built when the field exists.
  Event& f = batch.Add(0, "line");
  f.Set("log.file.path", Value::String("/c/container_1_0003_01_000002/stderr"));
  f.Set("spark.app_id", Value::String("given"));
  b->filter->Apply(f);
  EXPECT_EQ(Fields(f), "given|container_1_0003_01_000002|-|executor");
}

TEST(SparkFilterTest, OverwriteTrueReplacesThem) {
  auto b = Make("overwrite: true");
  EventBatch batch;
  Event& e = batch.Add(0, "line");
  e.Set("log.file.path", Value::String("/c/container_1_0003_01_000001/stderr"));
  e.Set("spark.app_id", Value::String("old"));
  e.Set("spark.role", Value::String("executor"));
  EXPECT_EQ(b->filter->Apply(e), FilterResult::kMatched);
  EXPECT_EQ(Fields(e), "application_1_0003|container_1_0003_01_000001|driver|driver");
}

TEST(SparkFilterTest, OptionErrors) {
  std::string errors;
  ParseFilterOptions<SparkFilter>("{path_field: '', use_env: false}", &errors);
  EXPECT_NE(errors.find("nothing to derive"), std::string::npos) << errors;
  ParseFilterOptions<SparkFilter>("{use_env: maybe}", &errors);
  EXPECT_FALSE(errors.empty());
  ParseFilterOptions<SparkFilter>("{overwrit: true}", &errors);
  EXPECT_NE(errors.find("did you mean 'overwrite'"), std::string::npos) << errors;
}

}  // namespace
}  // namespace sluice::filters
