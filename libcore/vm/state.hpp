#pragma once
// The rollup's account state (docs/design.md §6) and its state transition function. Everything here
// is in memory and deterministic; vm/executor.hpp persists it in the state file.
#include <optional>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "codec/objects.hpp"
#include "crypto/crypto.hpp"
#include "hash/rpo.hpp"
#include "smt/tree.hpp"

namespace rollup::l1 {
struct Config;
}

namespace rollup::vm {

using StateRoot = hash::Digest;

struct Account {
  PublicKey key{};
  std::uint64_t balance = 0;
  std::uint64_t nonce = 0;
};

/// Why a tx or deposit failed; `none` for success. The order of the checks is docs/design.md §6's.
enum class Reason {
  none,
  bad_signature,
  unknown_account,
  self_transfer,
  bad_nonce,
  insufficient_balance,
  balance_overflow,
};
std::string_view reason_name(Reason r);

enum class ReceiptKind { deposit, transfer, withdraw };

struct Receipt {
  ReceiptKind kind = ReceiptKind::transfer;
  std::uint64_t deposit_index = 0;  ///< for deposits
  Hash32 tx_id{};                   ///< for transfers and withdrawals
  Reason reason = Reason::none;
  bool ok() const { return reason == Reason::none; }
};

struct Withdrawal {
  PublicKey to{};  ///< the L1 account paid: same key as the L2 sender
  std::uint64_t amount = 0;
};

/// What applying one block did: the exec object of docs/formats.md, plus what the store needs.
struct BlockOutcome {
  std::uint64_t height = 0;
  Hash32 block_hash{};
  StateRoot pre_root{};
  StateRoot post_root{};
  std::vector<Receipt> receipts;
  std::vector<Withdrawal> withdrawals;
  std::vector<std::uint64_t> touched;        ///< account indices written, ascending
  std::vector<smt::NodeUpdate> node_updates;  ///< tree nodes that changed
  std::uint64_t account_count = 0;
};

/// One account as a deposit or tx found it and left it (rollup-replay's trace).
struct AccountChange {
  std::uint64_t index = 0;
  Account before{};  ///< balance and nonce 0 for an account this receipt created
  Account after{};
};

/// What one deposit or tx of a block did, handed to a ReceiptObserver at the end of its block.
struct ReceiptTrace {
  std::size_t position = 0;  ///< in the block's receipts: deposits first, then the txs
  const Receipt* receipt = nullptr;
  std::span<const AccountChange> changes;  ///< ascending index; empty for a failed receipt
  /// The tree's root before and after this receipt; set only when the observer wants roots.
  StateRoot root_before{};
  StateRoot root_after{};
};

/// Sees each receipt of State::apply_block as it is made (rollup-replay, rollup-bisect).
/// Observing changes no result of the STF: receipts, withdrawals, touched accounts and roots are
/// those of an unobserved run.
class ReceiptObserver {
 public:
  virtual ~ReceiptObserver() = default;
  /// When true the tree is rehashed after every receipt (the paths of the leaves it touched), so
  /// that each trace carries its roots; the block's node_updates then hold every node written
  /// during the block at its last value. When false the tree is hashed once per block as usual.
  virtual bool wants_roots() const { return false; }
  virtual void on_receipt(const ReceiptTrace& trace) = 0;
};

/// Which rollup a block is applied for: its txs are the block's namespace `namespace_id`, and
/// signatures are checked over messages with this `chain_id` and `namespace_id`, under the
/// rollup's signature `scheme` (the contract's, l1::Config::sig_scheme).
struct RollupParams {
  std::uint64_t chain_id = 0;
  std::uint32_t namespace_id = 0;
  crypto::SignatureScheme scheme = crypto::kDefaultScheme;
};

/// The rollup of a contract's config: chain id, namespace and signature scheme.
RollupParams params_of(const l1::Config& config);

/// True when `tx` is signed for this rollup (its chain id and namespace) by its sender, under the
/// rollup's scheme: a key or signature of another scheme fails like a forged one.
bool tx_signature_valid(const codec::Tx& tx, const RollupParams& params);

struct KeyHash {
  std::size_t operator()(const PublicKey& k) const noexcept {
    std::size_t h;
    std::memcpy(&h, k.data(), sizeof h);  // keys are uniformly random
    return h;
  }
};

class State {
 public:
  State() = default;

  std::optional<std::uint64_t> index_of(const PublicKey& key) const;
  const Account& account(std::uint64_t index) const { return accounts_[index]; }
  std::uint64_t size() const { return accounts_.size(); }
  StateRoot root() const { return tree_.root(); }
  const smt::Tree& tree() const { return tree_; }

  /// Adds accounts in index order (genesis, or the stored state) and hashes their leaves and
  /// the tree above them; returns every node it made.
  std::vector<smt::NodeUpdate> load_accounts(const std::vector<Account>& accounts, unsigned threads);

  /// Applies `block` with the STF. `signature_ok[i]` tells whether tx i of the namespace has a
  /// valid signature (see check_signatures, which callers run first, in parallel).
  /// `observer`, when given, sees every receipt with the accounts it changed.
  BlockOutcome apply_block(const codec::Block& block, const RollupParams& params,
                           const std::vector<bool>& signature_ok, unsigned threads,
                           ReceiptObserver* observer = nullptr);

 private:
  /// Tentative balances during one tx, so that a failed tx leaves nothing behind.
  struct Credit;
  void add_account(const Account& account);
  std::uint64_t ensure_account(const PublicKey& key);
  Reason apply_transfer(const codec::Tx& tx, const PublicKey& fee_recipient, bool signature_ok,
                        std::vector<Withdrawal>& withdrawals);
  void touch(std::uint64_t index);
  /// Collects one receipt's changes for the observer (see apply_block).
  class ReceiptTracer;

  /// The slot of index_slots_ holding `key`'s account, or the empty one where it would go.
  std::size_t slot_of(const PublicKey& key) const;
  /// Makes index_of find accounts_[index], whose key has no account yet.
  void index_account(std::uint64_t index);

  std::vector<Account> accounts_;
  /// index_of's table: open addressing over accounts_, each slot an account index plus one
  /// (0: empty), at most half full. Flat rather than a node per account, so that copying a
  /// state with a million accounts (the prover's post-state, once per block) is a few memcpys.
  std::vector<std::uint64_t> index_slots_;
  smt::Tree tree_;
  std::vector<std::uint64_t> touched_;
  std::vector<bool> touched_flag_;
  /// Indices touch()ed by the current receipt, kept only while an observer is tracing.
  bool tracing_ = false;
  std::vector<std::uint64_t> receipt_touched_;
};

/// The txs of the rollup's namespace in `block` (empty when the block has none for it).
const std::vector<codec::Tx>& rollup_txs(const codec::Block& block, std::uint32_t namespace_id);

/// Checks every tx signature of the namespace over the rollup's chain id and namespace, on
/// `threads` threads.
std::vector<bool> check_signatures(const std::vector<codec::Tx>& txs, const RollupParams& params,
                                   unsigned threads);

/// One receipt as the exec object writes it: {"type":...,"status":"ok"|"failed"[,"reason":...]}.
void append_receipt_json(std::string& out, const Receipt& receipt);

/// The exec stream object (docs/formats.md).
std::string exec_to_json(const BlockOutcome& outcome);

std::string root_hex(const StateRoot& root);

/// What the contract reads of an exec line: the block and the roots it claims.
struct ExecClaim {
  std::uint64_t height = 0;
  Hash32 block_hash{};
  Hash32 pre_root{};
  Hash32 post_root{};
};
/// Parses an exec object strictly (every field of docs/formats.md, nothing else).
Result<ExecClaim> parse_exec_claim(const codec::Json& object);

}  // namespace rollup::vm
