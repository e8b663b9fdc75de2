#pragma once
// Byte strings, fixed-size hashes and the little-endian writer used by every canonical encoding.
#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace rollup {

using Bytes = std::vector<std::uint8_t>;
using Hash32 = std::array<std::uint8_t, 32>;

/// A byte string of one of a few fixed lengths, at most `Max` bytes, held inline: account keys and
/// signatures, whose length depends on the rollup's signature scheme (Ed25519: 32-byte keys and
/// 64-byte signatures; ECgFp5 Schnorr: 40 and 80, docs/formats.md). A default-constructed value
/// is `Default` zero bytes, the Ed25519 length, so that code written for Ed25519 keys, and every
/// encoding of an Ed25519 rollup, is unchanged. Compares by length, then bytes.
template <std::size_t Max, std::size_t Default>
class SizedBytes {
 public:
  static constexpr std::size_t kMaxSize = Max;
  constexpr SizedBytes() = default;
  /// From a fixed-size array (a libsodium key, a 40-byte ECgFp5 encoding).
  template <std::size_t N>
    requires(N <= Max)
  constexpr SizedBytes(const std::array<std::uint8_t, N>& bytes) : size_(N) {  // NOLINT: implicit on purpose
    std::copy(bytes.begin(), bytes.end(), bytes_.begin());
  }
  /// A zero value of `size` bytes (size <= Max).
  static constexpr SizedBytes zero(std::size_t size) {
    SizedBytes out;
    out.size_ = static_cast<std::uint8_t>(std::min(size, Max));
    return out;
  }
  /// Copies `bytes`; false (leaving *this unchanged) when they are longer than Max.
  bool assign(std::span<const std::uint8_t> bytes) {
    if (bytes.size() > Max) return false;
    bytes_.fill(0);
    std::copy(bytes.begin(), bytes.end(), bytes_.begin());
    size_ = static_cast<std::uint8_t>(bytes.size());
    return true;
  }

  constexpr std::size_t size() const { return size_; }
  constexpr const std::uint8_t* data() const { return bytes_.data(); }
  constexpr std::uint8_t* data() { return bytes_.data(); }
  constexpr const std::uint8_t* begin() const { return bytes_.data(); }
  constexpr const std::uint8_t* end() const { return bytes_.data() + size_; }
  constexpr std::uint8_t* begin() { return bytes_.data(); }
  constexpr std::uint8_t* end() { return bytes_.data() + size_; }
  constexpr std::uint8_t operator[](std::size_t i) const { return bytes_[i]; }
  constexpr std::uint8_t& operator[](std::size_t i) { return bytes_[i]; }
  std::span<const std::uint8_t> span() const { return {data(), size()}; }

  // Bytes past size_ are always zero, so comparing whole arrays after the sizes is exact.
  constexpr bool operator==(const SizedBytes&) const = default;
  constexpr auto operator<=>(const SizedBytes& o) const {
    if (auto c = size_ <=> o.size_; c != 0) return c;
    return bytes_ <=> o.bytes_;
  }

 private:
  std::array<std::uint8_t, Max> bytes_{};
  std::uint8_t size_ = Default;
};

/// An account key: 32 bytes (Ed25519) or 40 (ECgFp5, the encoding w of the point).
using PublicKey = SizedBytes<40, 32>;
/// An account signature: 64 bytes (Ed25519) or 80 (ECgFp5 Schnorr, R || s).
using Signature = SizedBytes<80, 64>;
/// The lengths a key or a signature may have in any rollup; which one a given rollup takes is its
/// signature scheme's (crypto::key_size, crypto::signature_size).
inline constexpr std::array<std::size_t, 2> kAccountKeySizes{32, 40};
inline constexpr std::array<std::size_t, 2> kSignatureSizes{64, 80};

/// Lowercase hex with a 0x prefix.
std::string to_hex(std::span<const std::uint8_t> bytes);

/// Parses 0x-prefixed hex of exactly `expected_len` bytes (any length when expected_len < 0).
Result<Bytes> from_hex(std::string_view text, long expected_len = -1);

/// Decodes exactly 2*out.size() lowercase hex digits (no prefix); false on any other input.
bool decode_hex_into(std::string_view digits, std::span<std::uint8_t> out);

template <typename T, std::size_t K>
Result<T> from_hex_sized(std::string_view text, const std::array<std::size_t, K>& sizes) {
  auto bytes = from_hex(text);
  if (!bytes) return std::unexpected(bytes.error());
  if (std::find(sizes.begin(), sizes.end(), bytes->size()) == sizes.end()) {
    std::string allowed;
    for (std::size_t i = 0; i < K; ++i) allowed += (i ? (i + 1 == K ? " or " : ", ") : "") + std::to_string(sizes[i]);
    return fail(Errc::bad_input, "hex must be " + allowed + " bytes, got " + std::to_string(bytes->size()));
  }
  T out;
  out.assign(*bytes);
  return out;
}
/// An account key (32 or 40 bytes) or a signature (64 or 80 bytes) in hex.
inline Result<PublicKey> key_from_hex(std::string_view text) { return from_hex_sized<PublicKey>(text, kAccountKeySizes); }
inline Result<Signature> signature_from_hex(std::string_view text) {
  return from_hex_sized<Signature>(text, kSignatureSizes);
}

template <std::size_t N>
Result<std::array<std::uint8_t, N>> from_hex_fixed(std::string_view text) {
  auto bytes = from_hex(text, static_cast<long>(N));
  if (!bytes) return std::unexpected(bytes.error());
  std::array<std::uint8_t, N> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

/// Appends fixed-width little-endian integers and raw bytes: the building block of the
/// canonical encodings that are hashed and signed (never JSON text).
class ByteWriter {
 public:
  explicit ByteWriter(std::string_view domain_tag = {}) { raw(domain_tag); }
  ByteWriter& u8(std::uint8_t v) {
    out_.push_back(v);
    return *this;
  }
  ByteWriter& u32(std::uint32_t v) { return le(v, 4); }
  ByteWriter& u64(std::uint64_t v) { return le(v, 8); }
  ByteWriter& raw(std::span<const std::uint8_t> b) {
    out_.insert(out_.end(), b.begin(), b.end());
    return *this;
  }
  ByteWriter& raw(std::string_view s) {
    out_.insert(out_.end(), s.begin(), s.end());
    return *this;
  }
  /// Room for `n` more bytes, so that a long encoding of known size grows once.
  ByteWriter& reserve(std::size_t n) {
    out_.reserve(out_.size() + n);
    return *this;
  }
  const Bytes& bytes() const { return out_; }
  Bytes take() { return std::move(out_); }

 private:
  ByteWriter& le(std::uint64_t v, int n) {
    std::uint8_t little[8];
    for (int i = 0; i < n; ++i) little[i] = static_cast<std::uint8_t>(v >> (8 * i));
    out_.insert(out_.end(), little, little + n);
    return *this;
  }
  Bytes out_;
};

/// Reads what ByteWriter wrote; every read is bounds-checked so hostile bytes fail cleanly.
class ByteReader {
 public:
  explicit ByteReader(std::span<const std::uint8_t> data) : data_(data) {}
  bool u8(std::uint8_t& v) { return le(v, 1); }
  bool u32(std::uint32_t& v) { return le(v, 4); }
  bool u64(std::uint64_t& v) { return le(v, 8); }
  bool raw(std::span<std::uint8_t> out) {
    if (remaining() < out.size()) return false;
    std::copy_n(data_.begin() + pos_, out.size(), out.begin());
    pos_ += out.size();
    return true;
  }
  std::size_t remaining() const { return data_.size() - pos_; }
  bool done() const { return pos_ == data_.size(); }

 private:
  template <typename T>
  bool le(T& v, std::size_t n) {
    if (remaining() < n) return false;
    std::uint64_t acc = 0;
    for (std::size_t i = 0; i < n; ++i) acc |= std::uint64_t(data_[pos_ + i]) << (8 * i);
    v = static_cast<T>(acc);
    pos_ += n;
    return true;
  }
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
};

}  // namespace rollup
