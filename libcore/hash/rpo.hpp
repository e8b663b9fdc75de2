#pragma once
// Rescue-Prime Optimized (RPO) on Goldilocks, pinned to Miden's layout (docs/design.md §5) so that
// state roots agree with Miden's published vectors and stay fixed when the prover arrives:
// capacity = state[0..4], rate = state[4..12], digest = state[4..8], 7 rounds, alpha = 7.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "field/goldilocks.hpp"

namespace rollup::hash {

using Felt = rollup::field::Felt;
using State = std::array<Felt, 12>;
using Digest = std::array<Felt, 4>;

inline constexpr std::size_t kStateWidth = 12, kRate = 8, kCapacity = 4, kRounds = 7;
/// The first rate element; the digest is state[kRateStart .. kRateStart + 4].
inline constexpr std::size_t kRateStart = kCapacity;
inline constexpr std::uint64_t kAlpha = 7;
/// 7^-1 mod (p - 1): x -> x^kInvAlpha inverts x -> x^7.
inline constexpr std::uint64_t kInvAlpha = 10540996611094048183ULL;

/// The RPO permutation: per round MDS, +ARK1[r], x^7, MDS, +ARK2[r], x^(1/7).
void permute(State& s);

/// Sponge over field elements: state[0] = len % 8, absorbs 8 elements at a time into the rate,
/// zero-pads the last partial chunk; the empty input hashes to [0, 0, 0, 0].
Digest hash_elements(std::span<const Felt> elements);

/// Two-to-one compression for Merkle trees: a || b in the rate, zero capacity, one permutation.
/// Equals hash_elements of the 8 elements a || b.
Digest merge(const Digest& a, const Digest& b);

/// parents[i] = merge(children[2i], children[2i + 1]) for every i; children.size() must be
/// 2 * parents.size(). Independent merges share SIMD lanes where the CPU allows, so a batch costs
/// less per merge than a loop of merge() calls: the state tree hashes each level through this.
void merge_pairs(std::span<const Digest> children, std::span<Digest> parents);

/// permute() on every state, batched like merge_pairs.
void permute_many(std::span<State> states);

/// hash_elements of every input, their sponges run side by side: each absorption round permutes
/// all the inputs that still have a chunk with one permute_many, so many short inputs (a block's
/// key ids, its signature challenges) cost a fraction of as many hash_elements calls.
std::vector<Digest> hash_elements_many(std::span<const std::vector<Felt>> inputs);

/// The kernel set in use on this CPU: "avx512", "avx2" or "portable". One state at a time runs
/// the AVX2 kernel on both SIMD sets; the sets differ in how many states merge_pairs and
/// permute_many run side by side (8 or 4).
std::string_view backend();

namespace detail {
/// Kernel sets this CPU can run, the one in use first.
std::vector<std::string_view> backends();
/// permute_many and merge_pairs on a named kernel set, so that tests hold every set to the same
/// answers and the benchmark can compare them.
void permute_many(std::string_view backend, std::span<State> states);
void merge_pairs(std::string_view backend, std::span<const Digest> children,
                 std::span<Digest> parents);
void apply_round_many(std::string_view backend, std::span<State> states, std::size_t round);
}  // namespace detail

/// The 32-byte form: four elements, each u64 little-endian.
std::array<std::uint8_t, 32> digest_bytes(const Digest& d);

/// Inverse of digest_bytes; rejects an element >= p so that each digest has one encoding.
std::optional<Digest> digest_from_bytes(std::span<const std::uint8_t, 32> bytes);

/// Round constants and the MDS circulant's first row, for the STARK AIR that re-proves RPO.
const std::array<std::array<Felt, kStateWidth>, kRounds>& ark1();
const std::array<std::array<Felt, kStateWidth>, kRounds>& ark2();
/// state'[i] = sum_j mds_row()[(j - i) mod 12] * state[j].
const std::array<std::uint64_t, kStateWidth>& mds_row();

/// The S-box x^7 and its inverse x^kInvAlpha.
Felt pow7(Felt x);
Felt inv_pow7(Felt x);

/// The linear layer alone (exposed for the AIR and for tests of the fast path).
void apply_mds(State& s);
/// Round `round` (< kRounds) of the permutation alone: the AIR's trace records the state after
/// each round.
void apply_round(State& s, std::size_t round);
/// apply_round on every state, batched like permute_many: the trace builder runs many
/// independent permutations round by round.
void apply_round_many(std::span<State> states, std::size_t round);

}  // namespace rollup::hash
