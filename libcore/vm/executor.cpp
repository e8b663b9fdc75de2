#include "vm/executor.hpp"

#include <fmt/format.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "l1/views.hpp"
#include "store/db.hpp"
#include "vm/history.hpp"

namespace rollup::vm {

/// One block's changes to the state file, copied out of the in-memory state so that the writer
/// thread can store them while the executor already computes the next block.
struct BlockWrite {
  std::uint64_t height = 0;
  Hash32 block_hash{};
  StateRoot pre_root{};
  StateRoot post_root{};
  std::string exec_line;
  std::uint64_t account_count = 0;
  std::vector<std::pair<std::uint64_t, Account>> accounts;  ///< touched, at their new values
  std::vector<smt::NodeUpdate> nodes;
  /// With the first block of a chain started at genesis: the genesis accounts and tree, stored
  /// as height 0 of the history.
  std::vector<Account> genesis_accounts;
  std::vector<smt::NodeUpdate> genesis_nodes;
  std::optional<std::uint64_t> prune_below;  ///< prune the history below this height afterwards
};

namespace {

Result<std::uint64_t> stored_height_of(store::Db& db) { return executor_height(db); }

/// Stores one block per transaction. Returns false when another executor stored that height
/// first (checked under the write lock), so that the caller reloads instead of writing twice.
Result<bool> store_block(store::Db& db, const BlockWrite& w) {
  auto tx = ROLLUP_TRY(db.begin_immediate());
  if (ROLLUP_TRY(stored_height_of(db)) != w.height - 1) return false;
  auto acct = ROLLUP_TRY(db.prepare(
      "INSERT INTO state_accounts(idx, pubkey, balance, nonce) VALUES (?, ?, ?, ?) "
      "ON CONFLICT(idx) DO UPDATE SET balance = excluded.balance, nonce = excluded.nonce"));
  auto history = ROLLUP_TRY(db.prepare(
      "INSERT OR REPLACE INTO state_account_history(idx, height, balance, nonce) VALUES (?, ?, ?, ?)"));
  for (std::uint64_t idx = 0; idx < w.genesis_accounts.size(); ++idx) {
    const Account& a = w.genesis_accounts[idx];
    acct.bind(1, idx).bind(2, a.key).bind(3, a.balance).bind(4, a.nonce);
    ROLLUP_TRY(acct.run());
    history.bind(1, idx).bind(2, 0).bind(3, a.balance).bind(4, a.nonce);
    ROLLUP_TRY(history.run());
  }
  for (const auto& [idx, a] : w.accounts) {
    acct.bind(1, idx).bind(2, a.key).bind(3, a.balance).bind(4, a.nonce);
    ROLLUP_TRY(acct.run());
    history.bind(1, idx).bind(2, w.height).bind(3, a.balance).bind(4, a.nonce);
    ROLLUP_TRY(history.run());
  }
  ROLLUP_TRY(store_node_history(db, w.genesis_nodes, 0));
  ROLLUP_TRY(store_node_history(db, w.nodes, w.height));
  ROLLUP_TRY(store_tip_nodes(db, w.genesis_nodes));
  ROLLUP_TRY(store_tip_nodes(db, w.nodes));
  auto blk = ROLLUP_TRY(db.prepare(
      "INSERT INTO state_blocks(height, hash, pre_root, post_root, exec, accounts, applied_at) "
      "VALUES (?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))"));
  auto pre = hash::digest_bytes(w.pre_root), post = hash::digest_bytes(w.post_root);
  blk.bind(1, w.height).bind(2, w.block_hash).bind(3, std::span<const std::uint8_t>(pre));
  blk.bind(4, std::span<const std::uint8_t>(post)).bind(5, w.exec_line).bind(6, w.account_count);
  ROLLUP_TRY(blk.run());
  ROLLUP_TRY(tx.commit());
  // Pruning is housekeeping: its own transaction, so the block is in the file whatever happens.
  if (w.prune_below) ROLLUP_TRY(prune_history(db, *w.prune_below));
  return true;
}

}  // namespace

/// A thread with its own connection that stores one block at a time, overlapping the state
/// file's I/O with the next block's signatures and hashing.
class StateWriter {
 public:
  explicit StateWriter(store::Db db) : db_(std::move(db)), thread_([this] { run(); }) {}
  ~StateWriter() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  /// Waits until the writer is idle; the outcome of the last block handed to it (true when
  /// there was none).
  Result<bool> wait() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return !job_; });
    Result<bool> r = std::move(outcome_);
    outcome_ = true;
    return r;
  }
  /// Hands over the next block; the writer must be idle (call wait() first).
  void start(BlockWrite w) {
    {
      std::lock_guard lock(mutex_);
      job_ = std::move(w);
    }
    cv_.notify_all();
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      cv_.wait(lock, [&] { return stop_ || job_; });
      if (!job_) return;
      lock.unlock();
      Result<bool> r = store_block(db_, *job_);
      lock.lock();
      outcome_ = std::move(r);
      job_.reset();
      cv_.notify_all();
    }
  }

  store::Db db_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::optional<BlockWrite> job_;
  Result<bool> outcome_ = true;
  bool stop_ = false;
  std::thread thread_;  // last: starts once everything above exists
};

Executor::Executor(store::Db& db, l1::Contract& contract, unsigned threads, bool persist)
    : db_(db), contract_(&contract), threads_(threads), persist_(persist) {}

Executor::~Executor() = default;

Result<std::unique_ptr<Executor>> Executor::open(store::Db& db, l1::Contract& contract, unsigned threads,
                                                bool persist) {
  std::unique_ptr<Executor> ex(new Executor(db, contract, threads, persist));
  auto cfg = ROLLUP_TRY(ex->contract_->config());
  ex->params_ = params_of(cfg);
  ROLLUP_TRY(ex->reload());
  if (persist) {
    auto writer_db = ROLLUP_TRY(store::Db::open(db.path(), store::OpenMode::must_exist));
    // state_* can always be rebuilt from the contract's blocks: a commit need only survive a
    // crash of the process, not a power loss.
    ROLLUP_TRY(writer_db.relax_durability());
    ex->writer_ = std::make_unique<StateWriter>(std::move(writer_db));
  }
  return ex;
}

Status Executor::finish() {
  if (!writer_) return {};
  bool written = ROLLUP_TRY(writer_->wait());
  // A last block stored first by another executor is the same block: nothing is missing.
  if (!written) ROLLUP_TRY(reload());
  return {};
}

Result<std::uint64_t> Executor::stored_height() { return stored_height_of(db_); }

Status Executor::reload() {
  if (writer_) ROLLUP_TRY(writer_->wait());
  auto read = ROLLUP_TRY(db_.begin_read());
  state_ = State();
  height_ = ROLLUP_TRY(stored_height());
  genesis_accounts_.clear();
  genesis_nodes_.clear();
  std::vector<Account> accounts;
  if (height_ == 0) {
    // Nothing applied yet: the state is the contract's genesis, stored with the first block.
    genesis_accounts_ = ROLLUP_TRY(genesis_accounts(*contract_));
    genesis_nodes_ = state_.load_accounts(genesis_accounts_, threads_);
    return {};
  }
  auto q = ROLLUP_TRY(db_.prepare("SELECT idx, pubkey, balance, nonce FROM state_accounts ORDER BY idx"));
  while (ROLLUP_TRY(q.step())) {
    if (ROLLUP_TRY(q.column_uint64(0)) != accounts.size())
      return fail(Errc::internal, "state_accounts has a gap in its indices");
    accounts.push_back(Account{ROLLUP_TRY(q.column_key(1)), ROLLUP_TRY(q.column_uint64(2)),
                               ROLLUP_TRY(q.column_uint64(3))});
  }
  state_.load_accounts(accounts, threads_);
  // The tree is rebuilt from the accounts alone, so the stored root checks the whole file.
  auto root = ROLLUP_TRY(stored_root(db_, height_));
  if (!root || *root != state_.root())
    return fail(Errc::internal, fmt::format("the state file is inconsistent: its accounts do not hash to "
                                            "the stored root of block {}", height_));
  return {};
}

Result<std::vector<std::string>> Executor::unsettled_exec_lines() {
  auto settled = ROLLUP_TRY(contract_->latest_root());
  // Only up to this executor's own height: blocks another executor stores meanwhile come after
  // these, in order, when this one reaches them (a follower would otherwise write them twice).
  auto q = ROLLUP_TRY(db_.prepare("SELECT exec FROM state_blocks WHERE height > ? AND height <= ? ORDER BY height"));
  q.bind(1, settled.height).bind(2, height_);
  std::vector<std::string> out;
  while (ROLLUP_TRY(q.step())) out.push_back(q.column_text(0));
  return out;
}

Result<std::optional<codec::Block>> Executor::next_committed() {
  return l1::committed_block(*contract_, height_ + 1);
}

Result<std::optional<ApplyResult>> Executor::follow(std::uint64_t height) {
  if (height > height_ + 1)
    return fail(Errc::internal, fmt::format("follow asked for height {} past the tip {} + 1", height, height_));
  if (height <= height_) {
    codec::Block applied;
    applied.height = height;
    return std::optional<ApplyResult>(ROLLUP_TRY(apply_authenticated(applied, nullptr)));
  }
  auto next = ROLLUP_TRY(next_committed());
  if (!next) return std::optional<ApplyResult>{};
  for (auto& result : ROLLUP_TRY(apply(*next)))
    if (result.height == height) return std::optional<ApplyResult>(std::move(result));
  return fail(Errc::internal, fmt::format("applying block {} gave no result for it", height));
}

Result<std::vector<ApplyResult>> Executor::apply(const codec::Block& block,
                                                 const std::vector<bool>* signatures) {
  // Authenticate first: only the block the contract committed at this height may be applied.
  auto committed = ROLLUP_TRY(contract_->committed_hash(block.height));
  if (!committed)
    return fail(Errc::rejected, fmt::format("block {} is not committed on the contract", block.height));
  if (*committed != block.hash)
    return fail(Errc::rejected, fmt::format("block {} has hash {}, the contract committed {}",
                                            block.height, to_hex(block.hash), to_hex(*committed)));
  std::vector<ApplyResult> results;
  // Blocks the stream skipped (a stage was restarted after a crash) come from the contract.
  while (block.height > height_ + 1) {
    auto missing = ROLLUP_TRY(next_committed());
    if (!missing) return fail(Errc::internal, "the contract lacks a block below a committed one");
    results.push_back(ROLLUP_TRY(apply_authenticated(*missing, nullptr)));
  }
  results.push_back(ROLLUP_TRY(apply_authenticated(block, signatures)));
  return results;
}

Result<ApplyResult> Executor::apply_authenticated(const codec::Block& block,
                                                  const std::vector<bool>* signatures) {
  if (block.height <= height_) {
    if (writer_) ROLLUP_TRY(writer_->wait());  // the block may still be on its way to the file
    ApplyResult r{true, {}, block.height};
    auto q = ROLLUP_TRY(db_.prepare("SELECT exec FROM state_blocks WHERE height = ?"));
    q.bind(1, block.height);
    if (ROLLUP_TRY(q.step())) r.exec_line = q.column_text(0);
    return r;
  }
  using Clock = std::chrono::steady_clock;
  auto lap = [last = Clock::now()](double& total) mutable {
    auto now = Clock::now();
    total += std::chrono::duration<double>(now - last).count();
    last = now;
  };
  std::vector<bool> checked;
  if (!signatures) {
    checked = check_signatures(rollup_txs(block, params_.namespace_id), params_, threads_);
    signatures = &checked;
  }
  lap(timings_.signatures);
  BlockOutcome outcome = state_.apply_block(block, params_, *signatures, threads_);
  std::string line = exec_to_json(outcome);
  lap(timings_.transition);
  if (writer_) {
    bool previous_written = ROLLUP_TRY(writer_->wait());
    lap(timings_.persist);
    if (!previous_written) {
      // Another executor stored the previous block first: this one was computed on a state
      // that may be stale. Take the file's word for it and start this block again.
      ROLLUP_TRY(reload());
      return apply_authenticated(block, signatures);
    }
    BlockWrite w;
    w.height = outcome.height;
    w.block_hash = outcome.block_hash;
    w.pre_root = outcome.pre_root;
    w.post_root = outcome.post_root;
    w.exec_line = line;
    w.account_count = outcome.account_count;
    for (auto idx : outcome.touched) w.accounts.emplace_back(idx, state_.account(idx));
    w.nodes = std::move(outcome.node_updates);
    // Genesis accounts and nodes go in with the first block, as height 0.
    w.genesis_accounts = std::move(genesis_accounts_);
    w.genesis_nodes = std::move(genesis_nodes_);
    genesis_accounts_.clear();
    genesis_nodes_.clear();
    if (outcome.height % kPruneEvery == 0) {
      const auto settings = ROLLUP_TRY(history_settings(db_));
      const auto verified = ROLLUP_TRY(contract_->latest_root());
      w.prune_below = prune_boundary(settings, outcome.height, verified.height);
    }
    writer_->start(std::move(w));
  }
  height_ = block.height;
  return ApplyResult{false, std::move(line), block.height, rollup_txs(block, params_.namespace_id).size()};
}

}  // namespace rollup::vm
