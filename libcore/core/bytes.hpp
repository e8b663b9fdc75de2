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
using PublicKey = std::array<std::uint8_t, 32>;
using Signature = std::array<std::uint8_t, 64>;

/// Lowercase hex with a 0x prefix.
std::string to_hex(std::span<const std::uint8_t> bytes);

/// Parses 0x-prefixed hex of exactly `expected_len` bytes (any length when expected_len < 0).
Result<Bytes> from_hex(std::string_view text, long expected_len = -1);

/// Decodes exactly 2*out.size() lowercase hex digits (no prefix); false on any other input.
bool decode_hex_into(std::string_view digits, std::span<std::uint8_t> out);

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
  const Bytes& bytes() const { return out_; }
  Bytes take() { return std::move(out_); }

 private:
  ByteWriter& le(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
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
