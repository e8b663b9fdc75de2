#pragma once
// FRI with folding factor 4 (docs/stark.md §5), both sides in one module: the prover commits to
// each layer by cosets of four, folds it with a challenge from the transcript and sends the
// remainder's coefficients, then opens the cosets on each query's folding path; the verifier
// walks that path, checking each opening against its layer's root and each layer against the
// fold of the one before, down to the remainder. Both fold with fold_coset, at the points
// LayerDomain names. Internal to stark/.
#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "core/error.hpp"
#include "field/ext2.hpp"
#include "stark/merkle.hpp"
#include "stark/options.hpp"
#include "stark/proof.hpp"
#include "stark/rejection.hpp"
#include "stark/transcript.hpp"

namespace rollup::stark {
class FaultHook;
}

namespace rollup::stark::fri {

/// The evaluation domain of one layer: the coset shift * <w_size>, whose position i is the
/// point shift * w_size^i. Layer 0 is the LDE domain; each fold maps x to x^4.
struct LayerDomain {
  std::size_t size = 0;
  Felt shift;

  /// The number of cosets of four, hence of leaves in the layer's tree.
  std::size_t cosets() const { return size / kFoldingFactor; }
  Felt point(std::size_t position) const;
  /// The domain of the next layer: size / 4 points, shift^4.
  LayerDomain folded() const;
};

/// Where position p of a layer of `size` points sits: coset (leaf) p mod size/4, member p div
/// size/4. The coset's members are the points x w_4^k of the coset's first point x, and it
/// folds into position `leaf` of the next layer, the point x^4.
struct CosetIndex {
  std::size_t leaf = 0, member = 0;
};
CosetIndex locate(std::size_t position, std::size_t size);

/// The four values of coset `leaf` of a layer: positions leaf + k size/4, k = 0..3.
std::array<Ext2, 4> coset_values(std::span<const Ext2> layer, std::size_t leaf);

/// The fold, the one function both sides use. `values[k]` is f(x w_4^k) for the coset of x,
/// `x_inv` = 1/x; returns sum_m (beta/x)^m f_m(x^4) where f(X) = sum_m X^m f_m(X^4), the next
/// layer's value at x^4.
Ext2 fold_coset(const std::array<Ext2, 4>& values, Ext2 beta, Felt x_inv);

// ---- Prover.

/// Every committed layer with its tree, and the remainder's coefficients.
struct Commitment {
  std::vector<std::vector<Ext2>> layers;  ///< layer j's values on its domain, j < fri_layers
  std::vector<MerkleTree> trees;
  std::vector<Digest> roots;
  std::vector<Ext2> remainder;  ///< coefficients, lowest first
};

/// Commits to `evaluations` (the DEEP polynomial on the LDE domain `domain`) and folds it
/// shape.fri_layers times, absorbing each root and drawing each fold challenge from
/// `transcript`, then absorbs the remainder. Fails (Errc::internal) when the remainder exceeds
/// its degree bound, unless `faults` turns the prover's checks off.
Result<Commitment> commit(std::vector<Ext2> evaluations, const LayerDomain& domain,
                          const ProofShape& shape, Transcript& transcript, unsigned threads,
                          const FaultHook& faults);

/// The openings of one query at LDE position `position`: per layer, the coset on its folding
/// path and its Merkle path.
std::vector<FriLayerOpening> open(const Commitment& fri, std::size_t position);

// ---- Verifier.

/// What the verifier holds of a proof's FRI part: the roots, the remainder and the fold
/// challenges the transcript gave for them.
struct Claim {
  std::span<const Digest> roots;
  std::span<const Ext2> remainder;
  std::span<const Ext2> betas;
};

/// Absorbs the layer roots, drawing a fold challenge after each, then the remainder: the
/// transcript steps of commit(), replayed.
std::vector<Ext2> replay_challenges(Transcript& transcript, std::span<const Digest> roots,
                                    std::span<const Ext2> remainder);

/// Walks the folding path of LDE position `position` (in `domain`, layer 0's) through
/// `openings`, starting from `expected`, the value layer 0 must have there. Returns the first
/// failed check: deep_mismatch, fri_fold_mismatch, fri_root_mismatch or fri_remainder_mismatch.
std::optional<Rejected> verify_query(const Claim& claim, const LayerDomain& domain,
                                     std::size_t position, Ext2 expected,
                                     std::span<const FriLayerOpening> openings);

}  // namespace rollup::stark::fri
