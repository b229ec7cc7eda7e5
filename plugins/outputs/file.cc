#include "plugins/outputs/file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

namespace sluice::outputs {

SLUICE_REGISTER_OUTPUT(FileOutput, "file",
                       "Events as lines in local files (path template), acked after fsync.");

const config::OptionSchema<FileOutput::Options>& FileOutput::Options::Schema() {
  static const auto* schema =
      &(*new config::OptionSchema<Options>())
           .Add("path", &Options::path,
                "File to append to: a template with `{{field}}` references and strftime "
                "conversions of the event time. Missing directories are created.",
                {.required = true, .example = "/var/lib/sluice/out/%Y-%m-%d.ndjson"})
           .Add("codec", &Options::codec, common::kCodecDoc)
           .Add("fsync", &Options::fsync,
                "fsync before acking, so acked events survive a crash. `false` acks once the "
                "bytes are written to the OS.")
           .Add("max_open_files", &Options::max_open_files,
                "Most files kept open at once (least recently used are closed).", {.min = 1});
  return *schema;
}

Result<std::unique_ptr<FileOutput>> FileOutput::Build(const Options& options,
                                                      PluginContext& context) {
  return std::make_unique<FileOutput>(options, context);
}

FileOutput::FileOutput(const Options& options, PluginContext& context)
    : options_(options), plugin_(context), codec_(options.codec), metrics_(*context.metrics) {}

FileOutput::~FileOutput() {
  for (auto& [path, file] : files_) {
    if (file.fd >= 0) ::close(file.fd);
  }
}

FileOutput::OpenFile& FileOutput::FileFor(const std::string& path) {
  auto it = files_.find(path);
  if (it != files_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return it->second;
  }
  if (files_.size() >= static_cast<size_t>(options_.max_open_files)) {
    WriteBuffers();
    Flush();  // the evicted file's data must be durable and acked before it is closed
    CloseFile(lru_.back());
  }
  lru_.push_front(path);
  OpenFile& f = files_[path];
  f.lru = lru_.begin();
  return f;
}

void FileOutput::CloseFile(const std::string& path) {
  auto it = files_.find(path);
  if (it == files_.end()) return;
  if (it->second.fd >= 0) ::close(it->second.fd);
  lru_.erase(it->second.lru);
  files_.erase(it);
}

void FileOutput::Write(const EventBatch& batch, AckHandle ack) {
  if (options_.path.is_constant()) {
    OpenFile& f = FileFor(options_.path.source());
    for (const Event& e : batch.events()) codec_.AppendLine(e, f.buffer);
  } else {
    for (const Event& e : batch.events()) {
      path_scratch_.clear();
      if (!options_.path.Render(e, path_scratch_)) {
        metrics_.missing_path_fields.Add();
        plugin_.logger.Limited(missing_field_log_, LogLevel::kWarn,
                               "an event lacks a field of path '{}'; it goes to '{}'",
                               options_.path.source(), path_scratch_);
      }
      codec_.AppendLine(e, FileFor(path_scratch_).buffer);
    }
  }
  pending_.push_back(std::move(ack));
  // Bound what waits in memory: write out once a burst grows large.
  size_t buffered = 0;
  for (const auto& [path, f] : files_) buffered += f.buffer.size();
  if (buffered >= (4u << 20)) WriteBuffers();
}

bool FileOutput::WriteAll(const std::string& path, OpenFile& file, std::string* error) {
  if (file.fd < 0) {
    std::error_code ec;
    std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    file.fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (file.fd < 0) {
      *error = fmt::format("cannot open '{}': {}", path, std::strerror(errno));
      return false;
    }
  }
  size_t off = 0;
  while (off < file.buffer.size()) {
    ssize_t n = ::write(file.fd, file.buffer.data() + off, file.buffer.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      file.buffer.erase(0, off);  // keep exactly what was not written, for the retry
      *error = fmt::format("cannot write '{}': {}", path, std::strerror(errno));
      return false;
    }
    off += static_cast<size_t>(n);
  }
  file.buffer.clear();
  file.dirty = true;
  return true;
}

void FileOutput::WriteBuffers() {
  auto backoff = std::chrono::milliseconds(100);
  for (auto& [path, file] : files_) {
    std::string error;
    while (!file.buffer.empty() && !WriteAll(path, file, &error)) {
      healthy_ = false;
      metrics_.write_retries.Add();
      plugin_.metrics->errors.Add();
      plugin_.logger.Limited(error_log_, LogLevel::kError,
                             "{}; retrying in {}ms, the pipeline waits", error, backoff.count());
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(30'000));
    }
  }
  healthy_ = true;
}

void FileOutput::Flush() {
  WriteBuffers();
  bool durable = true;
  if (options_.fsync) {
    for (auto& [path, file] : files_) {
      if (!file.dirty) continue;
      metrics_.fsyncs.Add();
      file.dirty = false;
      if (::fsync(file.fd) == 0) continue;
      // After a failed fsync the kernel may have dropped the dirty pages, so a retry that
      // succeeds proves nothing: the batches are failed (not acked, so their sources are not
      // checkpointed past them) and the file is reopened for what comes next.
      durable = false;
      healthy_ = false;
      plugin_.logger.Limited(error_log_, LogLevel::kError,
                             "cannot fsync '{}': {}; failing {} batch(es)", path,
                             std::strerror(errno), pending_.size());
      ::close(file.fd);
      file.fd = -1;
    }
  }
  for (AckHandle& ack : pending_) {
    if (durable) {
      ack.Ack();
    } else {
      ack.Fail();
    }
  }
  pending_.clear();
  if (durable) healthy_ = true;
}

Status FileOutput::Close() {
  Flush();
  for (auto& [path, file] : files_) {
    if (file.fd >= 0 && ::close(file.fd) != 0) {
      file.fd = -1;
      return IoError("close '" + path + "': " + std::strerror(errno));
    }
    file.fd = -1;
  }
  return Status::Ok();
}

}  // namespace sluice::outputs
