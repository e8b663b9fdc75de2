#pragma once
// The Fiat–Shamir transcript: a 32-byte BLAKE2b-256 chaining state. Every absorb and every draw
// rehashes the state together with an operation byte and a label, so the order and the meaning
// of each message are bound into every later challenge (docs/stark.md lists the exact order).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "field/ext2.hpp"
#include "field/goldilocks.hpp"

namespace rollup::stark {

class Transcript {
 public:
  /// state_0 = H("rollup-stark:transcript:v1" || u32 len || protocol_tag).
  explicit Transcript(std::string_view protocol_tag);

  /// state = H(0x01 || state || u32 len || label || u64 len || data).
  void absorb(std::string_view label, std::span<const std::uint8_t> data);
  void absorb_felts(std::string_view label, std::span<const field::Felt> values);
  void absorb_ext(std::string_view label, std::span<const field::Ext2> values);

  /// A uniform base-field element: the state is advanced (0x02 || state || u32 len || label) and
  /// its first 8 bytes, read little-endian, are used unless they are >= p, then it advances again.
  field::Felt draw_felt(std::string_view label);
  /// Two successive draw_felt values as (real, imaginary).
  field::Ext2 draw_ext(std::string_view label);
  /// `count` distinct positions in [0, domain_size) (a power of two at least `count`), in the
  /// order drawn: each advance yields four u64 words, each masked to the domain, repeats skipped.
  std::vector<std::size_t> draw_positions(std::string_view label, std::size_t count,
                                          std::size_t domain_size);

  /// True when H(0x03 || state || u64 nonce) starts with `bits` zero bits (big-endian order).
  bool pow_ok(unsigned bits, std::uint64_t nonce) const;
  /// The least nonce that passes pow_ok (the prover's grinding).
  std::uint64_t grind(unsigned bits) const;

  const Hash32& state() const { return state_; }

 private:
  Hash32 squeeze(std::string_view label);
  Hash32 state_{};
};

}  // namespace rollup::stark
