#include "plugins/filters/grok.h"

namespace sluice::filters {

namespace grok = common::grok;

SLUICE_REGISTER_FILTER(GrokFilter, "grok",
                       "Parses text with grok patterns (%{SPARK_LOG4J}, %{IP:client.ip}) into "
                       "fields.");

namespace {

// The library the options describe (the shipped patterns, then `patterns_dir`, `pattern_files`,
// `pattern_definitions`, later ones replacing earlier definitions) and every pattern of `pattern`
// / `patterns` compiled with it, in order. Reads the pattern files. The error lists every problem
// found, each naming its option (`patterns[1]: invalid pattern ...`).
Result<std::vector<grok::CompiledPattern>> CompileGrokPatterns(const GrokFilter::Options& options) {
  grok::PatternLibrary library = grok::PatternLibrary::Builtin();
  std::vector<std::string> errors;
  for (const std::string& dir : options.patterns_dir) {
    Status s = library.AddDirectory(dir);
    if (!s.ok()) errors.push_back("patterns_dir: " + s.message());
  }
  for (const std::string& file : options.pattern_files) {
    Status s = library.AddFile(file);
    if (!s.ok()) errors.push_back("pattern_files: " + s.message());
  }
  for (const auto& [name, regex] : options.pattern_definitions) {
    Status s = library.Define(name, regex);
    if (!s.ok()) errors.push_back("pattern_definitions: " + s.message());
  }
  std::vector<grok::CompiledPattern> compiled;
  if (errors.empty()) {
    compiled = grok::CompilePatternOptions(options.pattern, options.patterns, library,
                                           grok::PatternSyntax::kGrok, errors);
  }
  if (!errors.empty()) return grok::JoinedErrors(errors);
  return compiled;
}

}  // namespace

const config::OptionSchema<GrokFilter::Options>& GrokFilter::Options::Schema() {
  static const auto* schema =
      &grok::AddPatternOptions(
           *new config::OptionSchema<Options>(),
           {.pattern = "The grok pattern. Set this or `patterns`. Not anchored: start it with `^` "
                       "to match at the start only (faster, too).",
            .pattern_example = "^%{SPARK_LOG4J}",
            .patterns = "Grok patterns tried in order; the first that matches wins (see "
                        "`break_on_match`). Set this or `pattern`.",
            .patterns_example = "[\"^%{SPARK_LOG4J}\", \"^%{HADOOP_LOG4J}\"]",
            .one_pattern = "one grok pattern"})
           .Add("pattern_definitions", &Options::pattern_definitions,
                "More library patterns, NAME: regex; they may reference others as %{NAME} and "
                "replace shipped ones of the same name.",
                {.example = "{APP_ID: 'application_\\d+_\\d+'}"})
           .Add("patterns_dir", &Options::patterns_dir,
                "Directories whose files (all but dotfiles) hold pattern definitions, one `NAME "
                "regex` per line, `#` comments (Logstash's format). Read when the config is "
                "loaded.",
                {.example = "/etc/sluice/patterns"})
           .Add("pattern_files", &Options::pattern_files,
                "Pattern definition files, in the format of `patterns_dir`.")
           .Add("break_on_match", &Options::break_on_match,
                "Stop at the first pattern that matches; `false` applies every pattern that "
                "matches, in order (later captures win).")
           .Add("keep_empty_captures", &Options::keep_empty_captures,
                "Set fields for captures that matched empty text (by default they set nothing).")
           .Compile([](Options& o) {
             return grok::CompileFieldParser(CompileGrokPatterns(o),
                                             {.field = o.field,
                                              .break_on_match = o.break_on_match,
                                              .keep_empty_captures = o.keep_empty_captures,
                                              .tag_on_failure = o.tag_on_failure},
                                             &o.parser);
           });
  return *schema;
}

Result<std::unique_ptr<GrokFilter>> GrokFilter::Build(const Options& options, PluginContext&) {
  if (options.parser == nullptr) return Internal("grok: options not parsed with Schema()");
  return std::make_unique<GrokFilter>(*options.parser);
}

GrokFilter::GrokFilter(grok::FieldParser parser) : parser_(std::move(parser)) {}

FilterResult GrokFilter::Apply(Event& event) { return parser_.Apply(event); }

}  // namespace sluice::filters
