#pragma once
// The prover's side of the rollup AIR: the state it proves from (accounts, state tree, key
// tree), the claims and op program of a block, the witness of each op (leaf position, old and
// new payloads, Merkle siblings) and the execution trace.
#include <optional>
#include <vector>

#include "smt/key_set.hpp"
#include "air/program.hpp"
#include "air/rollup_air.hpp"
#include "stark/air.hpp"
#include "vm/state.hpp"

namespace rollup::air {

/// The pre-state of the next block to prove: the STF's state plus the key tree over its keys.
class ProverState {
 public:
  /// Builds the key tree from the state's accounts (sorting their keys).
  ProverState(vm::State state, unsigned threads);
  ProverState(vm::State state, smt::KeyTree keys) : state_(std::move(state)), keys_(std::move(keys)) {}

  const vm::State& state() const { return state_; }
  const smt::KeyTree& keys() const { return keys_; }
  /// Applies a block without proving it (to replay the blocks below the first one proven).
  vm::BlockOutcome advance(const codec::Block& block, const vm::RollupParams& params,
                           unsigned threads);

 private:
  vm::State state_;
  smt::KeyTree keys_;
};

/// One op's private inputs (docs/air.md §4.4).
struct OpWitness {
  std::uint64_t position = 0;                 ///< leaf index in its tree
  std::array<Felt, 8> lane_key{};             ///< the leaf's first 8 hashed elements
  std::array<Felt, smt::kKeyLimbs> old_payload{};  ///< balance, nonce, 0, 0, 0 or the next key
  std::array<Felt, smt::kKeyLimbs> new_payload{};
  std::vector<Digest> siblings;               ///< `depth` siblings, leaf level first
  std::array<Felt, smt::kKeyLimbs> link{};         ///< key_low and key_new: the low leaf's old next
};

/// The leftmost node (index 0) of every level of both trees before and after a block's ops: the
/// subtree root at any depth, and (level smt::kDepth) the root.
struct LeftNodes {
  std::array<Digest, smt::kDepth + 1> pre_state{}, pre_keys{}, post_state{}, post_keys{};
};

struct BlockWitness {
  BlockPublics publics;
  std::vector<ReceiptClaim> claims;
  Program program;
  std::vector<OpWitness> ops;
  vm::BlockOutcome outcome;  ///< the STF's own result (vm::State::apply_block)
  vm::State post_state;
  smt::KeyTree post_keys;
  LeftNodes left_nodes;  ///< of the trees as the ops left them (the STF's, when honest)
};

/// The claims a block's receipts make (to_new, fee_new, at_fee follow from the pre-state).
std::vector<ReceiptClaim> derive_claims(const vm::State& pre, const codec::Block& block,
                                        const vm::RollupParams& params,
                                        const std::vector<vm::Receipt>& receipts);

/// make_witness before the subtree depth is known (a range's is known after its last block):
/// every op's path has all smt::kDepth siblings and the publics lack the depth, the subtree roots
/// and the post roots, until set_depth.
Result<BlockWitness> make_full_witness(const ProverState& state, const codec::Block& block,
                                       const vm::RollupParams& params,
                                       const std::vector<bool>& signature_ok, unsigned threads,
                                       const std::vector<ReceiptClaim>* forced_claims = nullptr);

/// Finishes a make_full_witness at subtree depth `depth` (0: the smallest that fits): the paths
/// cut to `depth` siblings, the publics' depth, subtree roots and post roots.
Status set_depth(BlockWitness& w, unsigned depth);

/// Runs the STF on a copy of the state, derives the claims and the program, and executes the
/// program against copies of both trees, recording each op's witness. Cross-checks the result
/// with the STF's (Errc::internal on disagreement). `forced_claims` replaces the derived claims
/// and skips the cross-checks: a cheating prover, for the malicious-prover tests only. `depth`
/// (0: the smallest that fits) forces the subtree depth: a range proof's blocks share one.
Result<BlockWitness> make_witness(const ProverState& state, const codec::Block& block,
                                  const vm::RollupParams& params,
                                  const std::vector<bool>& signature_ok, unsigned threads,
                                  const std::vector<ReceiptClaim>* forced_claims = nullptr,
                                  unsigned depth = 0);

/// The execution trace of `air`'s program with these op witnesses (docs/air.md §4).
stark::Trace build_trace(const RollupAir& air, const std::vector<OpWitness>& witness,
                         unsigned threads);

}  // namespace rollup::air
