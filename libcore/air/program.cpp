#include "air/program.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "core/limits.hpp"
#include "crypto/crypto.hpp"

namespace rollup::air {

namespace {

// The key id (smt::account_key_bytes) of every key a block names, computed once and side by
// side: an ECgFp5 key's id is an RPO hash, and a block names its keys in many ops (sender, `to`
// and fee recipient of every tx), which hashed op by op one permutation at a time were a large
// part of an ECgFp5 block's verification.
class KeyIds {
 public:
  KeyIds(std::vector<PublicKey> keys, const KnownKeyIds* known) : keys_(std::move(keys)) {
    std::sort(keys_.begin(), keys_.end());
    keys_.erase(std::unique(keys_.begin(), keys_.end()), keys_.end());
    if (known == nullptr) {
      ids_ = smt::account_key_bytes_many(keys_);
      return;
    }
    ids_.resize(keys_.size());
    std::vector<PublicKey> unknown;
    std::vector<std::size_t> at;
    // Both lists are sorted: one walk through them side by side.
    auto it = known->begin();
    for (std::size_t i = 0; i < keys_.size(); ++i) {
      while (it != known->end() && it->first < keys_[i]) ++it;
      if (it != known->end() && it->first == keys_[i]) {
        ids_[i] = it->second;
      } else {
        unknown.push_back(keys_[i]);
        at.push_back(i);
      }
    }
    const auto hashed = smt::account_key_bytes_many(unknown);
    for (std::size_t u = 0; u < at.size(); ++u) ids_[at[u]] = hashed[u];
  }
  Hash32 of(const PublicKey& key) const {
    const auto it = std::lower_bound(keys_.begin(), keys_.end(), key);
    if (it == keys_.end() || *it != key) return smt::account_key_bytes(key);
    return ids_[static_cast<std::size_t>(it - keys_.begin())];
  }

 private:
  std::vector<PublicKey> keys_;
  std::vector<Hash32> ids_;
};

std::array<Felt, 8> words_of(const Hash32& key_id) {
  std::array<Felt, 8> w{};
  const auto words = smt::key_words_of(key_id);
  for (std::size_t j = 0; j < 8; ++j) w[j] = Felt(words[j]);
  return w;
}

std::array<Felt, 8> packed_words_of(const Hash32& key_id) {
  std::array<Felt, 8> w{};
  const smt::PackedKey p = smt::pack_key_bytes(key_id);
  for (std::size_t i = 0; i < smt::kKeyLimbs; ++i) w[i] = Felt(p[i]);
  return w;
}

// Fees owed to the block's fee recipient and not yet written (FeeCredits::deferred).
struct PendingFees {
  PublicKey recipient{};
  bool deferred = false;
  std::uint64_t amount = 0;   // below 2^53: a sum that would reach it is written first
  std::uint32_t receipt = 0;  // the last receipt that added to it
};

// Builds the ops of one receipt; the rules are those of docs/air.md §3.2.
class Emitter {
 public:
  Emitter(Program& program, std::uint32_t receipt, PendingFees& fees, const KeyIds& ids)
      : p_(program), receipt_(receipt), fees_(fees), ids_(ids) {}

  // Writes the deferred fees: one credit of their sum. Before any op on the fee recipient's key
  // (so that every op reads the leaf the STF would, tx by tx) and at the block's end. Until then
  // no op reads that leaf, and its balance only grows, so one range check of the sum proves that
  // none of the credits it adds up overflowed.
  void settle_fees() {
    if (fees_.amount == 0) return;
    const std::uint64_t amount = std::exchange(fees_.amount, 0);
    Op& op = push_state(fees_.recipient, OpKind::state_update, fees_.receipt);
    op.delta = Felt(amount);
    op.a2 = Felt::one();
  }
  // The fee of a successful tx, neither sender nor `to` being the fee recipient.
  void fee(std::uint64_t amount, bool create) {
    if (!fees_.deferred || create) {
      credit(fees_.recipient, amount, create);
      return;
    }
    // An existing recipient: the claim is proven when the sum is written (the credit op then
    // opens the leaf, which must exist: no op on its key came in between, not even its creation).
    if (fees_.amount + amount >= kBalanceLimit) settle_fees();  // the next credit will not fit
    fees_.amount += amount;
    fees_.receipt = receipt_;
  }

  Op& state(const PublicKey& key, OpKind kind = OpKind::state_update) {
    if (key == fees_.recipient) settle_fees();
    return push_state(key, kind, receipt_);
  }

  Op& push_state(const PublicKey& key, OpKind kind, std::uint32_t receipt) {
    Op op;
    op.kind = kind;
    op.key = words_of(ids_.of(key));
    op.account = key;
    op.receipt = receipt;
    // The count the verifier expects after the program is the one the AIR's count register
    // reaches: both follow creates_account.
    if (creates_account(kind)) p_.created += 1;
    p_.ops.push_back(op);
    return p_.ops.back();
  }
  // Credit `amount`; the new balance must stay below 2^53.
  void credit(const PublicKey& key, std::uint64_t amount, bool create) {
    Op& op = state(key, create ? OpKind::state_insert : OpKind::state_update);
    op.delta = Felt(amount);
    op.a2 = Felt::one();
    if (create) {
      key_op(key, OpKind::key_low).insert = true;
      key_op(key, OpKind::key_new);
    }
  }
  // The sender of a successful tx: pays `need`, gets `back` (its own fee), nonce + 1.
  void debit(const PublicKey& key, std::uint64_t need, std::uint64_t back, std::uint64_t nonce) {
    Op& op = state(key);
    op.delta = Felt(back) - Felt(need);
    op.inc = Felt::one();
    op.nonce_eq = true;
    op.nonce = Felt(nonce);
    op.a1 = Felt::one();
    op.a3 = -Felt(need);
  }
  // Reads that fail a tx: the leaf is rewritten unchanged.
  void exists(const PublicKey& key) { state(key); }
  void bad_nonce(const PublicKey& key, std::uint64_t nonce) {
    Op& op = state(key);
    op.bad_nonce = true;
    op.nonce = Felt(nonce);
  }
  void insufficient(const PublicKey& key, std::uint64_t need, std::uint64_t nonce) {
    Op& op = state(key);
    op.nonce_eq = true;
    op.nonce = Felt(nonce);
    op.b1 = -Felt::one();
    op.b3 = Felt(need) - Felt::one();  // need - balance - 1 >= 0
  }
  void funded(const PublicKey& key, std::uint64_t need, std::uint64_t nonce) {
    Op& op = state(key);
    op.nonce_eq = true;
    op.nonce = Felt(nonce);
    op.a1 = Felt::one();
    op.a3 = -Felt(need);
  }
  void overflows(const PublicKey& key, std::uint64_t credit) {
    Op& op = state(key);
    op.b1 = Felt::one();
    op.b3 = Felt(credit) - Felt(kBalanceLimit);  // balance + credit - 2^53 >= 0
  }
  void absent(const PublicKey& key) { key_op(key, OpKind::key_low); }

 private:
  Op& key_op(const PublicKey& key, OpKind kind) {
    if (key == fees_.recipient) settle_fees();
    Op op;
    op.kind = kind;
    op.key = packed_words_of(ids_.of(key));
    op.receipt = receipt_;
    p_.ops.push_back(op);
    return p_.ops.back();
  }

  Program& p_;
  std::uint32_t receipt_;
  PendingFees& fees_;
  const KeyIds& ids_;
};

std::unexpected<Error> contradiction(std::size_t receipt, const std::string& what) {
  return fail(Errc::rejected, fmt::format("receipt {}: the claim contradicts the block: {}", receipt, what));
}

}  // namespace

std::uint8_t encode_claim(const ReceiptClaim& c) {
  return static_cast<std::uint8_t>(static_cast<unsigned>(c.reason) | (c.to_new ? 8u : 0u) |
                                   (c.fee_new ? 16u : 0u) | (c.at_fee ? 32u : 0u));
}

Result<ReceiptClaim> decode_claim(std::uint8_t byte) {
  const unsigned reason = byte & 7u;
  if (reason > static_cast<unsigned>(vm::Reason::balance_overflow) || (byte & 0xC0u))
    return fail(Errc::rejected, fmt::format("receipt claim byte {:#04x} is not a claim", byte));
  ReceiptClaim c;
  c.reason = static_cast<vm::Reason>(reason);
  c.to_new = byte & 8u;
  c.fee_new = byte & 16u;
  c.at_fee = byte & 32u;
  return c;
}

Result<Program> build_program(const codec::Block& block, const vm::RollupParams& params,
                              const std::vector<bool>& signature_ok,
                              std::span<const ReceiptClaim> claims, FeeCredits fee_credits,
                              std::span<const Hash32> tx_ids, const KnownKeyIds* known_ids) {
  const auto& txs = vm::rollup_txs(block, params.namespace_id);
  if (signature_ok.size() != txs.size())
    return fail(Errc::internal, "one signature bit per tx is required");
  if (!tx_ids.empty() && tx_ids.size() != txs.size()) return fail(Errc::internal, "one id per tx, or none");
  const auto deposits = block.deposits_of(params.namespace_id).deposits;
  if (claims.size() != deposits.size() + txs.size())
    return fail(Errc::rejected, fmt::format("the proof claims {} receipts, the block has {}",
                                            claims.size(), deposits.size() + txs.size()));
  Program p;
  p.ops.reserve(3 * claims.size());
  const PublicKey& fr = block.fee_recipient;
  std::vector<PublicKey> named{fr};
  for (const auto& d : deposits) named.push_back(d.to);
  for (const codec::Tx& tx : txs) {
    named.push_back(tx.from);
    named.push_back(tx.to);
  }
  const KeyIds ids(std::move(named), known_ids);
  PendingFees fees{fr, fee_credits == FeeCredits::deferred};
  std::uint32_t r = 0;

  for (const auto& d : deposits) {
    const ReceiptClaim& c = claims[r];
    Emitter e(p, r, fees, ids);
    if (c.fee_new || c.at_fee) return contradiction(r, "a deposit has no fee");
    if (c.reason == vm::Reason::none) {
      e.credit(d.to, d.amount, c.to_new);
    } else if (c.reason == vm::Reason::balance_overflow) {
      // A deposit to a key without an account cannot overflow: amounts are below 2^53.
      if (c.to_new) return contradiction(r, "a failed deposit to a new account");
      e.overflows(d.to, d.amount);
      p.failed_deposits.push_back(d.index);
    } else {
      return contradiction(r, "a deposit fails only with balance_overflow");
    }
    p.receipts.push_back(vm::Receipt{vm::ReceiptKind::deposit, d.index, {}, c.reason});
    ++r;
  }

  for (std::size_t i = 0; i < txs.size(); ++i, ++r) {
    const codec::Tx& tx = txs[i];
    const ReceiptClaim& c = claims[r];
    Emitter e(p, r, fees, ids);
    const bool transfer = tx.type == codec::TxType::transfer;
    p.receipts.push_back(vm::Receipt{transfer ? vm::ReceiptKind::transfer : vm::ReceiptKind::withdraw,
                                     0, tx_ids.empty() ? tx.id() : tx_ids[i], c.reason});
    const bool to_flag_allowed =
        transfer && (c.reason == vm::Reason::none ||
                     (c.reason == vm::Reason::balance_overflow && !c.at_fee));
    if (c.to_new && !to_flag_allowed) return contradiction(r, "to_new without a credit to `to`");
    if (c.fee_new && c.reason != vm::Reason::none) return contradiction(r, "fee_new on a failed tx");
    if (c.at_fee && c.reason != vm::Reason::balance_overflow)
      return contradiction(r, "at_fee without balance_overflow");

    // The signature is the verifier's to check: the claim must agree with it.
    if (!signature_ok[i]) {
      if (c.reason != vm::Reason::bad_signature) return contradiction(r, "the signature is invalid");
      continue;
    }
    if (c.reason == vm::Reason::bad_signature) return contradiction(r, "the signature is valid");
    if (c.reason == vm::Reason::unknown_account) {
      e.absent(tx.from);
      continue;
    }
    const bool self = transfer && tx.from == tx.to;
    if (c.reason == vm::Reason::self_transfer) {
      if (!self) return contradiction(r, "not a self-transfer");
      e.exists(tx.from);
      continue;
    }
    if (self) return contradiction(r, "a self-transfer fails with self_transfer");
    const std::uint64_t need = tx.amount + tx.fee;  // below 2^54: amounts and fees are below 2^53
    const bool to_is_fr = transfer && tx.to == fr;
    const bool from_is_fr = tx.from == fr;
    const std::uint64_t to_credit = tx.amount + (to_is_fr ? tx.fee : 0);
    switch (c.reason) {
      case vm::Reason::bad_nonce:
        e.bad_nonce(tx.from, tx.nonce);
        break;
      case vm::Reason::insufficient_balance:
        e.insufficient(tx.from, need, tx.nonce);
        break;
      case vm::Reason::balance_overflow:
        e.funded(tx.from, need, tx.nonce);
        if (!c.at_fee) {
          if (!transfer) return contradiction(r, "a withdraw credits no `to`");
          if (c.to_new) {
            // `to` has balance 0: whether the credit alone overflows is public.
            if (to_credit < kBalanceLimit) return contradiction(r, "the credit to a new `to` fits");
            e.absent(tx.to);
          } else {
            e.overflows(tx.to, to_credit);
          }
        } else {
          // The fee recipient's own credit: it is neither sender (a fee back never overflows)
          // nor `to` (then `to`'s credit carries the fee), and has an account.
          if (tx.fee == 0 || from_is_fr || to_is_fr)
            return contradiction(r, "the fee recipient's credit cannot overflow alone");
          e.overflows(fr, tx.fee);
        }
        break;
      case vm::Reason::none:
        e.debit(tx.from, need, from_is_fr ? tx.fee : 0, tx.nonce);
        if (transfer) e.credit(tx.to, to_credit, c.to_new);
        else p.withdrawals.push_back(vm::Withdrawal{tx.from, tx.amount});
        if (tx.fee > 0 && !from_is_fr && !to_is_fr) e.fee(tx.fee, c.fee_new);
        else if (c.fee_new) return contradiction(r, "fee_new without a separate fee credit");
        break;
      default:
        return contradiction(r, "impossible reason");
    }
  }
  Emitter(p, r, fees, ids).settle_fees();
  return p;
}

std::array<Felt, 8> key_words(const PublicKey& key) {
  std::array<Felt, 8> w{};
  const auto words = smt::account_key_words(key);
  for (std::size_t j = 0; j < 8; ++j) w[j] = Felt(words[j]);
  return w;
}

Hash32 program_digest(std::span<const Op> ops) {
  crypto::Blake2b h;
  ByteWriter w("rollup-air:program:v1");
  w.u64(ops.size());
  h.update(w.take());
  // The ops' bytes one after another, hashed in one update (the same digest as one update an op).
  ByteWriter o;
  constexpr std::size_t kOpBytes = 1 + 8 * 8 + 8 * 8 + 1;
  o.reserve(ops.size() * kOpBytes);
  for (const Op& op : ops) {
    o.u8(static_cast<std::uint8_t>(op.kind));
    for (Felt k : op.key) o.u64(k.value());
    for (Felt v : {op.delta, op.inc, op.nonce, op.a1, op.a2, op.a3, op.b1, op.b3}) o.u64(v.value());
    o.u8(static_cast<std::uint8_t>((op.nonce_eq ? 1 : 0) | (op.bad_nonce ? 2 : 0) | (op.insert ? 4 : 0)));
  }
  h.update(o.bytes());
  return h.finish();
}

}  // namespace rollup::air
