#pragma once
// The STARK proof object and its versioned, fixed-width binary encoding. Every length in the
// encoding follows from the 13-byte header, so the decoder knows the exact size before reading
// anything else and rejects any other size; docs/stark.md gives the byte layout.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/error.hpp"
#include "field/ext2.hpp"
#include "stark/merkle.hpp"

namespace rollup::stark {

inline constexpr std::array<std::uint8_t, 4> kProofMagic = {'R', 'S', 'T', 'K'};
inline constexpr std::uint8_t kProofVersion = 1;
inline constexpr std::size_t kProofHeaderSize = 13;
/// The parameter limits already bound a proof below this (about 3.3 MiB at the extremes); it is
/// checked again before any allocation so that a change to the limits cannot open a hole.
inline constexpr std::size_t kMaxProofSize = std::size_t{8} << 20;

/// The parameters a proof carries (and binds into its transcript).
struct ProofParams {
  unsigned log_blowup = 0;
  unsigned num_queries = 0;
  unsigned grinding_bits = 0;
  unsigned log_max_remainder = 0;
  unsigned log_trace_length = 0;
  unsigned trace_width = 0;
  unsigned num_segments = 0;  ///< composition polynomial segments, each of degree < n
  bool operator==(const ProofParams&) const = default;
};

/// Everything the parameters imply about a proof's layout.
struct ProofShape {
  unsigned log_lde_size = 0;
  std::size_t lde_size = 0;
  unsigned fri_layers = 0;         ///< committed FRI layers (folds), each folding by 4
  std::size_t remainder_size = 0;  ///< coefficients of the final polynomial sent in the clear
  std::size_t query_size = 0;      ///< encoded bytes of one query's openings
  std::size_t encoded_size = 0;    ///< total encoded bytes
  unsigned security_bits = 0;
};

/// Checks every parameter against its limit (Errc::bad_input naming the first one that fails)
/// and derives the layout.
Result<ProofShape> proof_shape(const ProofParams& params);

/// The 13-byte header: magic, version, folding factor, then the parameters, one byte each.
Bytes encode_params(const ProofParams& params);

struct FriLayerOpening {
  std::array<Ext2, 4> values;  ///< the folding coset: positions j + k * size/4, k = 0..3
  std::vector<Digest> path;
};

struct QueryOpening {
  std::vector<Felt> trace_row;
  std::vector<Digest> trace_path;
  std::vector<Ext2> composition_row;
  std::vector<Digest> composition_path;
  std::vector<FriLayerOpening> fri;
};

/// Wall-clock seconds per prover phase; kept with the proof for benchmarks, never encoded.
struct ProverTimings {
  double trace = 0;        ///< trace checks, LDE and commitment
  double constraints = 0;  ///< constraint evaluation over the LDE domain
  double composition = 0;  ///< composition interpolation, segment LDE and commitment
  double deep = 0;         ///< out-of-domain evaluation and DEEP composition
  double fri = 0;          ///< FRI layers and remainder
  double grinding = 0;     ///< the proof-of-work search
  double queries = 0;      ///< opening the query positions
  double total = 0;
};

struct Proof {
  ProofParams params;
  Digest trace_root{};
  Digest composition_root{};
  std::vector<Ext2> ood_current;      ///< trace columns at z
  std::vector<Ext2> ood_next;         ///< trace columns at z * w
  std::vector<Ext2> ood_composition;  ///< composition segments at z
  std::vector<Digest> fri_roots;
  std::vector<Ext2> fri_remainder;    ///< coefficients, lowest first
  std::uint64_t pow_nonce = 0;
  std::vector<QueryOpening> queries;  ///< in the order the positions were drawn
  ProverTimings timings;
};

/// Encodes a proof whose vectors have the sizes its parameters imply (Errc::internal if not).
Result<Bytes> serialize(const Proof& proof);
/// Strict decoding: magic, version, parameter limits, exact total size, canonical field
/// elements; anything else is Errc::rejected with the reason.
Result<Proof> deserialize(std::span<const std::uint8_t> bytes);

/// Where each section of an encoded proof starts, for tools and for the tamper tests:
/// (name, offset) in order; names are header, trace_root, composition_root, ood, fri_roots,
/// fri_remainder, pow_nonce, query0, query1, ...
std::vector<std::pair<std::string, std::size_t>> proof_sections(const ProofParams& params);

/// Standard base64 with padding (for carrying proofs in JSON).
std::string to_base64(std::span<const std::uint8_t> bytes);
/// Strict inverse of to_base64: no whitespace, padding required.
Result<Bytes> from_base64(std::string_view text);

}  // namespace rollup::stark
