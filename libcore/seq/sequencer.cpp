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

Status Sequencer::lock_state_file() {
  // An in-memory state file is private to this process: there is no one to exclude.
  if (db_->path() != ":memory:")
    lock_.emplace(ROLLUP_TRY(store::ProcessLock::acquire(db_->path() + "-sequencer.lock",
                                                         "a sequencer of " + db_->path())));
  return {};
}

Result<Sequencer> Sequencer::open(store::Db& db, l1::Contract& contract, crypto::KeyPair key,
                                  Options options) {
  Sequencer s(db, key, std::move(options));
  ROLLUP_TRY(s.lock_state_file());
  Lane lane;
  lane.name = db.path();
  lane.contract = &contract;
  auto cfg = contract.config();
  if (cfg) {
    lane.config = *cfg;
    if (cfg->sequencer != key.public_key)
      return fail(Errc::usage, "this key " + to_hex(key.public_key) +
                                   " is not the contract's registered sequencer " + to_hex(cfg->sequencer));
  } else if (cfg.error().code != Errc::rejected) {
    return std::unexpected(cfg.error());
  }
  // The fee recipient is an account of the rollup: a key of its scheme, or the fees would sit in
  // an account no tx can spend from. The sequencer's own key is Ed25519, so an ECgFp5 rollup
  // names one.
  if (lane.config) {
    const PublicKey recipient = s.options_.fee_recipient ? *s.options_.fee_recipient : key.public_key;
    if (auto ok = crypto::check_public_key(lane.config->sig_scheme, recipient, "the fee recipient"); !ok)
      return fail(Errc::usage, ok.error().message +
                                   (s.options_.fee_recipient ? "" : " (the sequencer's own key; give --fee-recipient)"));
  }
  ROLLUP_TRY(db.relax_durability());
  if (s.options_.namespace_id) {
    lane.namespace_id = *s.options_.namespace_id;
  } else if (lane.config) {
    lane.namespace_id = lane.config->namespace_id;
  } else {
    return fail(Errc::usage, "no contract in the state file: give --namespace");
  }
  s.lanes_.push_back(std::move(lane));
  ROLLUP_TRY(s.resume());
  // Blocks logged by an earlier run that the contract has committed since.
  ROLLUP_TRY(s.drop_committed_bodies());
  return s;
}

Result<Sequencer> Sequencer::open_shared(store::Db& db, std::vector<ServedRollup> rollups,
                                         crypto::KeyPair key, Options options) {
  if (rollups.empty()) return fail(Errc::usage, "a shared sequencer serves at least one rollup");
  if (options.namespace_id)
    return fail(
        Errc::usage,
        "a shared sequencer takes each rollup's namespace from its contract, not --namespace");
  Sequencer s(db, key, std::move(options));
  s.shared_ = true;
  ROLLUP_TRY(s.lock_state_file());
  for (auto& rollup : rollups) {
    auto cfg = rollup.contract->config();
    if (!cfg) {
      if (cfg.error().code == Errc::rejected)
        return fail(Errc::usage,
                    rollup.name + ": no contract in this state file (run: rollup-l1 init)");
      return std::unexpected(cfg.error());
    }
    if (cfg->sequencer != key.public_key)
      return fail(Errc::usage,
                  fmt::format("{}: this key {} is not the contract's registered sequencer {}",
                              rollup.name, to_hex(key.public_key), to_hex(cfg->sequencer)));
    for (const auto& other : s.lanes_)
      if (other.namespace_id == cfg->namespace_id)
        return fail(Errc::usage,
                    fmt::format("{} and {} are both namespace {}: each rollup of a shared "
                                "sequencer needs its own namespace",
                                other.name, rollup.name, cfg->namespace_id));
    if (rollup.db != nullptr && rollup.db->path() != ":memory:" && rollup.db->path() != db.path())
      s.rollup_locks_.push_back(ROLLUP_TRY(store::ProcessLock::acquire(
          rollup.db->path() + "-sequencer.lock", "a sequencer of " + rollup.db->path())));
    Lane lane;
    lane.name = rollup.name;
    lane.namespace_id = cfg->namespace_id;
    lane.contract = rollup.contract;
    lane.config = *cfg;
    s.lanes_.push_back(std::move(lane));
  }
  // A block lists its namespaces in ascending order.
  std::sort(s.lanes_.begin(), s.lanes_.end(),
            [](const Lane& a, const Lane& b) { return a.namespace_id < b.namespace_id; });
  ROLLUP_TRY(db.relax_durability());
  ROLLUP_TRY(s.resume_shared());
  ROLLUP_TRY(s.check_shared_chain());
  ROLLUP_TRY(s.drop_committed_bodies());
  return s;
}

Status Sequencer::resume() {
  if (shared_) {
    ROLLUP_TRY(resume_shared());
    return refresh_accounts_bounds();
  }
  Lane& lane = lanes_.front();
  auto q = ROLLUP_TRY(db_->prepare(
      "SELECT height, hash, deposit_end FROM seq_log ORDER BY height DESC LIMIT 1"));
  if (ROLLUP_TRY(q.step())) {
    std::uint64_t height = ROLLUP_TRY(q.column_uint64(0));
    if (height != tip_height_) {  // else nobody logged a block since we last looked
      tip_height_ = height;
      tip_hash_ = ROLLUP_TRY(q.column_array<32>(1));
      lane.deposit_next = ROLLUP_TRY(q.column_uint64(2));
      // Timestamps never go back, across restarts and across sequencer processes.
      auto ts = ROLLUP_TRY(db_->prepare("SELECT timestamp FROM seq_log WHERE height = ?"));
      ts.bind(1, height);
      if (ROLLUP_TRY(ts.step())) tip_timestamp_ = ROLLUP_TRY(ts.column_uint64(0));
    }
  }
  // The log is written with relaxed durability: after a power loss it may lack blocks that
  // reached the contract. The contract's chain then wins, so no height is ever signed twice.
  if (lane.config) {
    std::uint64_t committed = ROLLUP_TRY(lane.contract->height());
    if (committed > tip_height_) {
      auto block = ROLLUP_TRY(lane.contract->block_at(committed));
      if (!block) return fail(Errc::internal, "the contract lost its tip block");
      tip_height_ = committed;
      tip_hash_ = block->hash;
      lane.deposit_next = block->deposit_first + block->deposit_count;
      auto body = codec::Json::parse(block->body, nullptr, false);
      if (!body.is_discarded() && body.contains("timestamp") && body["timestamp"].is_number_unsigned())
        tip_timestamp_ = std::max(tip_timestamp_, body["timestamp"].get<std::uint64_t>());
    }
  }
  return refresh_accounts_bounds();
}

// A lane's bound after the sequencer's tip: its contract's bound after the contract's tip, plus
// what each logged block above that can add. Those are the blocks in flight between the
// sequencer and the contract; a block taken here is counted as the contract will count it, or
// more (every deposit of a shared block), so the contract never refuses a block the bound let
// through. A block cut by this process is entered by cut(); one logged by another (or before a
// restart) is read from its body in the log, which is kept until the contract holds the block.
Status Sequencer::refresh_accounts_bounds() {
  for (auto& lane : lanes_) {
    if (!lane.config) continue;
    const l1::Contract::AccountsBound contract = ROLLUP_TRY(lane.contract->accounts_bound());
    if (lane.inflight_through < tip_height_) {
      auto q = ROLLUP_TRY(db_->prepare(
          "SELECT height, 1 + coalesce(json_array_length(body, '$.deposits'), 0) + coalesce((SELECT "
          "sum(coalesce(json_array_length(ns.value, '$.txs'), 0) + coalesce(json_array_length(ns.value, "
          "'$.deposits'), 0)) FROM json_each(body, '$.namespaces') ns), 0) FROM seq_log WHERE height > ? AND "
          "body IS NOT NULL ORDER BY height"));
      q.bind(1, std::max(lane.inflight_through, contract.height));
      while (ROLLUP_TRY(q.step())) {
        const std::uint64_t height = ROLLUP_TRY(q.column_uint64(0));
        const std::uint64_t added = ROLLUP_TRY(q.column_uint64(1));
        if (lane.inflight.emplace(height, added).second) lane.inflight_sum += added;
      }
      lane.inflight_through = tip_height_;
    }
    while (!lane.inflight.empty() && lane.inflight.begin()->first <= contract.height) {
      lane.inflight_sum -= lane.inflight.begin()->second;
      lane.inflight.erase(lane.inflight.begin());
    }
    lane.accounts_bound = l1::add_saturating(contract.accounts, lane.inflight_sum);
  }
  return {};
}

namespace {
std::uint64_t timestamp_of(const std::string& body) {
  auto json = codec::Json::parse(body, nullptr, false);
  if (!json.is_discarded() && json.contains("timestamp") && json["timestamp"].is_number_unsigned())
    return json["timestamp"].get<std::uint64_t>();
  return 0;
}
}  // namespace

// A shared sequencer's tip is the highest of its log and of the served contracts (a power loss
// may cost the log blocks that reached a contract). Each rollup's queue position is its
// contract's, moved on by the logged blocks its contract has not committed yet: their bodies
// stay in the log until every served contract holds them.
Status Sequencer::resume_shared() {
  auto q = ROLLUP_TRY(
      db_->prepare("SELECT height, hash, timestamp FROM seq_log ORDER BY height DESC LIMIT 1"));
  std::uint64_t logged = 0;
  Hash32 logged_hash{};
  std::uint64_t logged_timestamp = 0;
  if (ROLLUP_TRY(q.step())) {
    logged = ROLLUP_TRY(q.column_uint64(0));
    logged_hash = ROLLUP_TRY(q.column_array<32>(1));
    logged_timestamp = ROLLUP_TRY(q.column_uint64(2));
  }
  std::vector<std::uint64_t> committed;
  std::uint64_t highest = logged;
  for (const auto& lane : lanes_) {
    committed.push_back(ROLLUP_TRY(lane.contract->height()));
    highest = std::max(highest, committed.back());
  }
  // Nobody logged or committed a block since we last looked (one sequencer per state file, and
  // the contracts only take the blocks it logged): what we hold is current.
  if (highest == tip_height_) return {};

  // The block at `height` of the shared chain: the log's body, or a contract's copy.
  auto block_at = [&](std::uint64_t height) -> Result<std::optional<codec::Block>> {
    auto body =
        ROLLUP_TRY(db_->prepare("SELECT body FROM seq_log WHERE height = ? AND body IS NOT NULL"));
    body.bind(1, height);
    std::string text;
    if (ROLLUP_TRY(body.step())) {
      text = body.column_text(0);
    } else {
      for (std::size_t i = 0; i < lanes_.size() && text.empty(); ++i)
        if (committed[i] >= height) {
          auto stored = ROLLUP_TRY(lanes_[i].contract->block_at(height));
          if (stored) text = stored->body;
        }
    }
    if (text.empty()) return std::optional<codec::Block>{};
    auto parsed = codec::parse_block(ROLLUP_TRY(codec::parse_json(text)));
    if (!parsed)
      return fail(Errc::io, fmt::format("the shared chain's block {} does not parse: {}", height,
                                        parsed.error().message));
    return std::optional<codec::Block>(std::move(*parsed));
  };

  tip_height_ = highest;
  if (highest == logged && logged > 0) {
    tip_hash_ = logged_hash;
    tip_timestamp_ = std::max(tip_timestamp_, logged_timestamp);
  } else if (highest > 0) {
    for (std::size_t i = 0; i < lanes_.size(); ++i)
      if (committed[i] == highest) {
        auto stored = ROLLUP_TRY(lanes_[i].contract->block_at(highest));
        if (!stored)
          return fail(Errc::internal, lanes_[i].name + ": the contract lost its tip block");
        tip_hash_ = stored->hash;
        tip_timestamp_ = std::max(tip_timestamp_, timestamp_of(stored->body));
        break;
      }
  }
  for (std::size_t i = 0; i < lanes_.size(); ++i) {
    Lane& lane = lanes_[i];
    lane.deposit_next = 0;
    if (committed[i] > 0) {
      auto stored = ROLLUP_TRY(lane.contract->block_at(committed[i]));
      if (!stored) return fail(Errc::internal, lane.name + ": the contract lost its tip block");
      lane.deposit_next = stored->deposit_first + stored->deposit_count;
    }
    for (std::uint64_t height = committed[i] + 1; height <= tip_height_; ++height) {
      auto block = ROLLUP_TRY(block_at(height));
      if (!block)
        return fail(
            Errc::io,
            fmt::format(
                "{}: the shared chain's block {} is neither in the log nor on a served contract",
                lane.name, height));
      if (const auto* ns = block->find_namespace(lane.namespace_id);
          ns && block->version == codec::kSharedBlockFormatVersion)
        lane.deposit_next = ns->deposit_end();
    }
  }
  return {};
}

// Every served rollup holds a prefix of this sequencer's chain of shared blocks, and the log
// holds the blocks it still lacks, to emit them again. A rollup sequenced alone before, or one
// that would join later than the others, could commit none of the blocks to come.
Status Sequencer::check_shared_chain() {
  std::uint64_t leading_height = 0;
  const Lane* leading = nullptr;
  for (const auto& lane : lanes_) {
    const std::uint64_t height = ROLLUP_TRY(lane.contract->height());
    if (height > leading_height) leading_height = height, leading = &lane;
  }
  constexpr std::string_view kJoin =
      "the rollups of a shared sequencer start together, from their genesis";
  for (const auto& lane : lanes_) {
    const std::uint64_t height = ROLLUP_TRY(lane.contract->height());
    if (height > 0) {
      auto theirs = ROLLUP_TRY(lane.contract->block_at(height));
      if (!theirs) return fail(Errc::internal, lane.name + ": the contract lost its tip block");
      std::optional<Hash32> ours;
      auto logged = ROLLUP_TRY(db_->prepare("SELECT hash FROM seq_log WHERE height = ?"));
      logged.bind(1, height);
      if (ROLLUP_TRY(logged.step()))
        ours = ROLLUP_TRY(logged.column_array<32>(0));
      else
        ours = ROLLUP_TRY(leading->contract->committed_hash(height));
      auto block = codec::parse_block(ROLLUP_TRY(codec::parse_json(theirs->body)));
      if (!block) return std::unexpected(block.error());
      if (block->version != codec::kSharedBlockFormatVersion)
        return fail(Errc::usage,
                    fmt::format("{}: its block {} is a single rollup's (version {}), not a shared "
                                "sequencer's: {}",
                                lane.name, height, block->version, kJoin));
      if (ours != theirs->hash)
        return fail(
            Errc::usage,
            fmt::format("{}: its block {} is {}, this sequencer's is {}: the rollup is not on "
                        "this sequencer's chain ({})",
                        lane.name, height, to_hex(theirs->hash),
                        ours ? to_hex(*ours) : std::string("missing"), kJoin));
    }
  }
  for (const auto& lane : lanes_) {
    const std::uint64_t height = ROLLUP_TRY(lane.contract->height());
    if (height < tip_height_) {
      auto q = ROLLUP_TRY(db_->prepare(
          "SELECT count(*) FROM seq_log WHERE height > ? AND height <= ? AND body IS NOT NULL"));
      q.bind(1, height).bind(2, tip_height_);
      ROLLUP_TRY(q.step());
      if (ROLLUP_TRY(q.column_uint64(0)) != tip_height_ - height)
        return fail(
            Errc::usage,
            fmt::format("{}: it holds blocks up to height {}, this sequencer's chain is at {}, "
                        "and the log ({}) lacks the blocks between to emit them again: {}",
                        lane.name, height, tip_height_, db_->path(), kJoin));
    }
  }
  return {};
}

Sequencer::Lane* Sequencer::lane_of(std::uint32_t namespace_id) {
  for (auto& lane : lanes_)
    if (lane.namespace_id == namespace_id) return &lane;
  return nullptr;
}

// The contract refuses a block over its work cap (l1::check_block_work), which follows the size
// of the state: txs take at most seven eighths of it, so that deposits always find room.
std::size_t Sequencer::max_batch_for_cap(const Lane& lane) const {
  if (!lane.config) return SIZE_MAX;
  return static_cast<std::size_t>(l1::max_block_txs(lane.accounts_bound, *lane.config));
}

std::size_t Sequencer::max_deposits_for_cap(const Lane& lane) const {
  const std::uint64_t room = l1::max_block_deposits(lane.batched, lane.accounts_bound, *lane.config);
  return static_cast<std::size_t>(std::min<std::uint64_t>(options_.max_deposits, room));
}

Result<bool> Sequencer::add(const codec::Tx& tx, std::size_t line_bytes) {
  Lane* lane = nullptr;
  if (!shared_) {
    lane = &lanes_.front();
    if (lane->config && tx.chain_id != lane->config->chain_id)
      return fail(Errc::bad_input, fmt::format("tx.chain_id: {} is not this rollup's chain id {}",
                                               tx.chain_id, lane->config->chain_id));
    // A tx signed for another rollup of the chain would only fail bad_signature in this one.
    if (tx.namespace_id != lane->namespace_id)
      return fail(Errc::bad_input, fmt::format("tx.namespace: {} is not this rollup's namespace {}",
                                               tx.namespace_id, lane->namespace_id));
  } else {
    lane = lane_of(tx.namespace_id);
    if (lane == nullptr) {
      std::string served;
      for (const auto& l : lanes_)
        served += (served.empty() ? "" : ", ") + std::to_string(l.namespace_id);
      return fail(Errc::bad_input,
                  fmt::format("tx.namespace: {} is not a namespace this sequencer serves ({})",
                              tx.namespace_id, served));
    }
    if (tx.chain_id != lane->config->chain_id)
      return fail(Errc::bad_input,
                  fmt::format("tx.chain_id: {} is not the chain id {} of namespace {}'s rollup",
                              tx.chain_id, lane->config->chain_id, lane->namespace_id));
  }
  // Keys of another scheme than the rollup's can sign nothing in it: bad input, like a wrong chain.
  if (lane->config) {
    if (auto ok = crypto::check_key_scheme(lane->config->sig_scheme, tx.from, "tx.from"); !ok)
      return std::unexpected(ok.error());
  }
  batch_.push_back(tx);
  batch_bytes_ += line_bytes;
  ++lane->batched;
  return batch_.size() >= options_.max_txs || batch_bytes_ >= options_.max_bytes ||
         lane->batched >= max_batch_for_cap(*lane);
}

Result<Sequencer::MempoolPull> Sequencer::pull_mempool() {
  // The mempool table is one rollup's: rollup-serve admits the txs of its state file's rollup.
  if (shared_)
    return fail(Errc::usage, "a shared sequencer takes txs from its input, not from a mempool");
  MempoolPull pull;
  // The count is a hard limit (the contract's work cap), so no more rows are read than fit; the
  // byte limit is the usual soft one (a block is cut once it reaches it).
  const std::size_t limit = std::min(options_.max_txs, max_batch_for_cap(lanes_.front()));
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
  for (const auto& ns : block.namespaces) {
    for (std::size_t i = 0; i < ns.txs.size(); ++i) {
      const Hash32 id = ns.txs[i].id();
      if (!batch_from_mempool_.contains(id)) continue;
      mark.bind(1, block.height).bind(2, static_cast<std::uint64_t>(i)).bind(3, id);
      ROLLUP_TRY(mark.run());
    }
  }
  return {};
}

Result<bool> Sequencer::deposits_pending() {
  for (const auto& lane : lanes_) {
    if (!lane.config) continue;
    if (!ROLLUP_TRY(lane.contract->deposits_from(lane.deposit_next, 1)).empty()) return true;
  }
  return false;
}

codec::Block Sequencer::build_block(std::vector<std::vector<l1::QueuedDeposit>> deposits) {
  codec::Block b;
  b.version = shared_ ? codec::kSharedBlockFormatVersion : codec::kBlockFormatVersion;
  b.height = tip_height_ + 1;
  b.parent = tip_hash_;
  auto now = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
  b.timestamp = options_.fixed_timestamp ? *options_.fixed_timestamp : std::max(now, tip_timestamp_);
  b.sequencer = key_.public_key;
  b.fee_recipient = options_.fee_recipient ? *options_.fee_recipient : key_.public_key;
  auto ordered = [&](std::vector<codec::Tx> txs) {
    if (options_.ordering == Ordering::fee) return order_by_fee(std::move(txs));
    return txs;
  };
  if (!shared_) {
    if (!batch_.empty()) {
      codec::NamespaceTxs ns;
      ns.id = lanes_.front().namespace_id;
      ns.txs = ordered(std::move(batch_));
      ns.tx_hash = codec::tx_list_hash(ns.txs);
      b.namespaces.push_back(std::move(ns));
    }
    b.deposit_first = lanes_.front().deposit_next;
    for (const auto& d : deposits.front()) b.deposits.push_back(d.deposit);
  } else {
    // Each rollup's entry: its txs in arrival order (or by fee), and the deposits of its queue.
    // A rollup with neither has no entry, and consumes nothing of its queue.
    for (std::size_t i = 0; i < lanes_.size(); ++i) {
      if (lanes_[i].batched == 0 && deposits[i].empty()) continue;
      codec::NamespaceTxs ns;
      ns.id = lanes_[i].namespace_id;
      std::vector<codec::Tx> txs;
      txs.reserve(lanes_[i].batched);
      for (const auto& tx : batch_)
        if (tx.namespace_id == ns.id) txs.push_back(tx);
      ns.txs = ordered(std::move(txs));
      ns.tx_hash = codec::tx_list_hash(ns.txs);
      ns.deposit_first = lanes_[i].deposit_next;
      for (const auto& d : deposits[i]) ns.deposits.push_back(d.deposit);
      b.namespaces.push_back(std::move(ns));
    }
  }
  b.hash = b.compute_hash();
  b.sig = crypto::sign(key_, b.hash);
  return b;
}

Result<std::optional<SealedBlock>> Sequencer::cut() {
  // Another sequencer process may have logged blocks on this file since we last looked: build
  // on its tip, never beside it.
  auto tx = ROLLUP_TRY(db_->begin_immediate());
  ROLLUP_TRY(resume());

  std::vector<std::vector<l1::QueuedDeposit>> deposits(lanes_.size());
  bool any = !batch_.empty();
  for (std::size_t i = 0; i < lanes_.size(); ++i) {
    if (!lanes_[i].config) continue;
    deposits[i] = ROLLUP_TRY(
        lanes_[i].contract->deposits_from(lanes_[i].deposit_next, max_deposits_for_cap(lanes_[i])));
    any = any || !deposits[i].empty();
  }
  if (!any) return std::optional<SealedBlock>{};
  codec::Block b = build_block(std::move(deposits));

  auto ins = ROLLUP_TRY(db_->prepare(
      "INSERT INTO seq_log(height, hash, deposit_end, timestamp, body, created_at) "
      "VALUES (?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))"));
  std::string line = codec::to_json(b);
  // A shared block has no single queue position (each namespace's is in its body): 0.
  ins.bind(1, b.height)
      .bind(2, b.hash)
      .bind(3, shared_ ? 0 : b.deposit_end())
      .bind(4, b.timestamp)
      .bind(5, line);
  ROLLUP_TRY(ins.run());
  ROLLUP_TRY(mark_sequenced(b));
  ROLLUP_TRY(drop_committed_bodies());
  ROLLUP_TRY(tx.commit());

  tip_height_ = b.height;
  tip_hash_ = b.hash;
  tip_timestamp_ = b.timestamp;
  std::uint64_t block_txs = 0, block_deposits = b.deposits.size();
  for (const auto& ns : b.namespaces) {
    block_txs += ns.txs.size();
    block_deposits += ns.deposits.size();
  }
  for (auto& lane : lanes_) {
    const codec::DepositRange consumed = b.deposits_of(lane.namespace_id);
    if (consumed.first) lane.deposit_next = *consumed.first + consumed.deposits.size();
    lane.batched = 0;
    if (lane.config && lane.inflight_through < b.height) {
      const std::uint64_t added = l1::new_accounts_bound(block_txs, block_deposits);
      lane.inflight.emplace(b.height, added);
      lane.inflight_sum += added;
      lane.inflight_through = b.height;
      lane.accounts_bound = l1::add_saturating(lane.accounts_bound, added);
    }
  }
  batch_.clear();
  batch_bytes_ = 0;
  batch_from_mempool_.clear();
  return std::optional<SealedBlock>(SealedBlock{std::move(b), std::move(line)});
}

/// The height up to which every served contract has committed blocks.
Result<std::uint64_t> Sequencer::committed_everywhere() {
  std::uint64_t committed = UINT64_MAX;
  for (const auto& lane : lanes_) {
    if (!lane.config) return std::uint64_t{0};
    committed = std::min(committed, ROLLUP_TRY(lane.contract->height()));
  }
  return committed;
}

Status Sequencer::drop_committed_bodies() {
  const std::uint64_t committed = ROLLUP_TRY(committed_everywhere());
  if (committed == 0) return {};
  auto q = ROLLUP_TRY(db_->prepare("SELECT height, hash FROM seq_log WHERE body IS NOT NULL AND height <= ? ORDER BY height"));
  q.bind(1, committed);
  std::vector<std::uint64_t> stored_on_contract;
  while (ROLLUP_TRY(q.step())) {
    const std::uint64_t height = ROLLUP_TRY(q.column_uint64(0));
    const Hash32 hash = ROLLUP_TRY(q.column_array<32>(1));
    // A logged block a contract does not hold (it committed another at that height) is kept:
    // it is the evidence of what this sequencer signed.
    bool everywhere = true;
    for (const auto& lane : lanes_)
      everywhere = everywhere && ROLLUP_TRY(lane.contract->committed_hash(height)) == hash;
    if (everywhere) stored_on_contract.push_back(height);
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
  if (!lanes_.front().config) return std::vector<std::string>{};
  // A rollup that lags behind the others gets the blocks it lacks; the others skip them.
  const std::uint64_t committed = ROLLUP_TRY(committed_everywhere());
  auto q = ROLLUP_TRY(db_->prepare("SELECT body FROM seq_log WHERE height > ? ORDER BY height"));
  q.bind(1, committed);
  std::vector<std::string> out;
  while (ROLLUP_TRY(q.step())) out.push_back(q.column_text(0));
  return out;
}

}  // namespace rollup::seq
