#pragma once
// The op program of a block (docs/air.md §3): the sequence of tree reads and writes that the
// rollup AIR checks, one op per leaf touched, with every public value each op is checked
// against. The verifier derives it from what it trusts — the block as committed, the signature
// bits it computes itself — and from the receipts the prover claims; the prover derives the same
// program and executes it. The claims are thereby bound by the proof: a false claim yields a
// program that no trace satisfies.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "air/op_kind.hpp"
#include "smt/key_set.hpp"
#include "codec/objects.hpp"
#include "core/error.hpp"
#include "vm/state.hpp"

namespace rollup::air {

using field::Felt;
using hash::Digest;

/// One op and its public values (docs/air.md §3.2). For state ops the balance rule is
///   new_balance = old_balance + delta, new_nonce = old_nonce + inc,
///   nonce_eq  => old_nonce == nonce,  bad_nonce => old_nonce != nonce,
///   a1 * old_balance + a2 * new_balance + a3 in [0, 2^53),  b1 * old_balance + b3 in [0, 2^55).
struct Op {
  OpKind kind = OpKind::pad;
  std::array<Felt, 8> key{};  ///< state ops: the key's u32 words; key ops: packed limbs, then 0
  Felt delta, inc, nonce;
  bool nonce_eq = false;
  bool bad_nonce = false;
  Felt a1, a2, a3;
  Felt b1, b3;
  bool insert = false;        ///< key_low: relink to the key (insertion) rather than prove absence
  std::uint32_t receipt = 0;  ///< index of the receipt the op belongs to (for diagnostics)
  /// State ops: the account's full key, for the prover to find the account (accounts are indexed
  /// by their full key; `key` holds smt::account_key_words of it, an ECgFp5 key's id). Neither the
  /// AIR nor program_digest reads it.
  PublicKey account{};
};

/// What the prover claims about one receipt, beyond what the verifier knows. Encoded in one
/// byte: bits 0-2 the reason (vm::Reason order), bit 3 to_new, bit 4 fee_new, bit 5 at_fee.
struct ReceiptClaim {
  vm::Reason reason = vm::Reason::none;
  bool to_new = false;   ///< `to` had no account: created (ok), or absent (balance_overflow)
  bool fee_new = false;  ///< ok: the fee recipient gets its account from this receipt's fee
  bool at_fee = false;   ///< balance_overflow: the fee recipient's credit overflows, not `to`'s
  bool operator==(const ReceiptClaim&) const = default;
};
std::uint8_t encode_claim(const ReceiptClaim& claim);
/// Errc::rejected for a byte that encodes no claim.
Result<ReceiptClaim> decode_claim(std::uint8_t byte);

/// The program and what the claims imply: the receipts, the withdrawals the block pays on L1,
/// the deposits it refunds, and how many accounts it creates.
struct Program {
  std::vector<Op> ops;
  std::vector<vm::Receipt> receipts;
  std::vector<vm::Withdrawal> withdrawals;
  std::vector<std::uint64_t> failed_deposits;  ///< deposit queue indices
  std::uint64_t created = 0;
};

/// How a program credits the fees of a block's txs to its fee recipient (docs/air.md §3.2).
enum class FeeCredits : std::uint8_t {
  /// One credit op per fee (proofs of format version 1).
  per_tx = 1,
  /// The fees are summed in the program and written by one credit op, just before the next op
  /// on the fee recipient's key and at the block's end (version 2): one op per block instead of
  /// one per tx.
  deferred = 2,
};

/// Key ids (smt::account_key_bytes) a caller has from elsewhere, sorted by key, one per key: an
/// ecgfp5 rollup's verifier takes those its signature proof proves (docs/air.md §6.1) rather
/// than hash them.
using KnownKeyIds = std::vector<std::pair<PublicKey, Hash32>>;

/// Derives the program of `block` from one claim per receipt (deposits, then the namespace's
/// txs). Errc::rejected when the claims contradict the public data (a bad-signature claim for a
/// tx whose signature is valid, or the reverse; a reason a deposit cannot have; ...).
/// `tx_ids`, when given, are the namespace's txs' ids (Tx::id, one per tx, in order) for their
/// receipts, from a caller that computed them already (the verifier, to check the tx-list hash).
/// `known_ids`, when given, supply the key ids of the keys they hold; the others are hashed.
Result<Program> build_program(const codec::Block& block, const vm::RollupParams& params,
                              const std::vector<bool>& signature_ok,
                              std::span<const ReceiptClaim> claims,
                              FeeCredits fees = FeeCredits::deferred,
                              std::span<const Hash32> tx_ids = {},
                              const KnownKeyIds* known_ids = nullptr);

/// The eight little-endian u32 words of a key that the state tree's leaves hash: a state op's key.
std::array<Felt, 8> key_words(const PublicKey& key);

/// BLAKE2b-256 of the ops' canonical encoding: part of the AIR's public inputs.
Hash32 program_digest(std::span<const Op> ops);

}  // namespace rollup::air
