// DirectoryWatcher: the file input's wake-ups, on a libuv loop of its own: inotify events
// (uv_fs_event) on the directories the globs can match files in, Wake() from other threads (Stop),
// and a timer for the fallback polling. Any of them marks the watcher dirty: the input reads again.
// A directory that cannot be watched (out of inotify watches, gone) is skipped: the input's
// periodic rescan still covers it.
// Thread-safety: Wake() may be called from any thread; everything else on the input's thread,
// between Open() and Close().
#pragma once

#include <uv.h>

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace sluice::inputs::file {

class DirectoryWatcher {
 public:
  DirectoryWatcher() = default;
  DirectoryWatcher(const DirectoryWatcher&) = delete;
  DirectoryWatcher& operator=(const DirectoryWatcher&) = delete;

  // Starts the loop; Wake() works from then on.
  void Open();
  // Watches exactly `dirs` (starting and stopping watches as needed).
  void Watch(const std::vector<std::string>& dirs);
  // Wakes the input's thread out of Wait() (no effect before Open() or after Close()).
  void Wake() {
    std::lock_guard lock(wake_mu_);  // the loop cannot close the handle meanwhile
    if (async_ready_) uv_async_send(&wake_async_);
  }
  // Runs the callbacks of what already happened, without waiting.
  void Poll() { uv_run(&loop_, UV_RUN_NOWAIT); }
  // Waits until an fs event, a wake-up, or `timeout_ms` passed.
  void Wait(uint64_t timeout_ms);
  // Stops every watch and closes the loop.
  void Close();

  // Whether an event or a wake-up came (or MarkDirty() was called) since ClearDirty().
  bool dirty() const { return dirty_; }
  void MarkDirty() { dirty_ = true; }
  void ClearDirty() { dirty_ = false; }

 private:
  static void OnFsEvent(uv_fs_event_t* handle, const char*, int, int);
  static void OnWake(uv_async_t* handle);
  static void Release(uv_fs_event_t* handle);

  uv_loop_t loop_{};
  uv_async_t wake_async_{};
  uv_timer_t timer_{};
  std::mutex wake_mu_;
  bool async_ready_ = false;  // guarded by wake_mu_
  bool dirty_ = true;
  std::map<std::string, uv_fs_event_t*> watches_;
};

}  // namespace sluice::inputs::file
