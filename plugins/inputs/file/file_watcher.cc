#include "plugins/inputs/file/file_watcher.h"

#include <set>

namespace sluice::inputs::file {

void DirectoryWatcher::OnFsEvent(uv_fs_event_t* handle, const char* name, int events, int) {
  auto* watched = static_cast<Watched*>(handle->data);
  DirectoryWatcher& self = *watched->watcher;
  self.dirty_ = true;
  if (self.listener_) {
    self.listener_(watched->dir, name == nullptr ? std::string_view() : std::string_view(name),
                   (events & UV_RENAME) != 0);
  }
}

void DirectoryWatcher::OnWake(uv_async_t* handle) {
  static_cast<DirectoryWatcher*>(handle->data)->dirty_ = true;
}

void DirectoryWatcher::Release(Watched* watched) {
  uv_close(reinterpret_cast<uv_handle_t*>(&watched->handle), [](uv_handle_t* h) {
    delete static_cast<Watched*>(reinterpret_cast<uv_fs_event_t*>(h)->data);
  });
}

void DirectoryWatcher::Open(Listener listener) {
  listener_ = std::move(listener);
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
    uv_fs_event_stop(&it->second->handle);
    Release(it->second);
    it = watches_.erase(it);
  }
  for (const std::string& dir : wanted) {
    if (watches_.count(dir)) continue;
    auto* watched = new Watched{.handle = {}, .watcher = this, .dir = dir};
    uv_fs_event_init(&loop_, &watched->handle);
    watched->handle.data = watched;
    if (uv_fs_event_start(&watched->handle, &DirectoryWatcher::OnFsEvent, dir.c_str(), 0) != 0) {
      // Out of inotify watches, or the directory went away: the periodic rescan still covers it.
      Release(watched);
      continue;
    }
    watches_.emplace(dir, watched);
  }
}

void DirectoryWatcher::Wait(uint64_t timeout_ms) {
  // The loop's clock is cached at its last run: a timer started against a stale clock can be due
  // already, run before the poll, and leave the poll without a timeout (blocked until an fs event).
  uv_update_time(&loop_);
  uv_timer_start(
      &timer_, [](uv_timer_t*) {}, timeout_ms, 0);
  uv_run(&loop_, UV_RUN_ONCE);
  uv_timer_stop(&timer_);
}

void DirectoryWatcher::Close() {
  for (auto& [dir, w] : watches_) {
    uv_fs_event_stop(&w->handle);
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
