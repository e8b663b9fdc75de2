#include "stark/transcript.hpp"

#include "crypto/crypto.hpp"

namespace rollup::stark {
namespace {

enum Op : std::uint8_t { kAbsorb = 1, kSqueeze = 2, kPow = 3 };

std::uint64_t read_u64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= std::uint64_t(p[i]) << (8 * i);
  return v;
}

bool leading_zero_bits(const Hash32& h, unsigned bits) {
  for (std::size_t i = 0; i < h.size() && bits > 0; ++i) {
    unsigned take = bits < 8 ? bits : 8;
    std::uint8_t mask = static_cast<std::uint8_t>(0xFF00u >> take);
    if ((h[i] & mask) != 0) return false;
    bits -= take;
  }
  return bits == 0;
}

}  // namespace

Transcript::Transcript(std::string_view protocol_tag) {
  ByteWriter w("rollup-stark:transcript:v1");
  w.u32(static_cast<std::uint32_t>(protocol_tag.size())).raw(protocol_tag);
  state_ = crypto::blake2b256(w.bytes());
}

void Transcript::absorb(std::string_view label, std::span<const std::uint8_t> data) {
  ByteWriter head;
  head.u8(kAbsorb).raw(state_).u32(static_cast<std::uint32_t>(label.size())).raw(label);
  head.u64(data.size());
  state_ = crypto::Blake2b().update(head.bytes()).update(data).finish();
}

void Transcript::absorb_felts(std::string_view label, std::span<const field::Felt> values) {
  ByteWriter w;
  for (auto v : values) w.u64(v.value());
  absorb(label, w.bytes());
}

void Transcript::absorb_ext(std::string_view label, std::span<const field::Ext2> values) {
  ByteWriter w;
  for (auto v : values) w.u64(v.real().value()).u64(v.imag().value());
  absorb(label, w.bytes());
}

Hash32 Transcript::squeeze(std::string_view label) {
  ByteWriter w;
  w.u8(kSqueeze).raw(state_).u32(static_cast<std::uint32_t>(label.size())).raw(label);
  state_ = crypto::blake2b256(w.bytes());
  return state_;
}

field::Felt Transcript::draw_felt(std::string_view label) {
  for (;;) {
    std::uint64_t v = read_u64(squeeze(label).data());
    if (v < field::Felt::kModulus) return field::Felt(v);
  }
}

field::Ext2 Transcript::draw_ext(std::string_view label) {
  field::Felt re = draw_felt(label);
  field::Felt im = draw_felt(label);
  return {re, im};
}

std::vector<std::size_t> Transcript::draw_positions(std::string_view label, std::size_t count,
                                                    std::size_t domain_size) {
  std::vector<std::size_t> out;
  if (domain_size == 0 || (domain_size & (domain_size - 1)) != 0 || count > domain_size)
    return out;  // callers validate; an empty answer can never pass a count check
  out.reserve(count);
  const std::uint64_t mask = domain_size - 1;
  while (out.size() < count) {
    Hash32 block = squeeze(label);
    for (std::size_t k = 0; k < 4 && out.size() < count; ++k) {
      auto pos = static_cast<std::size_t>(read_u64(block.data() + 8 * k) & mask);
      bool seen = false;
      for (auto p : out) seen = seen || p == pos;
      if (!seen) out.push_back(pos);
    }
  }
  return out;
}

bool Transcript::pow_ok(unsigned bits, std::uint64_t nonce) const {
  ByteWriter w;
  w.u8(kPow).raw(state_).u64(nonce);
  return leading_zero_bits(crypto::blake2b256(w.bytes()), bits);
}

std::uint64_t Transcript::grind(unsigned bits) const {
  std::uint64_t nonce = 0;
  while (!pow_ok(bits, nonce)) ++nonce;
  return nonce;
}

}  // namespace rollup::stark
