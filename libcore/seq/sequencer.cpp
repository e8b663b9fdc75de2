#include "seq/sequencer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "seq/mempool.hpp"
#include "store/db.hpp"

namespace rollup::seq {

std::vector<codec::Tx> order_by_fee(std::vector<codec::Tx> txs) {
  std::vector<std::size_t> order(txs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return txs[a].fee > txs[b].fee; });
  // The slots a sender's txs won by fee are refilled with that sender's txs in arrival order.
  std::map<PublicKey, std::vector<std::size_t>> arrivals;
  for (std::size_t i = 0; i < txs.size(); ++i) arrivals[txs[i].from].push_back(i);
  std::map<PublicKey, std::size_t> next;
  std::vector<codec::Tx> out;
  out.reserve(txs.size());
  for (std::size_t slot : order) {
    const PublicKey& sender = txs[slot].from;
    out.push_back(txs[arrivals[sender][next[sender]++]]);
  }
  return out;
}

Result<Sequencer> Sequencer::open(store::Db& db, l1::Contract& contract, crypto::KeyPair key,
                                  Options options) {
  Sequencer s(db, key, std::move(options));
  // An in-memory state file is private to this process: there is no one to exclude.
  if (db.path() != ":memory:")
    s.lock_.emplace(ROLLUP_TRY(store::ProcessLock::acquire(db.path() + "-sequencer.lock", "a sequencer of " + db.path())));
  s.contract_ = &contract;
  auto cfg = s.contract_->config();
  if (cfg) {
    s.contract_config_ = *cfg;
    if (cfg->sequencer != key.public_key)
      return fail(Errc::usage, "this key " + to_hex(key.public_key) +
                                   " is not the contract's registered sequencer " + to_hex(cfg->sequencer));
  } else if (cfg.error().code != Errc::rejected) {
    return std::unexpected(cfg.error());
  }
  ROLLUP_TRY(db.relax_durability());
  if (s.options_.namespace_id) {
    s.namespace_id_ = *s.options_.namespace_id;
  } else if (s.contract_config_) {
    s.namespace_id_ = s.contract_config_->namespace_id;
  } else {
    return fail(Errc::usage, "no contract in the state file: give --namespace");
  }
  ROLLUP_TRY(s.resume());
  // Blocks logged by an earlier run that the contract has committed since.
  ROLLUP_TRY(s.drop_committed_bodies());
  return s;
}

Status Sequencer::resume() {
  auto q = ROLLUP_TRY(db_->prepare(
      "SELECT height, hash, deposit_end FROM seq_log ORDER BY height DESC LIMIT 1"));
  if (ROLLUP_TRY(q.step())) {
    std::uint64_t height = ROLLUP_TRY(q.column_uint64(0));
    if (height != tip_height_) {  // else nobody logged a block since we last looked
      tip_height_ = height;
      tip_hash_ = ROLLUP_TRY(q.column_array<32>(1));
      deposit_next_ = ROLLUP_TRY(q.column_uint64(2));
      // Timestamps never go back, across restarts and across sequencer processes.
      auto ts = ROLLUP_TRY(db_->prepare("SELECT timestamp FROM seq_log WHERE height = ?"));
      ts.bind(1, height);
      if (ROLLUP_TRY(ts.step())) tip_timestamp_ = ROLLUP_TRY(ts.column_uint64(0));
    }
  }
  // The log is written with relaxed durability: after a power loss it may lack blocks that
  // reached the contract. The contract's chain then wins, so no height is ever signed twice.
  if (contract_config_) {
    std::uint64_t committed = ROLLUP_TRY(contract_->height());
    if (committed > tip_height_) {
      auto block = ROLLUP_TRY(contract_->block_at(committed));
      if (!block) return fail(Errc::internal, "the contract lost its tip block");
      tip_height_ = committed;
      tip_hash_ = block->hash;
      deposit_next_ = block->deposit_first + block->deposit_count;
      auto body = codec::Json::parse(block->body, nullptr, false);
      if (!body.is_discarded() && body.contains("timestamp") && body["timestamp"].is_number_unsigned())
        tip_timestamp_ = std::max(tip_timestamp_, body["timestamp"].get<std::uint64_t>());
    }
  }
  return {};
}

// The contract refuses a block over its work cap (l1::block_ops): txs take at most three
// quarters of it, so that deposits always find room in the rest.
std::size_t Sequencer::max_batch_for_cap() const {
  if (!contract_config_) return SIZE_MAX;
  return std::max<std::uint64_t>(1, contract_config_->max_block_ops * 3 / 4 / l1::kMaxOpsPerTx);
}

std::size_t Sequencer::max_deposits_for_cap() const {
  const std::uint64_t used = l1::ops_of(batch_.size(), 0), cap = contract_config_->max_block_ops;
  const std::uint64_t room = used < cap ? (cap - used) / l1::kMaxOpsPerDeposit : 0;
  return static_cast<std::size_t>(std::min<std::uint64_t>(options_.max_deposits, room));
}

Result<bool> Sequencer::add(const codec::Tx& tx, std::size_t line_bytes) {
  if (contract_config_ && tx.chain_id != contract_config_->chain_id)
    return fail(Errc::bad_input, fmt::format("tx.chain_id: {} is not this rollup's chain id {}",
                                             tx.chain_id, contract_config_->chain_id));
  // A tx signed for another rollup of the chain would only fail bad_signature in this one.
  if (tx.namespace_id != namespace_id_)
    return fail(Errc::bad_input, fmt::format("tx.namespace: {} is not this rollup's namespace {}",
                                             tx.namespace_id, namespace_id_));
  batch_.push_back(tx);
  batch_bytes_ += line_bytes;
  return batch_.size() >= options_.max_txs || batch_bytes_ >= options_.max_bytes ||
         batch_.size() >= max_batch_for_cap();
}

Result<Sequencer::MempoolPull> Sequencer::pull_mempool() {
  MempoolPull pull;
  // The count is a hard limit (the contract's work cap), so no more rows are read than fit; the
  // byte limit is the usual soft one (a block is cut once it reaches it).
  const std::size_t limit = std::min(options_.max_txs, max_batch_for_cap());
  if (batch_.size() >= limit) return MempoolPull{0, true};
  auto entries = ROLLUP_TRY(mempool_pending(*db_, mempool_taken_seq_, limit - batch_.size()));
  if (entries.empty()) return pull;
  mempool_taken_seq_ = entries.back().seq;
  std::vector<codec::Tx> txs;
  std::vector<const MempoolEntry*> origin;
  for (const auto& entry : entries) {
    std::optional<codec::Tx> tx = codec::parse_tx_line_fast(entry.line);
    if (!tx) {
      auto object = codec::parse_stream_object(entry.line);
      if (object) {
        auto parsed = codec::parse_tx(*object);
        if (parsed) tx = *parsed;
      }
    }
    // The server admitted only well-formed txs of this rollup; a row that is not one (another
    // --namespace given to this sequencer) stays pending for a sequencer it belongs to.
    if (!tx) continue;
    txs.push_back(*tx);
    origin.push_back(&entry);
  }
  // Concurrent sends of one sender can arrive out of nonce order; each sender's txs taken
  // together go into the slots they arrived in, in nonce order (as order_by_fee keeps nonces).
  std::map<PublicKey, std::vector<std::size_t>> by_sender;
  for (std::size_t i = 0; i < txs.size(); ++i) by_sender[txs[i].from].push_back(i);
  std::vector<std::size_t> order(txs.size());
  for (auto& [sender, slots] : by_sender) {
    std::vector<std::size_t> by_nonce = slots;
    std::stable_sort(by_nonce.begin(), by_nonce.end(),
                     [&](std::size_t a, std::size_t b) { return txs[a].nonce < txs[b].nonce; });
    for (std::size_t k = 0; k < slots.size(); ++k) order[slots[k]] = by_nonce[k];
  }
  for (std::size_t slot = 0; slot < order.size(); ++slot) {
    const std::size_t i = order[slot];
    auto full = add(txs[i], origin[i]->line.size() + 1);
    if (!full) {
      if (full.error().code == Errc::bad_input) continue;
      return std::unexpected(full.error());
    }
    batch_from_mempool_.insert(origin[i]->hash);
    ++pull.taken;
    pull.full = pull.full || *full;
  }
  return pull;
}

Status Sequencer::mark_sequenced(const codec::Block& block) {
  if (batch_from_mempool_.empty() || block.namespaces.empty()) return {};
  auto mark = ROLLUP_TRY(db_->prepare(
      "UPDATE seq_mempool SET height = ?, position = ? WHERE hash = ? AND height IS NULL"));
  const auto& txs = block.namespaces.front().txs;
  for (std::size_t i = 0; i < txs.size(); ++i) {
    const Hash32 id = txs[i].id();
    if (!batch_from_mempool_.contains(id)) continue;
    mark.bind(1, block.height).bind(2, static_cast<std::uint64_t>(i)).bind(3, id);
    ROLLUP_TRY(mark.run());
  }
  return {};
}

Result<bool> Sequencer::deposits_pending() {
  if (!contract_config_) return false;
  auto pending = ROLLUP_TRY(contract_->deposits_from(deposit_next_, 1));
  return !pending.empty();
}

Result<std::optional<SealedBlock>> Sequencer::cut() {
  // Another sequencer process may have logged blocks on this file since we last looked: build
  // on its tip, never beside it.
  auto tx = ROLLUP_TRY(db_->begin_immediate());
  ROLLUP_TRY(resume());

  std::vector<l1::QueuedDeposit> deposits;
  if (contract_config_)
    deposits = ROLLUP_TRY(contract_->deposits_from(deposit_next_, max_deposits_for_cap()));
  if (batch_.empty() && deposits.empty()) return std::optional<SealedBlock>{};

  codec::Block b;
  b.height = tip_height_ + 1;
  b.parent = tip_hash_;
  auto now = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
  b.timestamp = options_.fixed_timestamp ? *options_.fixed_timestamp : std::max(now, tip_timestamp_);
  b.sequencer = key_.public_key;
  b.fee_recipient = options_.fee_recipient ? *options_.fee_recipient : key_.public_key;
  if (!batch_.empty()) {
    codec::NamespaceTxs ns;
    ns.id = namespace_id_;
    ns.txs = options_.ordering == Ordering::fee ? order_by_fee(std::move(batch_)) : std::move(batch_);
    ns.tx_hash = codec::tx_list_hash(ns.txs);
    b.namespaces.push_back(std::move(ns));
  }
  b.deposit_first = deposit_next_;
  for (const auto& d : deposits) b.deposits.push_back(d.deposit);
  b.hash = b.compute_hash();
  b.sig = crypto::sign(key_, b.hash);

  auto ins = ROLLUP_TRY(db_->prepare(
      "INSERT INTO seq_log(height, hash, deposit_end, timestamp, body, created_at) "
      "VALUES (?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))"));
  std::string line = codec::to_json(b);
  ins.bind(1, b.height).bind(2, b.hash).bind(3, b.deposit_end()).bind(4, b.timestamp).bind(5, line);
  ROLLUP_TRY(ins.run());
  ROLLUP_TRY(mark_sequenced(b));
  ROLLUP_TRY(drop_committed_bodies());
  ROLLUP_TRY(tx.commit());

  tip_height_ = b.height;
  tip_hash_ = b.hash;
  tip_timestamp_ = b.timestamp;
  deposit_next_ = b.deposit_end();
  batch_.clear();
  batch_bytes_ = 0;
  batch_from_mempool_.clear();
  return std::optional<SealedBlock>(SealedBlock{std::move(b), std::move(line)});
}

Status Sequencer::drop_committed_bodies() {
  if (!contract_config_) return {};
  const std::uint64_t committed = ROLLUP_TRY(contract_->height());
  auto q = ROLLUP_TRY(db_->prepare("SELECT height, hash FROM seq_log WHERE body IS NOT NULL AND height <= ? ORDER BY height"));
  q.bind(1, committed);
  std::vector<std::uint64_t> stored_on_contract;
  while (ROLLUP_TRY(q.step())) {
    const std::uint64_t height = ROLLUP_TRY(q.column_uint64(0));
    // A logged block the contract does not hold (it committed another at that height) is kept:
    // it is the evidence of what this sequencer signed.
    if (ROLLUP_TRY(contract_->committed_hash(height)) == ROLLUP_TRY(q.column_array<32>(1)))
      stored_on_contract.push_back(height);
  }
  q.reset();
  auto drop = ROLLUP_TRY(db_->prepare("UPDATE seq_log SET body = NULL WHERE height = ?"));
  // The txs of a committed block leave the mempool with the block's body: the contract holds
  // them now. Their rows stay, without the line, as the index from tx hash to block.
  auto leave = ROLLUP_TRY(db_->prepare(
      "UPDATE seq_mempool SET line = NULL WHERE height = ? AND line IS NOT NULL"));
  for (auto height : stored_on_contract) {
    drop.bind(1, height);
    ROLLUP_TRY(drop.run());
    leave.bind(1, height);
    ROLLUP_TRY(leave.run());
  }
  return {};
}

Result<std::vector<std::string>> Sequencer::unsubmitted_blocks() {
  std::uint64_t committed = 0;
  if (contract_config_) committed = ROLLUP_TRY(contract_->height());
  else return std::vector<std::string>{};
  auto q = ROLLUP_TRY(db_->prepare("SELECT body FROM seq_log WHERE height > ? ORDER BY height"));
  q.bind(1, committed);
  std::vector<std::string> out;
  while (ROLLUP_TRY(q.step())) out.push_back(q.column_text(0));
  return out;
}

}  // namespace rollup::seq
