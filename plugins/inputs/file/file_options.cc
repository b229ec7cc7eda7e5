#include "plugins/inputs/file/file_options.h"

#include <utility>

namespace sluice::inputs::file {

const config::OptionSchema<FileOptions>& FileOptions::Schema() {
  static const auto* schema =
      &(*new config::OptionSchema<FileOptions>())
           .Add("include", &FileOptions::include,
                "Files to read: absolute glob patterns (`*`, `?`, `[...]`, `{a,b}`, `**` for any "
                "number of directories).",
                {.required = true, .example = "[/var/log/hadoop-yarn/containers/*/*/stderr]"})
           .Add("exclude", &FileOptions::exclude,
                "Patterns of files not to read; a pattern without `/` matches the base name.",
                {.example = "['*.gz']"})
           .Add("read_from", &FileOptions::read_from,
                "Where to start in files found at the very first start (no checkpoint yet): "
                "`beginning` or `end`. Files that appear later are always read from their start.")
           .Add("scan_interval", &FileOptions::scan_interval,
                "How often the globs are expanded again (inotify events trigger reads at once; "
                "the rescan catches what events miss).",
                {.min = Duration{std::chrono::milliseconds(10)}})
           .Add("max_open_files", &FileOptions::max_open_files,
                "Most files open at once; others wait their turn (idle files are closed after "
                "`close_inactive`).",
                {.min = 1})
           .Add("max_read_bytes", &FileOptions::max_read_bytes,
                "Most bytes read from one file per turn, so one busy file cannot starve others.",
                {.min = ByteSize{4096}})
           .Add("max_line_bytes", &FileOptions::max_line_bytes,
                "Longest line kept whole; longer lines are cut into pieces of this size, tagged "
                "`_line_truncated`.",
                {.min = ByteSize{16}})
           .Add("fingerprint_bytes", &FileOptions::fingerprint_bytes,
                "How many leading bytes identify a file besides its inode (detects inode reuse).",
                {.min = ByteSize{16}, .max = ByteSize{1 << 20}})
           .Add("partial_timeout", &FileOptions::partial_timeout,
                "How long a last line without newline may go without growing before it is sent "
                "as it is.",
                {.min = Duration{std::chrono::milliseconds(1)}})
           .Add("ignore_older", &FileOptions::ignore_older,
                "Skip files not modified for this long when they are found (0: read all).")
           .Add("close_inactive", &FileOptions::close_inactive,
                "Close a file read to its end that has not grown for this long (reopened when it "
                "grows).",
                {.min = Duration{std::chrono::milliseconds(1)}})
           .Add("rotate_wait", &FileOptions::rotate_wait,
                "How long a renamed (rotated) file is kept open after its last growth, for late "
                "writes, once it is read to its end.",
                {.min = Duration{std::chrono::milliseconds(0)}})
           .Add("close_removed_after", &FileOptions::close_removed_after,
                "How long a deleted file may be held open while the pipeline cannot take its "
                "data; then its unread bytes are abandoned (metric and warning).",
                {.min = Duration{std::chrono::milliseconds(1)}})
           .Add("exit_on_eof", &FileOptions::exit_on_eof,
                "Finish once every matched file is read to its end (one-shot backfills, "
                "benchmarks): `sluice run` then drains and exits.")
           .Add("drop_cache", &FileOptions::drop_cache,
                "Drop what every output acked from the page cache (`posix_fadvise` "
                "`DONTNEED`), so that reading logs does not evict the memory a Spark executor's "
                "shuffle and cached files need. Off: the kernel keeps the pages as usual.")
           .Add("format", &FileOptions::format,
                "How the files' lines are framed: `raw` (each line is a message) or `cri` "
                "(Kubernetes container logs under /var/log/pods: the runtime's time becomes the "
                "event time, `stream` is set, partial lines are joined; lines that are not CRI "
                "are kept whole and tagged `_cri_parse_failure`). Multiline applies after.")
           .Add("multiline", &FileOptions::multiline,
                "Join lines into events (stack traces); see the multiline options below.")
           .Add("host", &FileOptions::host,
                "Value of `host.name` (default: the machine's hostname).")
           .Add("batch_events", &FileOptions::batch_events,
                "Most events per batch handed to the pipeline.", {.min = 1})
           .Compile([](FileOptions& o) -> std::string {
             Result<GlobSet> globs = GlobSet::Compile(o.include, o.exclude);
             if (!globs.ok()) return globs.status().message();
             o.globs = std::make_shared<const GlobSet>(std::move(globs).value());
             return "";
           });
  return *schema;
}

}  // namespace sluice::inputs::file
