#include "vm/executor.hpp"

#include <fmt/format.h>

#include "store/db.hpp"

namespace rollup::vm {

Executor::Executor(store::Db& db, unsigned threads, bool persist)
    : db_(db), contract_(l1::open_embedded(db)), threads_(threads), persist_(persist) {}

Result<std::unique_ptr<Executor>> Executor::open(store::Db& db, unsigned threads, bool persist) {
  std::unique_ptr<Executor> ex(new Executor(db, threads, persist));
  auto cfg = ROLLUP_TRY(ex->contract_->config());
  // state_* can always be rebuilt from the contract's blocks: a commit need only survive a
  // crash of the process, not a power loss.
  ROLLUP_TRY(db.relax_durability());
  ex->params_ = RollupParams{cfg.chain_id, cfg.namespace_id};
  ROLLUP_TRY(ex->reload());
  return ex;
}

Result<std::uint64_t> Executor::stored_height() {
  auto q = ROLLUP_TRY(db_.prepare("SELECT coalesce(max(height), 0) FROM state_blocks"));
  ROLLUP_TRY(q.step());
  return q.column_uint64(0);
}

Status Executor::reload() {
  auto read = ROLLUP_TRY(db_.begin_read());
  state_ = State();
  height_ = ROLLUP_TRY(stored_height());
  auto accounts = ROLLUP_TRY(db_.prepare("SELECT idx, pubkey, balance, nonce FROM state_accounts ORDER BY idx"));
  std::uint64_t expected = 0;
  while (ROLLUP_TRY(accounts.step())) {
    if (ROLLUP_TRY(accounts.column_uint64(0)) != expected++)
      return fail(Errc::internal, "state_accounts has a gap in its indices");
    state_.load_account(Account{ROLLUP_TRY(accounts.column_array<32>(1)),
                                ROLLUP_TRY(accounts.column_uint64(2)),
                                ROLLUP_TRY(accounts.column_uint64(3))});
  }
  genesis_accounts_ = 0;
  genesis_nodes_.clear();
  if (height_ == 0 && state_.size() == 0) {
    // Nothing applied yet: the state is the contract's genesis, stored with the first block.
    std::vector<Account> genesis;
    for (const auto& g : ROLLUP_TRY(contract_->genesis())) genesis.push_back(Account{g.key, g.balance, 0});
    genesis_nodes_ = state_.seed_genesis(genesis, threads_);
    genesis_accounts_ = genesis.size();
    return {};
  }
  auto nodes = ROLLUP_TRY(db_.prepare("SELECT level, idx, digest FROM state_nodes"));
  while (ROLLUP_TRY(nodes.step())) {
    auto bytes = ROLLUP_TRY(nodes.column_array<32>(2));
    auto digest = hash::digest_from_bytes(bytes);
    if (!digest) return fail(Errc::internal, "state_nodes holds a non-canonical digest");
    state_.load_node(smt::NodeUpdate{static_cast<unsigned>(nodes.column_int64(0)),
                                     ROLLUP_TRY(nodes.column_uint64(1)), *digest});
  }
  return {};
}

Result<std::vector<std::string>> Executor::unsettled_exec_lines() {
  auto settled = ROLLUP_TRY(contract_->latest_root());
  auto q = ROLLUP_TRY(db_.prepare("SELECT exec FROM state_blocks WHERE height > ? ORDER BY height"));
  q.bind(1, settled.height);
  std::vector<std::string> out;
  while (ROLLUP_TRY(q.step())) out.push_back(q.column_text(0));
  return out;
}

Result<std::optional<codec::Block>> Executor::next_committed() {
  auto stored = ROLLUP_TRY(contract_->block_at(height_ + 1));
  if (!stored) return std::optional<codec::Block>{};
  auto json = codec::Json::parse(stored->body, nullptr, false);
  auto block = codec::parse_block(json);
  if (!block) return fail(Errc::internal, "the contract's block " + std::to_string(stored->height) +
                                              " does not parse: " + block.error().message);
  return std::optional<codec::Block>(std::move(*block));
}

Result<std::vector<ApplyResult>> Executor::apply(const codec::Block& block) {
  // Authenticate first: only the block the contract committed at this height may be applied.
  auto committed = ROLLUP_TRY(contract_->block_at(block.height));
  if (!committed)
    return fail(Errc::rejected, fmt::format("block {} is not committed on the contract", block.height));
  if (committed->hash != block.hash)
    return fail(Errc::rejected, fmt::format("block {} has hash {}, the contract committed {}",
                                            block.height, to_hex(block.hash), to_hex(committed->hash)));
  if (persist_ && ROLLUP_TRY(stored_height()) != height_)
    ROLLUP_TRY(reload());  // another executor moved the state on
  std::vector<ApplyResult> results;
  // Blocks the stream skipped (a stage was restarted after a crash) come from the contract.
  while (block.height > height_ + 1) {
    auto missing = ROLLUP_TRY(next_committed());
    if (!missing) return fail(Errc::internal, "the contract lacks a block below a committed one");
    results.push_back(ROLLUP_TRY(apply_authenticated(*missing)));
  }
  results.push_back(ROLLUP_TRY(apply_authenticated(block)));
  return results;
}

Result<ApplyResult> Executor::apply_authenticated(const codec::Block& block) {
  if (block.height <= height_) {
    ApplyResult r{true, {}, block.height};
    auto q = ROLLUP_TRY(db_.prepare("SELECT exec FROM state_blocks WHERE height = ?"));
    q.bind(1, block.height);
    if (ROLLUP_TRY(q.step())) r.exec_line = q.column_text(0);
    return r;
  }
  const auto& txs = rollup_txs(block, params_.namespace_id);
  auto signatures = check_signatures(txs, params_.chain_id, threads_);
  BlockOutcome outcome = state_.apply_block(block, params_, signatures, threads_);
  std::string line = exec_to_json(outcome);
  if (persist_) {
    auto written = persist(outcome, line);
    if (!written || !*written) {
      // The in-memory state ran ahead of the file: take the file's word for it again, then
      // this block is either applied by the other executor or still next in line.
      auto reloaded = reload();
      if (!written) return std::unexpected(written.error());
      if (!reloaded) return std::unexpected(reloaded.error());
      return apply_authenticated(block);
    }
  }
  height_ = block.height;
  return ApplyResult{false, std::move(line), block.height};
}

Result<bool> Executor::persist(const BlockOutcome& o, const std::string& exec_line) {
  auto tx = ROLLUP_TRY(db_.begin_immediate());
  // Checked again under the write lock: a racing executor that got there first wins, and this
  // one reloads instead of writing a second copy of the same height.
  if (ROLLUP_TRY(stored_height()) != o.height - 1) return false;
  auto acct = ROLLUP_TRY(db_.prepare(
      "INSERT INTO state_accounts(idx, pubkey, balance, nonce) VALUES (?, ?, ?, ?) "
      "ON CONFLICT(idx) DO UPDATE SET balance = excluded.balance, nonce = excluded.nonce"));
  auto write_account = [&](std::uint64_t idx) -> Status {
    const Account& a = state_.account(idx);
    acct.bind(1, idx).bind(2, a.key).bind(3, a.balance).bind(4, a.nonce);
    return acct.run();
  };
  // Genesis accounts go in with the first block, in their current (post-block) values.
  for (std::uint64_t idx = 0; idx < genesis_accounts_; ++idx) ROLLUP_TRY(write_account(idx));
  for (auto idx : o.touched)
    if (idx >= genesis_accounts_) ROLLUP_TRY(write_account(idx));
  auto node = ROLLUP_TRY(db_.prepare("INSERT OR REPLACE INTO state_nodes(level, idx, digest) VALUES (?, ?, ?)"));
  for (const auto& n : genesis_nodes_) {
    auto bytes = hash::digest_bytes(n.digest);
    node.bind(1, n.level).bind(2, n.index).bind(3, std::span<const std::uint8_t>(bytes));
    ROLLUP_TRY(node.run());
  }
  for (const auto& n : o.node_updates) {
    auto bytes = hash::digest_bytes(n.digest);
    node.bind(1, n.level).bind(2, n.index).bind(3, std::span<const std::uint8_t>(bytes));
    ROLLUP_TRY(node.run());
  }
  auto blk = ROLLUP_TRY(db_.prepare(
      "INSERT INTO state_blocks(height, hash, pre_root, post_root, exec, applied_at) "
      "VALUES (?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))"));
  auto pre = hash::digest_bytes(o.pre_root), post = hash::digest_bytes(o.post_root);
  blk.bind(1, o.height).bind(2, o.block_hash).bind(3, std::span<const std::uint8_t>(pre));
  blk.bind(4, std::span<const std::uint8_t>(post)).bind(5, exec_line);
  ROLLUP_TRY(blk.run());
  ROLLUP_TRY(tx.commit());
  genesis_accounts_ = 0;
  genesis_nodes_.clear();
  return true;
}

}  // namespace rollup::vm
