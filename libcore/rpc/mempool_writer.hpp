#pragma once
// Group commit for the mempool: many request threads hand their txs to one writer thread, which
// appends everything that is waiting in one IMMEDIATE transaction with a full fsync, then
// answers each caller. A caller is answered only after the commit that holds its tx, so an
// acknowledged tx survives kill -9 and power loss; and one fsync serves every tx that arrived
// while the previous one ran, which is what lets thousands of sends a second through.
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "seq/mempool.hpp"
#include "store/db.hpp"

namespace rollup::rpc {

class MempoolWriter {
 public:
  /// Takes its own connection to the state file (writes belong to one thread).
  static Result<std::unique_ptr<MempoolWriter>> open(const std::string& db_path,
                                                     std::size_t max_group);
  ~MempoolWriter();
  MempoolWriter(const MempoolWriter&) = delete;
  MempoolWriter& operator=(const MempoolWriter&) = delete;

  /// Appends one tx and waits for its commit: true when it is new, false when the mempool
  /// already held it. Safe from any thread. After stop(), Errc::io "shutting down".
  Result<bool> append(seq::MempoolSubmission tx);
  /// Commits what is waiting, then ends the writer thread.
  void stop();
  /// Transactions committed so far (each holding one group).
  std::uint64_t commits() const;

 private:
  MempoolWriter(store::Db db, std::size_t max_group);
  void run();

  struct Waiter {
    seq::MempoolSubmission tx;
    std::optional<Result<bool>> result;
  };
  store::Db db_;
  std::size_t max_group_;
  mutable std::mutex mutex_;
  std::condition_variable work_;
  std::condition_variable done_;
  std::deque<Waiter*> queue_;
  bool stopping_ = false;
  std::uint64_t commits_ = 0;
  std::thread thread_;
};

}  // namespace rollup::rpc
