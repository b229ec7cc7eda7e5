// config/kibana/spark-dashboard.ndjson (Kibana saved objects, made by scripts/gen-kibana-objects)
// against the index template Sluice installs (config/elasticsearch/spark-logs-template.json): every
// object parses, every field a visualization, search or query names is mapped by the template, and
// the dashboard's panels reference objects of the file, which all use the file's data view.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "tests/unit/test_util.h"

namespace sluice::testing {
namespace {

const std::string kSource = SLUICE_SOURCE_DIR;

// The dotted names of the fields `properties` maps (`log.template_id`, `spark.app_id`).
void MappedFields(simdjson::dom::object properties, const std::string& prefix,
                  std::set<std::string>* out) {
  for (auto [key, value] : properties) {
    const std::string name = prefix + std::string(key);
    simdjson::dom::object nested;
    if (value["properties"].get(nested) == simdjson::SUCCESS) {
      MappedFields(nested, name + ".", out);
    } else {
      out->insert(name);
    }
  }
}

// The field names a KQL query compares (`a.b : "x" or c : (1 or 2)` gives a.b and c).
std::vector<std::string> KqlFields(const std::string& query) {
  static const std::regex field(R"(([A-Za-z_@][\w.@]*)\s*:)");
  std::vector<std::string> out;
  for (std::sregex_iterator it(query.begin(), query.end(), field), end; it != end; ++it) {
    out.push_back((*it)[1]);
  }
  return out;
}

struct Report {
  std::vector<std::string> problems;
  std::set<std::string> fields_used;
  std::map<std::string, std::string> objects;  // id → type
  size_t panels = 0;
};

// Checks the saved objects of `ndjson` against the fields `mapped`.
Report Check(const std::string& ndjson, const std::set<std::string>& mapped) {
  Report r;
  simdjson::dom::parser parser;
  simdjson::dom::parser inner;
  std::string data_view;
  auto use = [&](const std::string& where, std::string_view field) {
    r.fields_used.insert(std::string(field));
    if (!mapped.contains(std::string(field))) {
      r.problems.push_back(where + ": field '" + std::string(field) +
                           "' is not in the index template");
    }
  };
  struct Object {
    std::string type, id, json;
  };
  std::vector<Object> objects;
  for (const std::string& line : SplitLines(ndjson)) {
    if (line.empty()) continue;
    simdjson::dom::element o;
    std::string_view type, id;
    if (parser.parse(line).get(o) != simdjson::SUCCESS || o["type"].get(type) || o["id"].get(id)) {
      r.problems.push_back("not a saved object: " + line.substr(0, 80));
      continue;
    }
    objects.push_back({std::string(type), std::string(id), line});
    r.objects[std::string(id)] = std::string(type);
    if (type == "index-pattern") data_view = id;
  }
  if (data_view.empty()) r.problems.push_back("no data view (index-pattern) in the file");
  for (const Object& obj : objects) {
    simdjson::dom::element o;
    if (parser.parse(obj.json).get(o) != simdjson::SUCCESS) continue;
    const std::string where = obj.type + " " + obj.id;
    std::map<std::string, std::pair<std::string, std::string>> refs;  // name → (type, id)
    simdjson::dom::array references;
    if (o["references"].get(references) == simdjson::SUCCESS) {
      for (simdjson::dom::element ref : references) {
        std::string_view name, type, id;
        if (ref["name"].get(name) || ref["type"].get(type) || ref["id"].get(id)) {
          r.problems.push_back(where + ": a reference without name, type or id");
          continue;
        }
        refs[std::string(name)] = {std::string(type), std::string(id)};
        auto it = r.objects.find(std::string(id));
        if (it == r.objects.end() || it->second != type) {
          r.problems.push_back(where + ": references " + std::string(type) + " " + std::string(id) +
                               ", which the file does not hold");
        }
      }
    }
    simdjson::dom::element attributes = o["attributes"];
    if (obj.type == "index-pattern") {
      std::string_view time_field;
      if (attributes["timeFieldName"].get(time_field) == simdjson::SUCCESS) {
        use(where + " timeFieldName", time_field);
      }
      continue;
    }
    std::string_view source;
    if (attributes["kibanaSavedObjectMeta"]["searchSourceJSON"].get(source) == simdjson::SUCCESS) {
      simdjson::dom::element s;
      if (inner.parse(std::string(source)).get(s) != simdjson::SUCCESS) {
        r.problems.push_back(where + ": searchSourceJSON is not JSON");
        continue;
      }
      std::string_view query;
      if (s["query"]["query"].get(query) == simdjson::SUCCESS) {
        for (const std::string& f : KqlFields(std::string(query))) use(where + " query", f);
      }
      std::string_view index_ref;
      if (obj.type != "dashboard") {
        if (s["indexRefName"].get(index_ref) != simdjson::SUCCESS ||
            refs[std::string(index_ref)] !=
                std::make_pair(std::string("index-pattern"), data_view)) {
          r.problems.push_back(where + ": does not use the data view " + data_view);
        }
      }
    }
    if (obj.type == "visualization") {
      std::string_view vis_state;
      simdjson::dom::element v;
      if (attributes["visState"].get(vis_state) || inner.parse(std::string(vis_state)).get(v)) {
        r.problems.push_back(where + ": visState is not JSON");
        continue;
      }
      for (simdjson::dom::element agg : v["aggs"].get_array()) {
        std::string_view field;
        if (agg["params"]["field"].get(field) == simdjson::SUCCESS) use(where + " agg", field);
      }
    } else if (obj.type == "search") {
      for (simdjson::dom::element column : attributes["columns"].get_array()) {
        use(where + " column", column.get_string().value());
      }
    } else if (obj.type == "dashboard") {
      std::string_view panels_json;
      simdjson::dom::element panels;
      if (attributes["panelsJSON"].get(panels_json) ||
          inner.parse(std::string(panels_json)).get(panels)) {
        r.problems.push_back(where + ": panelsJSON is not JSON");
        continue;
      }
      for (simdjson::dom::element panel : panels.get_array()) {
        ++r.panels;
        std::string_view ref;
        if (panel["panelRefName"].get(ref) != simdjson::SUCCESS ||
            !refs.contains(std::string(ref))) {
          r.problems.push_back(where + ": a panel without a reference");
        }
      }
    }
  }
  return r;
}

std::set<std::string> TemplateFields() {
  simdjson::dom::parser parser;
  const std::string text = ReadFile(kSource + "/config/elasticsearch/spark-logs-template.json");
  simdjson::dom::object properties;
  EXPECT_EQ(parser.parse(text)["template"]["mappings"]["properties"].get(properties),
            simdjson::SUCCESS);
  std::set<std::string> fields;
  MappedFields(properties, "", &fields);
  return fields;
}

TEST(KibanaObjectsTest, EveryFieldIsMappedAndEveryPanelUsesTheDataView) {
  const std::set<std::string> mapped = TemplateFields();
  ASSERT_TRUE(mapped.contains("log.template_id"));
  ASSERT_TRUE(mapped.contains("spark.app_id"));
  const Report r = Check(ReadFile(kSource + "/config/kibana/spark-dashboard.ndjson"), mapped);
  EXPECT_TRUE(r.problems.empty()) << ::testing::PrintToString(r.problems);
  EXPECT_EQ(r.objects.at("sluice-spark-overview"), "dashboard");
  EXPECT_EQ(r.panels, 7u);
  // What the dashboard is for: errors by application and executor, new and top templates,
  // executor losses, volume per node.
  for (const char* f : {"spark.app_id", "spark.executor_id", "log.level", "tags",
                        "log.template_new", "log.template", "message", "host.name"}) {
    EXPECT_TRUE(r.fields_used.contains(f)) << f;
  }
}

TEST(KibanaObjectsTest, AFieldTheTemplateLacksOrAMissingReferenceIsReported) {
  const std::set<std::string> mapped = TemplateFields();
  std::string ndjson = ReadFile(kSource + "/config/kibana/spark-dashboard.ndjson");
  std::string bad = ndjson;
  const std::string field = "\\\"field\\\": \\\"spark.app_id\\\"";
  ASSERT_NE(bad.find(field), std::string::npos);
  bad.replace(bad.find(field), field.size(), "\\\"field\\\": \\\"spark.application\\\"");
  Report r = Check(bad, mapped);
  ASSERT_EQ(r.problems.size(), 1u) << ::testing::PrintToString(r.problems);
  EXPECT_NE(r.problems[0].find("'spark.application' is not in the index template"),
            std::string::npos);

  std::string dangling = ndjson;
  const std::string id = "\"id\":\"sluice-spark-top-templates\"";
  ASSERT_NE(dangling.find(id), std::string::npos);
  dangling.replace(dangling.find(id), id.size(), "\"id\":\"renamed\"");
  r = Check(dangling, mapped);
  ASSERT_FALSE(r.problems.empty());
  EXPECT_NE(r.problems[0].find("which the file does not hold"), std::string::npos)
      << ::testing::PrintToString(r.problems);
}

}  // namespace
}  // namespace sluice::testing
