#pragma once
// The rollup AIR (docs/air.md): one block's state transition as a sequence of ops, each a
// depth-`depth` Merkle path update hashed in the trace, old and new leaf side by side so that
// they share siblings and index bits. Ops take 8 * (2 + depth) rows: two RPO permutations for
// the leaf, one per level. The ops' public values reach the constraints through sparse periodic
// columns as long as the trace (sixteen in layout v1, nineteen in v2), which the verifier
// evaluates from the op program alone, in time linear in the number of ops.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "smt/key_set.hpp"
#include "air/program.hpp"
#include "hash/rpo.hpp"
#include "l1/contract.hpp"
#include "stark/air.hpp"
#include "stark/rpo_round.hpp"

namespace rollup::air {

using field::Ext2;

/// Trace columns (docs/air.md §4.1).
namespace col {
inline constexpr std::size_t kOld = 0;         ///< 12: RPO state of the old leaf's path
inline constexpr std::size_t kNew = 12;        ///< 12: RPO state of the new leaf's path
inline constexpr std::size_t kStateRoot = 24;  ///< 4: state subtree root before the op
inline constexpr std::size_t kKeyRoot = 28;    ///< 4: key subtree root before the op
inline constexpr std::size_t kCount = 32;      ///< account count before the op
inline constexpr std::size_t kIndex = 33;      ///< leaf index accumulated from the path bits
inline constexpr std::size_t kBit = 34;        ///< path bit at merge inputs; nonce inverse at row 8
inline constexpr std::size_t kAccA = 35;       ///< range check A: remaining value
inline constexpr std::size_t kBitA = 36;       ///< range check A: bit
inline constexpr std::size_t kAccB = 37;
inline constexpr std::size_t kBitB = 38;
inline constexpr std::size_t kFlags = 39;      ///< 5: first differing key limb (rows 0 and 8)
inline constexpr std::size_t kD1 = 44;         ///< key - low key - 1 at the first difference
inline constexpr std::size_t kLink = 45;       ///< 5: the low leaf's old next, for key_new
inline constexpr std::size_t kWidth = 50;
}  // namespace col

/// Periodic columns, in order (docs/air.md §4.2).
namespace per {
inline constexpr std::size_t kRound = 0;   ///< period 8: 1 on rows 0..6 of a permutation
inline constexpr std::size_t kArk1 = 1;    ///< 12, period 8
inline constexpr std::size_t kArk2 = 13;   ///< 12, period 8
inline constexpr std::size_t kRow0 = 25;   ///< period = op rows, from here on
inline constexpr std::size_t kLeaf = 26;   ///< row 7: leaf cycle 0 -> 1
inline constexpr std::size_t kRow8 = 27;
inline constexpr std::size_t kFirst = 28;  ///< row 15: into the first merge
inline constexpr std::size_t kMerge = 29;  ///< rows 8c + 7, c >= 2: into later merges
inline constexpr std::size_t kPow = 30;    ///< 2^level of the merge entered from this row
inline constexpr std::size_t kLast = 31;
inline constexpr std::size_t kHold = 32;   ///< rows 0..7
inline constexpr std::size_t kZeroA = 33;  ///< row 61
inline constexpr std::size_t kZeroB = 34;  ///< row 63
inline constexpr std::size_t kBin = 35;    ///< rows 0 and 8
inline constexpr std::size_t kPublic = 36; ///< sparse columns of period n: 16 (layout v1), 19 (v2)
inline constexpr std::size_t kPublicColumnsV1 = 16;
inline constexpr std::size_t kPublicColumns = 19;
inline constexpr std::size_t kCount = kPublic + kPublicColumns;  ///< the most of either layout
}  // namespace per

/// The AIR's two constraint layouts (docs/air.md §5.1), which accept exactly the same traces.
/// v1 reads every public value through a column shared by the op's public rows, times that row's
/// selector; v2 adds three columns that vanish on every row but one (public_col::sole) and reads
/// them without a selector, which brings every constraint outside the RPO rounds down to degree 3
/// (from 5), so that the prover evaluates them on a coset of 2n points instead of 4n. Proofs of
/// versions 1, 2 and 4 use v1; the prover writes v2 (docs/air.md §6).
enum class AirLayout : std::uint8_t { v1 = 1, v2 = 2 };

/// The public columns (periodic column per::kPublic + i), named by the op row that reads them:
/// they are zero off an op's rows 0, 8, 15 and R - 1, so each row reuses the first sixteen for
/// its own values (docs/air.md §4.3). The AIR writes them (`public_values`) and its constraints
/// read them by these names only.
namespace public_col {
namespace row0 {                            ///< the leaf's first permutation
inline constexpr std::size_t kKey = 0;      ///< 8: the key's u32 words, or packed limbs and 0s
inline constexpr std::size_t kTag = 8;      ///< leaf_capacity_tag of the op's kind
inline constexpr std::size_t kBindKey = 9;  ///< the lanes' key is kKey (binds_leaf_key)
inline constexpr std::size_t kKeyLow = 10;  ///< K_LOW: the low key is below kKey
}  // namespace row0
namespace row8 {                            ///< the payloads and the op's rules
inline constexpr std::size_t kDelta = 0;    ///< state ops: new - old balance
inline constexpr std::size_t kInc = 1;      ///< new - old nonce
inline constexpr std::size_t kNonce = 2;    ///< the nonce compared with the old one
inline constexpr std::size_t kA1 = 3, kA2 = 4, kA3 = 5;  ///< range check A's coefficients
inline constexpr std::size_t kB1 = 6, kB3 = 7;           ///< range check B's coefficients
inline constexpr std::size_t kKey = 0;      ///< K_LOW: 5 key limbs, in place of kDelta .. kA3
inline constexpr std::size_t kNonceEq = 8;
inline constexpr std::size_t kBadNonce = 9;
inline constexpr std::size_t kState = 10;   ///< is_state_op
inline constexpr std::size_t kKeyOp = 11;   ///< is_key_op
inline constexpr std::size_t kEmpty = 12;   ///< writes_empty_leaf
inline constexpr std::size_t kKeyLow = 13;  ///< K_LOW
inline constexpr std::size_t kInsert = 14;  ///< K_LOW that relinks its leaf to the key
inline constexpr std::size_t kKeyNew = 15;  ///< K_NEW: its payload is LINK
}  // namespace row8
namespace row15 {                           ///< into the first merge
inline constexpr std::size_t kEmpty = 0;    ///< the old leaf is empty: the zero digest
}  // namespace row15
namespace last {                               ///< row R - 1, the op's end
inline constexpr std::size_t kState = 0;       ///< the state root moves (is_state_op)
inline constexpr std::size_t kKeyOp = 1;       ///< the key root moves (is_key_op)
inline constexpr std::size_t kCreates = 2;     ///< the count grows (creates_account)
inline constexpr std::size_t kIndexIsCount = 3;  ///< the leaf index is the count (writes_empty_leaf)
inline constexpr std::size_t kNextKeyNew = 4;  ///< the next op is K_NEW: LINK carries over
}  // namespace last
namespace sole {  ///< layout v2 only: zero on every row but the one named, read without a selector
inline constexpr std::size_t kEmpty15 = 16;    ///< row 15: row15::kEmpty
inline constexpr std::size_t kState8 = 17;     ///< row 8: row8::kState
inline constexpr std::size_t kBadNonce8 = 18;  ///< row 8: row8::kBadNonce
}  // namespace sole
}  // namespace public_col

/// Subtree depths an op can have: 6 to 30 levels (ops of 8 to 32 permutations). With 6, 14 and
/// 30 an op's R = 8 (2 + depth) rows are a power of two and its row selectors periodic columns
/// of period R; with the others they are as long as the trace (docs/air.md §4.2).
inline constexpr unsigned kMinDepth = 6, kMaxDepth = 30;
bool valid_depth(unsigned depth);
/// The depth a prover picks for a subtree of `positions` leaves: 6 or 14 up to 2^14 positions,
/// the smallest that holds them above.
unsigned depth_for(std::uint64_t positions);

/// Everything the AIR's boundary constraints and transcript bind besides the program.
struct BlockPublics {
  std::uint64_t chain_id = 0;
  std::uint32_t namespace_id = 0;
  std::uint64_t height = 0;  ///< the first block's
  /// The hashes of the blocks at heights height, height + 1, ... in order (the program is theirs,
  /// concatenated). One block keeps the AIR id and public inputs it had before ranges existed.
  std::vector<Hash32> block_hashes;
  Hash32 pre_root{}, post_root{};  ///< depth-32 state roots
  smt::KeySetCommitment pre_keys, post_keys;
  unsigned depth = 14;
  /// Roots of the leftmost depth-`depth` subtrees; the verifier lifts them to the full roots.
  Digest sub_pre_state{}, sub_post_state{}, sub_pre_keys{}, sub_post_keys{};
};

class RollupAir : public stark::TypedAir<RollupAir> {
 public:
  /// `ops` are the program's real ops; pad ops fill the trace after them.
  RollupAir(BlockPublics publics, std::vector<Op> ops, AirLayout layout = AirLayout::v2);

  static std::size_t rows_per_op(unsigned depth) { return l1::rows_per_op(depth); }
  /// At least one pad op follows the program, so the last row holds the final registers. When R
  /// is not a power of two the trace ends inside a pad op, cut there.
  static std::size_t trace_length_for(std::size_t ops, unsigned depth);

  std::string id() const override {
    const bool range = publics_.block_hashes.size() > 1;
    if (layout_ == AirLayout::v1) return range ? "rollup/range/v1" : "rollup/block/v1";
    return range ? "rollup/range/v2" : "rollup/block/v2";
  }
  AirLayout layout() const { return layout_; }
  /// per::kPublicColumnsV1 or per::kPublicColumns.
  std::size_t public_columns() const;
  std::size_t trace_width() const override { return col::kWidth; }
  std::size_t trace_length() const override { return n_; }
  Bytes public_inputs() const override;
  std::vector<unsigned> transition_degrees() const override;
  std::vector<std::vector<Felt>> periodic_columns() const override;
  std::vector<std::size_t> periodic_periods() const override;
  bool periodic_values_at(const Ext2& z, std::span<Ext2> out) const override;
  std::vector<stark::BoundaryConstraint> boundary_constraints() const override;

  const BlockPublics& publics() const { return publics_; }
  const std::vector<Op>& ops() const { return ops_; }
  std::size_t op_rows() const { return op_rows_; }
  /// Op rows that carry public values, and the values op `o` puts there (docs/air.md §4.3): the
  /// first public_columns() of them.
  std::array<std::size_t, 4> public_rows() const { return {0, 8, 15, op_rows_ - 1}; }
  std::array<Felt, per::kPublicColumns> public_values(std::size_t o, std::size_t row) const;

  /// Always inlined: into its few callers (one per field type), and so into the vector kernels
  /// of TypedAir, which must not call it out of line (field/packed.hpp).
  template <class F>
  [[gnu::always_inline]] inline void evaluate(std::span<const F> cur, std::span<const F> next,
                                              std::span<const F> periodic, std::span<F> out) const;

  /// The head of the constraints (stark::Air::head_constraints): the RPO rounds of both lanes,
  /// the only constraints of degree 8; all others have degree 3 or less (5 in layout v1).
  static constexpr std::size_t kHeadConstraints = 2 * hash::kStateWidth;  ///< the first ones
  std::vector<std::size_t> head_constraints() const override;
  template <class F>
  [[gnu::always_inline]] inline void evaluate_head(std::span<const F> cur, std::span<const F> next,
                                                   std::span<const F> periodic, std::span<F> out) const;

 private:
  std::vector<std::vector<Felt>> structure_columns() const;

  BlockPublics publics_;
  std::vector<Op> ops_;
  AirLayout layout_;
  std::size_t op_rows_;
  std::size_t n_;
  Hash32 program_digest_;
  std::vector<std::vector<Felt>> structure_polys_;  ///< the short columns' coefficients
};

// ---- Constraint evaluation (docs/air.md §5 lists each constraint in this order).


template <class F>
void RollupAir::evaluate_head(std::span<const F> c, std::span<const F> x, std::span<const F> p,
                              std::span<F> out) const {
  using namespace col;
  constexpr std::size_t W = hash::kStateWidth;
  std::size_t k = 0;
  // 1. RPO rounds in both lanes: next^7 = MDS(S(MDS(cur) + ARK1)) + ARK2 on rows 0..6.
  for (std::size_t lane : {kOld, kNew}) {
    std::array<F, W> u;
    stark::rpo_round::image(&c[lane], &p[per::kArk1], &p[per::kArk2], u);
    for (std::size_t i = 0; i < W; ++i) out[k++] = p[per::kRound] * (stark::rpo_round::pow7(x[lane + i]) - u[i]);
  }
}

template <class F>
void RollupAir::evaluate(std::span<const F> c, std::span<const F> x, std::span<const F> p,
                         std::span<F> out) const {
  using namespace col;
  constexpr std::size_t W = hash::kStateWidth;
  evaluate_head<F>(c, x, p, out.first(kHeadConstraints));
  std::size_t k = kHeadConstraints;
  auto emit = [&](const F& v) { out[k++] = v; };
  const F one = F(Felt::one());
  const auto q = [&](std::size_t j) -> const F& { return p[per::kPublic + j]; };
  namespace q0 = public_col::row0;
  namespace q8 = public_col::row8;
  namespace q15 = public_col::row15;
  namespace qlast = public_col::last;
  constexpr std::size_t kKeyLimbs = smt::kKeyLimbs;
  const bool sole = layout_ == AirLayout::v2;

  // Key-limb comparison helpers over the flags F_0..F_4 (one-hot at the first difference).
  F flag_sum = c[kFlags];
  for (std::size_t j = 1; j < kKeyLimbs; ++j) flag_sum += c[kFlags + j];
  std::array<F, kKeyLimbs> suffix;  // suffix[i] = sum of flags after limb i
  suffix[kKeyLimbs - 1] = F(Felt::zero());
  for (std::size_t i = kKeyLimbs - 1; i-- > 0;) suffix[i] = suffix[i + 1] + c[kFlags + i + 1];

  // 2. Row 0 of an op: the leaf's first permutation, shared by both lanes.
  {
    const F& s0 = p[per::kRow0];
    for (std::size_t j = 0; j < W; ++j) emit(s0 * (c[kOld + j] - c[kNew + j]));
    emit(s0 * (c[kOld] - q(q0::kTag)));
    for (std::size_t j = 1; j < 4; ++j) emit(s0 * c[kOld + j]);
    for (std::size_t j = 0; j < 8; ++j) emit(s0 * q(q0::kBindKey) * (c[kOld + 4 + j] - q(q0::kKey + j)));
    for (std::size_t j = kKeyLimbs; j < 8; ++j) emit(s0 * q(q0::kKeyLow) * c[kOld + 4 + j]);
    emit(s0 * (flag_sum - q(q0::kKeyLow)));
    for (std::size_t i = 0; i + 1 < kKeyLimbs; ++i) emit(s0 * suffix[i] * (q(q0::kKey + i) - c[kOld + 4 + i]));
    F d1 = c[kD1] + q(q0::kKeyLow);
    for (std::size_t j = 0; j < kKeyLimbs; ++j) d1 -= c[kFlags + j] * (q(q0::kKey + j) - c[kOld + 4 + j]);
    emit(s0 * d1);
  }
  // 3. Flags are bits where they are read; d1 is held to row 8.
  for (std::size_t j = 0; j < kKeyLimbs; ++j)
    emit(p[per::kBin] * c[kFlags + j] * (c[kFlags + j] - one));
  emit(p[per::kHold] * (x[kD1] - c[kD1]));
  // 4. Into the leaf's second permutation: the capacity carries over.
  for (std::size_t j = 0; j < 4; ++j) {
    emit(p[per::kLeaf] * (x[kOld + j] - c[kOld + j]));
    emit(p[per::kLeaf] * (x[kNew + j] - c[kNew + j]));
  }
  // 5. Row 8: the payloads (balance and nonce, or the next key) and the op's rules.
  //    is_state_op and bad_nonce on row 8 only: a sole column in v2, the selector times the
  //    shared one in v1 (the same values on every row).
  {
    const F& s8 = p[per::kRow8];
    const F &bo = c[kOld + 4], &no = c[kOld + 5], &bn = c[kNew + 4], &nn = c[kNew + 5];
    const F &ky = q(q8::kKeyOp), &empty = q(q8::kEmpty), &kl = q(q8::kKeyLow), &ki = q(q8::kInsert),
            &kn = q(q8::kKeyNew);
    const F st8 = sole ? q(public_col::sole::kState8) : s8 * q(q8::kState);
    const F bad8 = sole ? q(public_col::sole::kBadNonce8) : s8 * q(q8::kBadNonce);
    for (std::size_t j = 6; j < W; ++j) {
      emit(st8 * c[kOld + j]);
      emit(st8 * c[kNew + j]);
    }
    for (std::size_t j = 4 + kKeyLimbs; j < W; ++j) {
      emit(s8 * ky * c[kOld + j]);
      emit(s8 * ky * c[kNew + j]);
    }
    emit(st8 * (bn - bo - q(q8::kDelta)));
    emit(st8 * (nn - no - q(q8::kInc)));
    emit(s8 * q(q8::kNonceEq) * (no - q(q8::kNonce)));
    emit(bad8 * ((no - q(q8::kNonce)) * c[kBit] - one));
    emit(s8 * empty * bo);
    emit(s8 * empty * no);
    emit(s8 * (c[kAccA] - kl * c[kD1]) - st8 * (q(q8::kA1) * bo + q(q8::kA2) * bn + q(q8::kA3)));
    F d2 = c[kAccB] + kl;
    for (std::size_t j = 0; j < kKeyLimbs; ++j) d2 -= c[kFlags + j] * (c[kOld + 4 + j] - q(q8::kKey + j));
    emit(s8 * d2 - st8 * (q(q8::kB1) * bo + q(q8::kB3)));
    emit(s8 * (flag_sum - kl));
    for (std::size_t i = 0; i + 1 < kKeyLimbs; ++i) emit(s8 * suffix[i] * (c[kOld + 4 + i] - q(q8::kKey + i)));
    for (std::size_t j = 0; j < kKeyLimbs; ++j)
      emit(s8 * (kl * c[kNew + 4 + j] - ki * q(q8::kKey + j) - (kl - ki) * c[kOld + 4 + j]));
    for (std::size_t j = 0; j < kKeyLimbs; ++j) emit(s8 * kl * (c[kLink + j] - c[kOld + 4 + j]));
    for (std::size_t j = 0; j < kKeyLimbs; ++j) emit(s8 * kn * (c[kNew + 4 + j] - c[kLink + j]));
  }
  // 6. Into a merge: capacity zero, the running digest on the side the path bit picks, the
  //    sibling shared by both lanes. Into the first merge an empty old leaf is the zero digest:
  //    the old digest is d (1 - e) with e the empty flag into the first merge, a sole column in
  //    v2 and smin * first * the shared one in v1 (the same values on every row).
  {
    const F smin = p[per::kFirst] + p[per::kMerge];
    const F& b = x[kBit];
    const F nb = one - b;
    const F empty_first = sole ? q(public_col::sole::kEmpty15) : smin * p[per::kFirst] * q(q15::kEmpty);
    for (std::size_t j = 0; j < 4; ++j) {
      emit(smin * x[kOld + j]);
      emit(smin * x[kNew + j]);
    }
    for (std::size_t j = 0; j < 4; ++j) {
      const F& d_old = c[kOld + 4 + j];
      const F& d_new = c[kNew + 4 + j];
      emit(smin * nb * (x[kOld + 4 + j] - d_old) + nb * d_old * empty_first);
      emit(smin * b * (x[kOld + 8 + j] - d_old) + b * d_old * empty_first);
      emit(smin * nb * (x[kNew + 4 + j] - d_new));
      emit(smin * b * (x[kNew + 8 + j] - d_new));
      emit(smin * (nb * (x[kOld + 8 + j] - x[kNew + 8 + j]) + b * (x[kOld + 4 + j] - x[kNew + 4 + j])));
    }
    emit(smin * b * (b - one));
  }
  // 7. The index accumulates 2^level * bit at each merge and restarts at every op.
  const F& sl = p[per::kLast];
  emit((one - sl) * (x[kIndex] - c[kIndex] - p[per::kPow] * x[kBit]) + sl * x[kIndex]);
  // 8. Op end: the old root is the tree's current root, the new root becomes it; the count.
  {
    const F &fs = q(qlast::kState), &fk = q(qlast::kKeyOp), &fc = q(qlast::kCreates), &fi = q(qlast::kIndexIsCount),
            &nk = q(qlast::kNextKeyNew);
    for (std::size_t j = 0; j < 4; ++j)
      emit(sl * (fs * (c[kOld + 4 + j] - c[kStateRoot + j]) + fk * (c[kOld + 4 + j] - c[kKeyRoot + j])));
    for (std::size_t j = 0; j < 4; ++j)
      emit(x[kStateRoot + j] - c[kStateRoot + j] - sl * fs * (c[kNew + 4 + j] - c[kStateRoot + j]));
    for (std::size_t j = 0; j < 4; ++j)
      emit(x[kKeyRoot + j] - c[kKeyRoot + j] - sl * fk * (c[kNew + 4 + j] - c[kKeyRoot + j]));
    emit(x[kCount] - c[kCount] - sl * fc);
    emit(sl * fi * (c[kIndex] - c[kCount]));
    const F link_kept = one - sl + sl * nk;
    for (std::size_t j = 0; j < kKeyLimbs; ++j) emit(link_kept * (x[kLink + j] - c[kLink + j]));
  }
  // 9. Range checks: bits shift out of the accumulators from row 8 on, which reach zero.
  {
    const F chain = one - p[per::kLeaf];
    emit(chain * (c[kAccA] - x[kAccA] - x[kAccA] - c[kBitA]));
    emit(chain * (c[kAccB] - x[kAccB] - x[kAccB] - c[kBitB]));
    emit(c[kBitA] * (c[kBitA] - one));
    emit(c[kBitB] * (c[kBitB] - one));
    emit(p[per::kZeroA] * c[kAccA]);
    emit(p[per::kZeroB] * c[kAccB]);
  }
}

}  // namespace rollup::air

// TypedAir's kernels (its vector loops, each flattened over evaluate) are compiled once, in
// rollup_air_kernels.cpp, not in every file that makes a RollupAir or calls them.
ROLLUP_AIR_KERNELS_EXTERN(rollup::air::RollupAir);
