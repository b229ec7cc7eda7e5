// Helpers shared by the unit tests.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace sluice::testing {

// Polls `done` until it holds or `timeout` passes; returns whether it held. This waits for an
// observable state, it is not a sleep standing in for synchronization.
inline bool WaitUntil(const std::function<bool()>& done,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace sluice::testing
