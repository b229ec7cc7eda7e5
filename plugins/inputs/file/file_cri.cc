#include "plugins/inputs/file/file_cri.h"

namespace sluice::inputs::file {

CriDecoder::CriDecoder(size_t max_bytes)
    : max_bytes_(max_bytes), time_parser_(common::TimeParser::Make({"RFC3339"}, "UTC").value()) {}

bool CriDecoder::Parse(std::string_view line, int64_t* time_ns, std::string_view* stream,
                       bool* full, std::string_view* text) {
  const size_t time_end = line.find(' ');
  if (time_end == std::string_view::npos || time_end == 0) return false;
  const size_t stream_end = line.find(' ', time_end + 1);
  if (stream_end == std::string_view::npos) return false;
  std::string_view s = line.substr(time_end + 1, stream_end - time_end - 1);
  if (s != "stdout" && s != "stderr") return false;
  // The tags: `P` or `F`, optionally followed by `:`-separated others; then one space and the
  // text (which may be empty: an empty line is `... F ` or, from some runtimes, `... F`).
  size_t tags_end = line.find(' ', stream_end + 1);
  if (tags_end == std::string_view::npos) tags_end = line.size();
  std::string_view tags = line.substr(stream_end + 1, tags_end - stream_end - 1);
  if (tags.empty() || (tags[0] != 'P' && tags[0] != 'F') || (tags.size() > 1 && tags[1] != ':')) {
    return false;
  }
  if (!time_parser_.Parse(line.substr(0, time_end), time_ns)) return false;
  *stream = s;
  *full = tags[0] == 'F';
  *text = tags_end < line.size() ? line.substr(tags_end + 1) : std::string_view();
  return true;
}

}  // namespace sluice::inputs::file
