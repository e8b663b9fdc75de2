#include "vm/state.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

#include "core/limits.hpp"
#include "core/parallel.hpp"
#include "crypto/crypto.hpp"
#include "l1/contract.hpp"

namespace rollup::vm {

std::string_view reason_name(Reason r) {
  switch (r) {
    case Reason::none: return "ok";
    case Reason::bad_signature: return "bad_signature";
    case Reason::unknown_account: return "unknown_account";
    case Reason::self_transfer: return "self_transfer";
    case Reason::bad_nonce: return "bad_nonce";
    case Reason::insufficient_balance: return "insufficient_balance";
    case Reason::balance_overflow: return "balance_overflow";
  }
  return "unknown";
}

std::string root_hex(const StateRoot& root) { return to_hex(hash::digest_bytes(root)); }

std::size_t State::slot_of(const PublicKey& key) const {
  // Fibonacci hashing: the top bits of the key's first 8 bytes times 2^64 / phi.
  const unsigned bits = static_cast<unsigned>(std::countr_zero(index_slots_.size()));
  const std::size_t mask = index_slots_.size() - 1;
  for (std::size_t s = (KeyHash{}(key) * 0x9E3779B97F4A7C15ull) >> (64 - bits);; s = (s + 1) & mask) {
    const std::uint64_t slot = index_slots_[s];
    if (slot == 0 || accounts_[slot - 1].key == key) return s;
  }
}

void State::index_account(std::uint64_t index) {
  if (2 * (index + 1) > index_slots_.size()) {
    std::size_t size = std::max<std::size_t>(16, index_slots_.size());
    while (2 * (index + 1) > size) size *= 2;
    index_slots_.assign(size, 0);
    for (std::uint64_t i = 0; i < index; ++i) index_slots_[slot_of(accounts_[i].key)] = i + 1;
  }
  index_slots_[slot_of(accounts_[index].key)] = index + 1;
}

std::optional<std::uint64_t> State::index_of(const PublicKey& key) const {
  if (index_slots_.empty()) return std::nullopt;
  const std::uint64_t slot = index_slots_[slot_of(key)];
  if (slot == 0) return std::nullopt;
  return slot - 1;
}

void State::add_account(const Account& account) {
  accounts_.push_back(account);
  touched_flag_.push_back(false);
  index_account(accounts_.size() - 1);
}

std::vector<smt::NodeUpdate> State::load_accounts(const std::vector<Account>& accounts,
                                                 unsigned threads) {
  std::vector<smt::LeafInput> inputs;
  inputs.reserve(accounts.size());
  for (const auto& a : accounts) {
    add_account(a);
    inputs.push_back(smt::LeafInput{a.key, a.balance, a.nonce});
  }
  auto leaves = smt::leaf_digests(inputs, threads);
  for (std::size_t i = 0; i < leaves.size(); ++i) tree_.set_leaf(i, leaves[i]);
  return tree_.commit(threads);
}

std::uint64_t State::ensure_account(const PublicKey& key) {
  if (auto index = index_of(key)) return *index;
  add_account(Account{key, 0, 0});
  return accounts_.size() - 1;
}

void State::touch(std::uint64_t index) {
  if (tracing_) receipt_touched_.push_back(index);
  if (!touched_flag_[index]) {
    touched_flag_[index] = true;
    touched_.push_back(index);
  }
}

Reason State::apply_transfer(const codec::Tx& tx, const PublicKey& fee_recipient, bool signature_ok,
                             std::vector<Withdrawal>& withdrawals) {
  if (!signature_ok) return Reason::bad_signature;
  const auto from_index = index_of(tx.from);
  if (!from_index) return Reason::unknown_account;
  const bool is_transfer = tx.type == codec::TxType::transfer;
  if (is_transfer && tx.from == tx.to) return Reason::self_transfer;
  Account& from = accounts_[*from_index];
  if (tx.nonce != from.nonce) return Reason::bad_nonce;
  if (from.balance < tx.amount + tx.fee) return Reason::insufficient_balance;

  // Every credit is checked against its final balance before anything is written, so a
  // failed tx changes nothing. `to` and the fee recipient may be the same key, or the sender.
  auto balance_after = [&](const PublicKey& key) -> std::uint64_t {
    const auto index = index_of(key);
    std::uint64_t b = index ? accounts_[*index].balance : 0;
    if (key == tx.from) b -= tx.amount + tx.fee;
    if (is_transfer && key == tx.to) b += tx.amount;
    if (key == fee_recipient) b += tx.fee;
    return b;
  };
  if (is_transfer && balance_after(tx.to) >= kBalanceLimit) return Reason::balance_overflow;
  if (tx.fee > 0 && balance_after(fee_recipient) >= kBalanceLimit) return Reason::balance_overflow;

  accounts_[*from_index].balance -= tx.amount + tx.fee;
  accounts_[*from_index].nonce += 1;
  touch(*from_index);
  if (is_transfer) {
    std::uint64_t to_index = ensure_account(tx.to);  // may reallocate accounts_
    accounts_[to_index].balance += tx.amount;
    touch(to_index);
  } else {
    withdrawals.push_back(Withdrawal{tx.from, tx.amount});
  }
  // A zero fee is no funds: it neither creates the fee recipient's account nor touches it.
  if (tx.fee > 0) {
    std::uint64_t fee_index = ensure_account(fee_recipient);
    accounts_[fee_index].balance += tx.fee;
    touch(fee_index);
  }
  return Reason::none;
}

const std::vector<codec::Tx>& rollup_txs(const codec::Block& block, std::uint32_t namespace_id) {
  static const std::vector<codec::Tx> kNone;
  const auto* ns = block.find_namespace(namespace_id);
  return ns ? ns->txs : kNone;
}

RollupParams params_of(const l1::Config& config) {
  return RollupParams{config.chain_id, config.namespace_id, config.sig_scheme};
}

bool tx_signature_valid(const codec::Tx& tx, const RollupParams& params) {
  if (tx.chain_id != params.chain_id || tx.namespace_id != params.namespace_id) return false;
  // The message is rebuilt with the rollup's chain id and namespace: a tx signed for another
  // chain, or for another rollup of this chain, fails whatever it claims.
  codec::Tx as_signed = tx;
  as_signed.chain_id = params.chain_id;
  as_signed.namespace_id = params.namespace_id;
  return crypto::verify_tx_signature(params.scheme, {params.chain_id, params.namespace_id}, tx.from,
                                     as_signed.signing_message(), tx.sig);
}

std::vector<bool> check_signatures(const std::vector<codec::Tx>& txs, const RollupParams& params,
                                   unsigned threads) {
  std::vector<char> ok(txs.size(), 0);  // vector<bool> is not safe to write from two threads
  auto work = [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) ok[i] = tx_signature_valid(txs[i], params);
  };
  parallel_for(txs.size(), threads, work, 64);
  return std::vector<bool>(ok.begin(), ok.end());
}

/// Snapshots the accounts a receipt may touch before it runs and keeps what it changed; at the
/// end of the block, before the tree is hashed, hands the observer every receipt, with the roots
/// around each when it wants them (Tree::commit_batches, which leaves the tree hashed as the
/// block's commit would: its paths are not hashed a second time).
class State::ReceiptTracer {
 public:
  ReceiptTracer(State& state, ReceiptObserver& observer) : state_(state), observer_(observer) {
    state_.tracing_ = true;
  }
  ~ReceiptTracer() {
    state_.tracing_ = false;
    state_.receipt_touched_.clear();
  }
  ReceiptTracer(const ReceiptTracer&) = delete;
  ReceiptTracer& operator=(const ReceiptTracer&) = delete;

  /// `keys`: every account the receipt can write (the STF touches no other).
  void before(std::initializer_list<const PublicKey*> keys) {
    accounts_before_ = state_.accounts_.size();
    snapshot_.clear();
    for (const auto* key : keys)
      if (auto idx = state_.index_of(*key)) snapshot_.emplace_back(*idx, state_.accounts_[*idx]);
    state_.receipt_touched_.clear();
  }

  void after() {
    auto& touched = state_.receipt_touched_;
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    for (auto idx : touched) {
      AccountChange c{idx, Account{state_.accounts_[idx].key, 0, 0}, state_.accounts_[idx]};
      if (idx < accounts_before_) {
        auto it = std::find_if(snapshot_.begin(), snapshot_.end(), [&](const auto& s) { return s.first == idx; });
        if (it != snapshot_.end()) c.before = it->second;
      }
      changes_.push_back(c);
    }
    ends_.push_back(changes_.size());
    touched.clear();
  }

  /// Call with every receipt made and the tree not yet staged: it still holds the pre-block state.
  /// When the observer wants roots, the tree is committed here; the nodes that changed.
  std::optional<std::vector<smt::NodeUpdate>> deliver(const std::vector<Receipt>& receipts,
                                                      const StateRoot& pre_root, unsigned threads) {
    std::vector<StateRoot> roots;
    std::optional<std::vector<smt::NodeUpdate>> committed;
    if (observer_.wants_roots()) {
      std::vector<smt::LeafInput> leaves;
      leaves.reserve(changes_.size());
      for (const auto& c : changes_) leaves.push_back(smt::LeafInput{c.after.key, c.after.balance, c.after.nonce});
      auto digests = smt::leaf_digests(leaves, threads);
      std::vector<smt::Tree::LeafBatch> batches(ends_.size());
      for (std::size_t r = 0, i = 0; r < ends_.size(); ++r)
        for (; i < ends_[r]; ++i) batches[r].emplace_back(changes_[i].index, digests[i]);
      auto commit = state_.tree_.commit_batches(batches, threads);
      roots = std::move(commit.roots);
      committed = std::move(commit.updates);
    }
    for (std::size_t r = 0, begin = 0; r < ends_.size(); begin = ends_[r], ++r) {
      ReceiptTrace trace{r, &receipts[r], std::span(changes_).subspan(begin, ends_[r] - begin), {}, {}};
      if (!roots.empty()) {
        trace.root_before = r ? roots[r - 1] : pre_root;
        trace.root_after = roots[r];
      }
      observer_.on_receipt(trace);
    }
    return committed;
  }

 private:
  State& state_;
  ReceiptObserver& observer_;
  std::uint64_t accounts_before_ = 0;
  std::vector<std::pair<std::uint64_t, Account>> snapshot_;
  std::vector<AccountChange> changes_;  ///< every receipt's, in order
  std::vector<std::size_t> ends_;       ///< where each receipt's changes end in changes_
};

BlockOutcome State::apply_block(const codec::Block& block, const RollupParams& params,
                                const std::vector<bool>& signature_ok, unsigned threads,
                                ReceiptObserver* observer) {
  BlockOutcome out;
  out.height = block.height;
  out.block_hash = block.hash;
  out.pre_root = tree_.root();
  std::optional<ReceiptTracer> tracer;
  if (observer) tracer.emplace(*this, *observer);

  for (const auto& d : block.deposits_of(params.namespace_id).deposits) {
    if (tracer) tracer->before({&d.to});
    Receipt r{ReceiptKind::deposit, d.index, {}, Reason::none};
    auto existing = index_of(d.to);
    std::uint64_t current = existing ? accounts_[*existing].balance : 0;
    if (current + d.amount >= kBalanceLimit) {
      r.reason = Reason::balance_overflow;
    } else {
      std::uint64_t idx = ensure_account(d.to);
      accounts_[idx].balance += d.amount;
      touch(idx);
    }
    out.receipts.push_back(r);
    if (tracer) tracer->after();
  }

  const auto& txs = rollup_txs(block, params.namespace_id);
  for (std::size_t i = 0; i < txs.size(); ++i) {
    const auto& tx = txs[i];
    if (tracer) tracer->before({&tx.from, &tx.to, &block.fee_recipient});
    Receipt r{tx.type == codec::TxType::transfer ? ReceiptKind::transfer : ReceiptKind::withdraw,
              0, tx.id(), Reason::none};
    r.reason = apply_transfer(tx, block.fee_recipient, signature_ok[i], out.withdrawals);
    out.receipts.push_back(r);
    if (tracer) tracer->after();
  }

  std::optional<std::vector<smt::NodeUpdate>> committed;
  if (tracer) committed = tracer->deliver(out.receipts, out.pre_root, threads);

  std::sort(touched_.begin(), touched_.end());
  for (auto idx : touched_) touched_flag_[idx] = false;
  if (committed) {
    out.node_updates = std::move(*committed);
  } else {
    std::vector<smt::LeafInput> inputs;
    inputs.reserve(touched_.size());
    for (auto idx : touched_) {
      const Account& a = accounts_[idx];
      inputs.push_back(smt::LeafInput{a.key, a.balance, a.nonce});
    }
    auto leaves = smt::leaf_digests(inputs, threads);
    for (std::size_t i = 0; i < touched_.size(); ++i) tree_.set_leaf(touched_[i], leaves[i]);
    out.node_updates = tree_.commit(threads);
  }
  out.touched = std::move(touched_);
  touched_.clear();
  out.post_root = tree_.root();
  out.account_count = accounts_.size();
  return out;
}

Result<ExecClaim> parse_exec_claim(const codec::Json& object) {
  codec::FieldReader f(object, "exec");
  ExecClaim c;
  ROLLUP_TRY(f.string("kind"));
  ROLLUP_TRY(f.u53("v"));
  c.height = ROLLUP_TRY(f.u53("height", 1));
  c.block_hash = ROLLUP_TRY(f.hex_fixed<32>("block_hash"));
  c.pre_root = ROLLUP_TRY(f.hex_fixed<32>("pre_root"));
  c.post_root = ROLLUP_TRY(f.hex_fixed<32>("post_root"));
  for (const auto* root : {&c.pre_root, &c.post_root})
    if (!hash::digest_from_bytes(*root)) return fail(Errc::bad_input, "exec: a root is not a canonical digest");
  ROLLUP_TRY(f.array("receipts"));
  ROLLUP_TRY(f.array("withdrawals"));
  ROLLUP_TRY(f.u53("accounts"));
  ROLLUP_TRY(f.finish());
  return c;
}

void append_receipt_json(std::string& out, const Receipt& r) {
  auto it = std::back_inserter(out);
  if (r.kind == ReceiptKind::deposit)
    fmt::format_to(it, R"({{"type":"deposit","index":{})", r.deposit_index);
  else
    fmt::format_to(it, R"({{"type":"{}","tx":"{}")", r.kind == ReceiptKind::transfer ? "transfer" : "withdraw",
                   to_hex(r.tx_id));
  if (r.ok())
    out += R"(,"status":"ok"})";
  else
    fmt::format_to(it, R"(,"status":"failed","reason":"{}"}})", reason_name(r.reason));
}

std::string exec_to_json(const BlockOutcome& o) {
  std::string out;
  out.reserve(256 + 110 * o.receipts.size());
  auto it = std::back_inserter(out);
  fmt::format_to(it,
                 R"({{"kind":"exec","v":1,"height":{},"block_hash":"{}","pre_root":"{}","post_root":"{}","receipts":[)",
                 o.height, to_hex(o.block_hash), root_hex(o.pre_root), root_hex(o.post_root));
  for (std::size_t i = 0; i < o.receipts.size(); ++i) {
    if (i) out += ',';
    append_receipt_json(out, o.receipts[i]);
  }
  out += R"(],"withdrawals":[)";
  for (std::size_t i = 0; i < o.withdrawals.size(); ++i)
    fmt::format_to(it, R"({}{{"to":"{}","amount":{}}})", i ? "," : "", to_hex(o.withdrawals[i].to),
                   o.withdrawals[i].amount);
  fmt::format_to(it, R"(],"accounts":{}}})", o.account_count);
  return out;
}

}  // namespace rollup::vm
