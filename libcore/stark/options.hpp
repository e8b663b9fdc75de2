#pragma once
// Proof parameters and the conjectured-security estimate that both sides compute from them.
#include <cstddef>
#include <cstdint>
#include <string>

namespace rollup::stark {

/// FRI folds by 4 per layer: half as many layers (and Merkle paths per query) as folding by 2,
/// for four extension elements per leaf instead of two.
inline constexpr unsigned kFoldingFactor = 4;
/// The LDE domain is the coset kDomainOffset * <w_N>: 7 generates F_p^*, so the coset never
/// meets the trace domain or any other subgroup of order 2^k.
inline constexpr std::uint64_t kDomainOffset = 7;
/// Bits of the field challenges are drawn from (the quadratic extension of a 64-bit field).
inline constexpr unsigned kExtensionFieldBits = 128;
/// Collision resistance of BLAKE2b-256 commitments.
inline constexpr unsigned kHashCollisionBits = 128;
/// Default acceptance floor for the verifier and refusal floor for the prover.
inline constexpr unsigned kDefaultMinSecurityBits = 100;
/// The LDE cache when ProofOptions::lde_cache_bytes is left at kAutoLdeCache: the whole LDEs of
/// the trace and of the composition's segments when the trace's takes at most
/// kWholeLdeCacheLimit (the benchmark's realistic block: 50 columns x 2^22 points, 1.6 GiB, and
/// 7 extension segments, 448 MiB; its queries then read rows instead of recomputing cosets, and
/// it is proven in about 3.6 GiB), else kPartialLdeCacheBytes (half that block's trace LDE, so
/// that a range of two such blocks, whose own memory is twice the block's, still fits 4 GiB).
inline constexpr std::size_t kWholeLdeCacheLimit = std::size_t{2048} << 20;
inline constexpr std::size_t kPartialLdeCacheBytes = std::size_t{800} << 20;
inline constexpr std::size_t kAutoLdeCache = static_cast<std::size_t>(-1);

struct ProofOptions {
  unsigned blowup = 8;               ///< LDE blowup factor, a power of two in [2, 64]
  unsigned num_queries = 29;         ///< FRI query positions, drawn without repetition
  unsigned grinding_bits = 16;       ///< proof-of-work bits before the query positions
  unsigned max_remainder_size = 64;  ///< FRI stops folding once the degree bound is <= this
  /// The prover refuses and the verifier rejects parameters estimated below this many bits.
  unsigned min_security_bits = kDefaultMinSecurityBits;
  /// How much of the low-degree extensions (the trace's, w x blowup n elements, then the
  /// composition segments', D x blowup n extension elements) the prover may keep in memory
  /// between committing to them and evaluating the constraints and opening the queries. An LDE
  /// is made one coset of the trace domain at a time (w x n elements each); the trace's cosets
  /// take the budget first, the composition's what is left, and the cosets beyond it are
  /// recomputed from the coefficients when needed again (one size-n NTT per column each time).
  /// Trades memory for time only: the proof is the same. kAutoLdeCache: see kWholeLdeCacheLimit.
  std::size_t lde_cache_bytes = kAutoLdeCache;
};

/// The bytes of a trace LDE of `lde_bytes` and a composition LDE of `composition_lde_bytes` the
/// prover keeps under `options`.
std::size_t lde_cache_budget(const ProofOptions& options, std::size_t lde_bytes,
                             std::size_t composition_lde_bytes);

/// Parameters a verifier can pin (VerifyOptions::pinned): a proof must carry exactly these, so a
/// prover cannot trade queries for grinding, or anything for anything, even where the security
/// estimate would still clear the floor.
struct PinnedParams {
  unsigned blowup = 8;
  unsigned num_queries = 29;
  unsigned grinding_bits = 16;
  unsigned folding_factor = kFoldingFactor;
  unsigned max_remainder_size = 64;

  /// The parameters a prover run with `options` uses.
  static PinnedParams of(const ProofOptions& options);
  bool operator==(const PinnedParams&) const = default;
};

/// Conjectured security (ethSTARK, "toy problem" conjecture), in bits:
///   min(num_queries * log2(blowup) + grinding_bits,
///       kExtensionFieldBits - log2(lde_domain_size),
///       kHashCollisionBits).
/// Each query with rate 1/blowup conjecturally halves a cheating prover's chances log2(blowup)
/// times; grinding adds its bits to that; the field term bounds the DEEP/ALI challenges.
/// Only conjectured: the bound proven for these parameters is far lower (about 57 bits for the
/// defaults in the Johnson-bound regime; docs/stark.md §7 gives the formula and the figures).
unsigned conjectured_security_bits(unsigned log_blowup, unsigned num_queries,
                                   unsigned grinding_bits, unsigned log_lde_domain_size);

/// "blowup 8, 29 queries, 16 grinding bits, folding factor 4, remainder <= 64".
std::string describe(const PinnedParams& params);

}  // namespace rollup::stark
