#pragma once
// An exclusive lock that one process holds on a role over a state file (for example "the
// sequencer of rollup.db"). It is an flock on a side file next to the state file, so the kernel
// releases it when the holder exits or is killed: a crash never leaves a stale lock behind, and
// no one has to clean up by hand.
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace rollup::store {

class ProcessLock {
 public:
  /// Takes the lock on `path` (created 0600 if missing) without waiting. Errc::io, naming
  /// `role` and the holder's pid, when another process holds it.
  static Result<ProcessLock> acquire(const std::string& path, std::string_view role);

  ProcessLock(ProcessLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  ProcessLock& operator=(ProcessLock&& other) noexcept;
  ProcessLock(const ProcessLock&) = delete;
  ProcessLock& operator=(const ProcessLock&) = delete;
  ~ProcessLock();

 private:
  explicit ProcessLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace rollup::store
