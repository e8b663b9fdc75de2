#pragma once
// Runs the executor one stage behind its input, so that the two cores stay busy: the caller's
// thread parses each block and checks its signatures while a second thread applies the block
// before it (STF and tree hashing), and the executor's writer thread stores the one before that.
// Results and pass-through lines come out in input order.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <variant>

#include "vm/executor.hpp"

namespace rollup::vm {

class BlockPipeline {
 public:
  /// Called on the apply thread, in input order: one exec result (applied or already applied),
  /// or a line that passes through untouched.
  using Sink = std::function<Status(const std::variant<ApplyResult, std::string>&)>;

  BlockPipeline(Executor& executor, Sink sink);
  ~BlockPipeline();

  /// Checks the block's signatures on this thread, then queues it. Returns the apply thread's
  /// first error, if it had one (the caller stops reading then).
  /// `where` ("FILE:LINE") prefixes the apply thread's diagnostics for this block.
  Status push_block(codec::Block block, std::string where);
  Status push_passthrough(std::string line);
  /// Waits for everything queued; the first error of the apply thread, if any.
  Status finish();

 private:
  struct Job {
    std::variant<std::pair<codec::Block, std::vector<bool>>, std::string> item;
    std::string where;
  };
  Status push(Job job);
  void run();

  Executor& executor_;
  Sink sink_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool closing_ = false;
  Status error_;
  std::thread thread_;
};

}  // namespace rollup::vm
