#include "rpc/mempool_writer.hpp"

#include <vector>

namespace rollup::rpc {

Result<std::unique_ptr<MempoolWriter>> MempoolWriter::open(const std::string& db_path,
                                                           std::size_t max_group) {
  auto db = ROLLUP_TRY(store::Db::open(db_path, store::OpenMode::must_exist));
  return std::unique_ptr<MempoolWriter>(
      new MempoolWriter(std::move(db), std::max<std::size_t>(1, max_group)));
}

MempoolWriter::MempoolWriter(store::Db db, std::size_t max_group)
    : db_(std::move(db)), max_group_(max_group), thread_([this] { run(); }) {}

MempoolWriter::~MempoolWriter() { stop(); }

void MempoolWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::uint64_t MempoolWriter::commits() const {
  std::lock_guard lock(mutex_);
  return commits_;
}

Result<bool> MempoolWriter::append(seq::MempoolSubmission tx) {
  Waiter waiter{std::move(tx), std::nullopt};
  std::unique_lock lock(mutex_);
  if (stopping_) return fail(Errc::io, "the server is shutting down");
  queue_.push_back(&waiter);
  work_.notify_one();
  done_.wait(lock, [&] { return waiter.result.has_value(); });
  return std::move(*waiter.result);
}

void MempoolWriter::run() {
  std::vector<Waiter*> group;
  std::vector<seq::MempoolSubmission> txs;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything handed in is answered
      while (!queue_.empty() && group.size() < max_group_) {
        group.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    // The callers wait on their own Waiter: the txs are moved into the batch and not touched by
    // anyone else until the answer is posted.
    txs.clear();
    for (auto* w : group) txs.push_back(std::move(w->tx));
    Result<std::vector<bool>> added = [&]() -> Result<std::vector<bool>> {
      auto transaction = ROLLUP_TRY(db_.begin_immediate());
      auto result = ROLLUP_TRY(seq::mempool_append(db_, txs));
      ROLLUP_TRY(transaction.commit());
      return result;
    }();
    {
      std::lock_guard lock(mutex_);
      for (std::size_t i = 0; i < group.size(); ++i) {
        if (added)
          group[i]->result = Result<bool>((*added)[i]);
        else
          group[i]->result = Result<bool>(std::unexpected(added.error()));
      }
      if (added) ++commits_;
    }
    done_.notify_all();
    group.clear();
  }
}

}  // namespace rollup::rpc
