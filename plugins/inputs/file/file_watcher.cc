#include "plugins/inputs/file/file_watcher.h"

#include <set>

namespace sluice::inputs::file {

// Events only trigger reads of the files already tracked. New files are found by the rescans
// (every scan_interval, and at once when a tracked file is truncated): tracking a file the moment
// it is created would catch copytruncate's copy half-written, before it can be recognised as a
// copy.
void DirectoryWatcher::OnFsEvent(uv_fs_event_t* handle, const char*, int, int) {
  static_cast<DirectoryWatcher*>(handle->data)->dirty_ = true;
}

void DirectoryWatcher::OnWake(uv_async_t* handle) {
  static_cast<DirectoryWatcher*>(handle->data)->dirty_ = true;
}

void DirectoryWatcher::Release(uv_fs_event_t* handle) {
  uv_close(reinterpret_cast<uv_handle_t*>(handle),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_fs_event_t*>(h); });
}

void DirectoryWatcher::Open() {
  uv_loop_init(&loop_);
  uv_async_init(&loop_, &wake_async_, &DirectoryWatcher::OnWake);
  wake_async_.data = this;
  uv_timer_init(&loop_, &timer_);
  std::lock_guard lock(wake_mu_);
  async_ready_ = true;
}

void DirectoryWatcher::Watch(const std::vector<std::string>& dirs) {
  std::set<std::string> wanted(dirs.begin(), dirs.end());
  for (auto it = watches_.begin(); it != watches_.end();) {
    if (wanted.count(it->first)) {
      ++it;
      continue;
    }
    uv_fs_event_stop(it->second);
    Release(it->second);
    it = watches_.erase(it);
  }
  for (const std::string& dir : wanted) {
    if (watches_.count(dir)) continue;
    auto* handle = new uv_fs_event_t;
    uv_fs_event_init(&loop_, handle);
    handle->data = this;
    if (uv_fs_event_start(handle, &DirectoryWatcher::OnFsEvent, dir.c_str(), 0) != 0) {
      // Out of inotify watches, or the directory went away: the periodic rescan still covers it.
      Release(handle);
      continue;
    }
    watches_.emplace(dir, handle);
  }
}

void DirectoryWatcher::Wait(uint64_t timeout_ms) {
  uv_timer_start(
      &timer_, [](uv_timer_t*) {}, timeout_ms, 0);
  uv_run(&loop_, UV_RUN_ONCE);
  uv_timer_stop(&timer_);
}

void DirectoryWatcher::Close() {
  for (auto& [dir, w] : watches_) {
    uv_fs_event_stop(w);
    Release(w);
  }
  watches_.clear();
  {
    std::lock_guard lock(wake_mu_);
    async_ready_ = false;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&wake_async_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), nullptr);
  uv_run(&loop_, UV_RUN_DEFAULT);
  uv_loop_close(&loop_);
}

}  // namespace sluice::inputs::file
