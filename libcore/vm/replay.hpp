#pragma once
// Debugging the state (docs/architecture.md, "History and debugging"): blocks re-executed with a
// trace of every receipt (rollup-replay), the accounts that differ between two states
// (rollup-diff), and the first height and receipt at which two histories part (rollup-bisect).
// Nothing here writes the state file.
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "l1/contract.hpp"
#include "vm/state.hpp"

namespace rollup::store {
class Db;
}

namespace rollup::vm {

/// What the executor stored for one block in the state file.
struct StoredExec {
  std::uint64_t height = 0;
  Hash32 block_hash{};
  Hash32 pre_root{};
  Hash32 post_root{};
  std::string exec_line;
};

/// The stored block at `height`; nullopt when the executor has not stored it.
Result<std::optional<StoredExec>> stored_exec(store::Db& db, std::uint64_t height);

/// The chain id and namespace the contract's blocks are applied with.
Result<RollupParams> rollup_params(l1::Contract& contract);
/// The block the contract committed at `height` (Errc::rejected when there is none).
Result<codec::Block> block_committed_at(l1::Contract& contract, std::uint64_t height);
/// The contract's verified roots by height, the genesis root (height 0) included.
Result<std::map<std::uint64_t, Hash32>> verified_roots(l1::Contract& contract);

/// The "replay" stream object of one receipt (docs/formats.md): height, position, the receipt,
/// the roots around it and every account it changed, before and after.
std::string replay_to_json(std::uint64_t height, const ReceiptTrace& trace);

/// Re-executes blocks on an in-memory state, one receipt at a time with its roots, and compares
/// each block's post root with what the state file and the contract hold for that height.
class Replayer {
 public:
  /// The state just after `from` (vm::state_at), on `threads` threads.
  static Result<Replayer> open(store::Db& db, l1::Contract& contract, std::uint64_t from, unsigned threads);

  std::uint64_t height() const { return height_; }
  const State& state() const { return state_; }
  const RollupParams& params() const { return params_; }

  /// Applies `block`, which must be at height() + 1, handing each receipt's trace to
  /// `on_receipt`. `signatures`, when given, are the block's check_signatures bits.
  Result<BlockOutcome> apply(const codec::Block& block, const std::function<void(const ReceiptTrace&)>& on_receipt,
                             const std::vector<bool>* signatures = nullptr);

  /// Where the post root of a replayed block disagrees with the state file's stored root or
  /// the contract's verified root at its height, a sentence saying so; nullopt when every root
  /// there is agrees (a height with neither has nothing to disagree with).
  Result<std::optional<std::string>> check(const BlockOutcome& outcome);

 private:
  Replayer(store::Db& db, State state, RollupParams params, std::uint64_t height, unsigned threads)
      : db_(&db), state_(std::move(state)), params_(params), height_(height), threads_(threads) {}

  store::Db* db_;
  State state_;
  RollupParams params_;
  std::uint64_t height_;
  unsigned threads_;
  std::optional<std::map<std::uint64_t, Hash32>> verified_;
};

/// Checks each block's signatures on another thread while the block before it is applied, as
/// rollup-exec's pipeline does: the two costs overlap instead of adding up.
class SignatureLookahead {
 public:
  using Apply = std::function<Status(const codec::Block&, const std::vector<bool>& signatures)>;
  SignatureLookahead(RollupParams params, unsigned threads, Apply apply)
      : params_(params), threads_(threads), apply_(std::move(apply)) {}
  /// Starts on `block`'s signatures, then applies the block pushed before it (if any).
  Status push(codec::Block block);
  /// Applies the last block pushed.
  Status finish();

 private:
  struct Pending {
    codec::Block block;
    std::future<std::vector<bool>> signatures;
  };
  RollupParams params_;
  unsigned threads_;
  Apply apply_;
  std::optional<Pending> pending_;
};

// --- rollup-diff ---------------------------------------------------------------------------

/// One leaf index at which two states hold different accounts; nullopt: no account there.
struct AccountDifference {
  std::uint64_t index = 0;
  std::optional<Account> a;
  std::optional<Account> b;
};

/// Every index (ascending) whose account differs in key, balance or nonce, or exists on one side.
std::vector<AccountDifference> diff_states(const State& a, const State& b);

/// A state to compare, and where it came from.
struct StateSide {
  std::string name;  ///< the state file, as given
  std::uint64_t height = 0;
  State state;
};
/// The executor's current state in the file (`height` nullopt), or the state at `height`.
Result<StateSide> load_side(store::Db& db, l1::Contract& contract, std::string name,
                            std::optional<std::uint64_t> height, unsigned threads);

std::string difference_to_json(const AccountDifference& d);
std::string diff_summary_to_json(const StateSide& a, const StateSide& b, std::size_t differing);

// --- rollup-bisect -------------------------------------------------------------------------

/// The post-state root one side of a bisection holds at a height.
using RootSource = std::function<Result<Hash32>(std::uint64_t height)>;

struct RootDivergence {
  std::uint64_t height = 0;
  Hash32 a{};
  Hash32 b{};
};

/// The first height in [first, last] at which the sides' roots differ, by binary search: it
/// assumes that they agree below `first` and, once apart, stay apart (a root commits to the
/// whole state, and each block builds on the last). nullopt when they agree at `last`.
/// `probes`, when given, counts the heights looked at (2 + log2 of the range at most).
Result<std::optional<RootDivergence>> bisect_roots(std::uint64_t first, std::uint64_t last, const RootSource& a,
                                                   const RootSource& b, std::size_t* probes = nullptr);

/// One receipt of a block as one side saw it: the receipt and, where that side has them, the
/// roots around it (a stored block has no per-receipt roots).
struct ReceiptStep {
  Receipt receipt;
  std::optional<Hash32> root_before;
  std::optional<Hash32> root_after;
};

/// Applies `block` to `state`, receipt by receipt with roots; `post_root`, when given,
/// receives the block's post root.
std::vector<ReceiptStep> replay_receipt_steps(State& state, const RollupParams& params, const codec::Block& block,
                                              unsigned threads, Hash32* post_root = nullptr);
/// The receipts of a stored exec line, without roots.
Result<std::vector<ReceiptStep>> stored_receipt_steps(const StoredExec& stored);

/// The first position at which the two sides' receipts differ (kind, tx or deposit, status,
/// reason) or, where both have them, their roots after it; a receipt on one side only counts.
/// nullopt when every receipt agrees.
std::optional<std::size_t> first_different_receipt(const std::vector<ReceiptStep>& a,
                                                   const std::vector<ReceiptStep>& b);

/// A step as JSON ({"receipt":...,"root_before":...,"root_after":...}), or null when the side
/// has no receipt at that position.
std::string receipt_step_json(const std::vector<ReceiptStep>& steps, std::size_t position);

/// One side of a bisection, at the first height where the sides' roots differ.
struct BisectSide {
  std::string name;          ///< the state file, or "contract"
  std::uint64_t tip = 0;     ///< the highest height this side holds a root for
  Hash32 root{};             ///< its root at the divergent height
  std::optional<Hash32> block_hash;     ///< the block it holds at that height
  std::optional<Hash32> replayed_root;  ///< that block re-executed on the state below it
  std::vector<ReceiptStep> steps;       ///< the block's receipts on this side
};

struct BisectReport {
  std::optional<std::uint64_t> height;  ///< the first divergent height; nullopt: none
  BisectSide a, b;
  std::optional<std::size_t> receipt;   ///< the first receipt of that block that differs
  std::size_t probes = 0;               ///< heights whose roots were compared
  std::string note;                     ///< what the replays say about the cause, if anything
};

/// The first height at which two state files' executors stored different post roots (the
/// genesis roots count as height 0), found by binary search over the heights both hold; then
/// that block of each file's contract re-executed on each file's state below it, receipt by
/// receipt with roots, for the first receipt that differs.
Result<BisectReport> bisect_state_files(store::Db& a, l1::Contract& contract_a, std::string name_a, store::Db& b,
                                        l1::Contract& contract_b, std::string name_b, unsigned threads);
/// An exec object (a stored exec line, as rollup-serve's rollup_getReceipts answers it) read
/// back strictly.
Result<StoredExec> stored_exec_from_json(const codec::Json& object);

/// A side of a bisection held elsewhere (a rollup-serve the caller reaches): how high its
/// executor is, and its exec line at a height. Its answers are compared, never trusted.
struct RemoteHistory {
  std::string name;  ///< its URL
  std::uint64_t tip = 0;
  std::function<Result<codec::Json>(std::uint64_t height)> exec_line;
};
/// The same between a state file and a server: the file's stored roots against the post roots of
/// the server's exec lines (both start from the genesis root the file's contract pins); inside
/// the first divergent block, the contract's block re-executed on the file's state below it,
/// receipt by receipt, against the server's receipts.
Result<BisectReport> bisect_against_remote(store::Db& db, l1::Contract& contract, std::string name,
                                           const RemoteHistory& remote, unsigned threads);
/// The same between a state file's stored roots and its contract: the contract's verified root
/// where it has one, else the state at the verified height below (from the file's history, held
/// to the verified root) with the contract's committed blocks from there re-executed; a probe
/// costs the blocks since the last proof. Inside the first bad block, the stored receipts are
/// compared with the re-executed ones.
Result<BisectReport> bisect_against_contract(store::Db& db, l1::Contract& contract, std::string name,
                                             unsigned threads);

/// The "bisect" stream object (docs/formats.md).
std::string bisect_to_json(const BisectReport& report);
/// One sentence for a person: where the sides part, or that they do not.
std::string bisect_summary(const BisectReport& report);

}  // namespace rollup::vm
