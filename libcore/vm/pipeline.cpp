#include "vm/pipeline.hpp"

namespace rollup::vm {

namespace {
/// Blocks queued ahead of the apply thread: enough to hide a slow block, few enough that a
/// failure wastes little work and memory stays bounded.
constexpr std::size_t kQueueDepth = 2;
}  // namespace

BlockPipeline::BlockPipeline(Executor& executor, Sink sink)
    : executor_(executor), sink_(std::move(sink)), thread_([this] { run(); }) {}

BlockPipeline::~BlockPipeline() { (void)finish(); }

Status BlockPipeline::push_block(codec::Block block, std::string where) {
  auto bits = check_signatures(rollup_txs(block, executor_.params().namespace_id), executor_.params(),
                               executor_.threads());
  return push(Job{std::make_pair(std::move(block), std::move(bits)), std::move(where)});
}

Status BlockPipeline::push_passthrough(std::string line) { return push(Job{std::move(line), {}}); }

Status BlockPipeline::push(Job job) {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return queue_.size() < kQueueDepth || !error_; });
  if (!error_) return error_;
  queue_.push_back(std::move(job));
  cv_.notify_all();
  return {};
}

Status BlockPipeline::finish() {
  {
    std::unique_lock lock(mutex_);
    if (thread_.joinable()) {
      closing_ = true;
      cv_.notify_all();
    }
  }
  if (thread_.joinable()) thread_.join();
  return error_;
}

void BlockPipeline::run() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      cv_.notify_all();
    }
    Status status;
    if (auto* line = std::get_if<std::string>(&job.item)) {
      status = sink_(*line);
    } else {
      auto& [block, bits] = std::get<0>(job.item);
      auto results = executor_.apply(block, &bits);
      if (!results) {
        Error e = results.error();
        if (!job.where.empty()) e.message = job.where + ": " + e.message;
        status = std::unexpected(std::move(e));
      } else {
        for (const auto& r : *results) {
          status = sink_(r);
          if (!status) break;
        }
      }
    }
    if (!status) {
      std::lock_guard lock(mutex_);
      error_ = status;
      queue_.clear();
      cv_.notify_all();
      return;
    }
  }
}

}  // namespace rollup::vm
