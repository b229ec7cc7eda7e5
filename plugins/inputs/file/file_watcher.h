// DirectoryWatcher: the file input's wake-ups, on a libuv loop of its own: inotify events
// (uv_fs_event) on the directories the globs can match files in, Wake() from other threads (Stop),
// and a timer for the fallback polling. Any of them marks the watcher dirty: the input reads again.
// Each inotify event is also handed to the input's listener (the directory, the entry's name, and
// whether an entry was created, deleted or moved rather than written), which decides whether the
// event can mean a new file (a rescan) or only growth (a read).
// A directory that cannot be watched (out of inotify watches, gone) is skipped: the input's
// periodic rescan still covers it.
// Thread-safety: Wake() may be called from any thread; everything else on the input's thread,
// between Open() and Close(); the listener is called on that thread, from Poll() and Wait().
#pragma once

#include <uv.h>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::inputs::file {

class DirectoryWatcher {
 public:
  // `dir`: the watched directory; `name`: the entry the event is about (empty when inotify gave
  // none, e.g. after a queue overflow); `moved`: created, deleted or renamed (not only written).
  using Listener = std::function<void(std::string_view dir, std::string_view name, bool moved)>;

  DirectoryWatcher() = default;
  DirectoryWatcher(const DirectoryWatcher&) = delete;
  DirectoryWatcher& operator=(const DirectoryWatcher&) = delete;

  // Starts the loop; Wake() works from then on. `listener` may be empty.
  void Open(Listener listener = {});
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
  // Whether `dir` is watched (Watch() asked for it and inotify accepted it).
  bool Watching(std::string_view dir) const { return watches_.find(dir) != watches_.end(); }

  // Whether an event or a wake-up came (or MarkDirty() was called) since ClearDirty().
  bool dirty() const { return dirty_; }
  void MarkDirty() { dirty_ = true; }
  void ClearDirty() { dirty_ = false; }

 private:
  // One watched directory: its handle (whose data points back here) and its path.
  struct Watched {
    uv_fs_event_t handle;
    DirectoryWatcher* watcher;
    std::string dir;
  };

  static void OnFsEvent(uv_fs_event_t* handle, const char* name, int events, int status);
  static void OnWake(uv_async_t* handle);
  static void Release(Watched* watched);

  uv_loop_t loop_{};
  uv_async_t wake_async_{};
  uv_timer_t timer_{};
  std::mutex wake_mu_;
  bool async_ready_ = false;  // guarded by wake_mu_
  bool dirty_ = true;
  Listener listener_;
  std::map<std::string, Watched*, std::less<>> watches_;
};

}  // namespace sluice::inputs::file
