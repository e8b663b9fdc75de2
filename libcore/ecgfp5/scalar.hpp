#pragma once
// Integers modulo n, the prime order of the ECgFp5 group (n ~ 2^319, from the paper):
// the secret keys, nonces, challenges and signature responses. Arithmetic is constant time.
#include <array>
#include <cstdint>
#include <optional>
#include <span>

namespace rollup::ecgfp5 {

class Scalar {
 public:
  static constexpr std::size_t kLimbs = 5;
  static constexpr std::size_t kEncodedSize = 40;
  using Limbs = std::array<std::uint64_t, kLimbs>;
  using Bytes = std::array<std::uint8_t, kEncodedSize>;
  /// n =
  /// 1067993516717146951041484916571792702745057740581727230159139685185762082554198619328292418486241,
  /// little-endian 64-bit limbs.
  static constexpr Limbs kOrder = {0xE80FD996948BFFE1ULL, 0xE8885C39D724A09CULL,
                                   0x7FFFFFE6CFB80639ULL, 0x7FFFFFF100000016ULL,
                                   0x7FFFFFFD80000007ULL};
  /// Signed window width of scalar multiplication: digits in [-15, 16], 64 of them.
  static constexpr unsigned kWindow = 5;
  static constexpr std::size_t kDigits = 64;

  constexpr Scalar() = default;
  /// A small value (always < n).
  static constexpr Scalar from_u64(std::uint64_t v) {
    Scalar s;
    s.limbs_[0] = v;
    return s;
  }
  /// Limbs of a value < n (checked by the callers that build one from outside data).
  static constexpr Scalar from_limbs_unchecked(const Limbs& limbs) {
    Scalar s;
    s.limbs_ = limbs;
    return s;
  }

  Scalar operator+(const Scalar& o) const;
  Scalar operator-(const Scalar& o) const;
  Scalar operator-() const { return Scalar() - *this; }
  Scalar operator*(const Scalar& o) const;

  const Limbs& limbs() const { return limbs_; }
  bool operator==(const Scalar& o) const;
  bool is_zero() const { return *this == Scalar(); }

  /// The canonical 40 bytes, little-endian.
  Bytes to_bytes() const;
  /// Inverse of to_bytes: rejects a value >= n, so that each scalar has one encoding (a signature's
  /// s cannot be replaced by s + n).
  static std::optional<Scalar> from_bytes(std::span<const std::uint8_t, kEncodedSize> bytes);
  /// Any number of bytes read as a little-endian integer, reduced mod n. From 64 uniform bytes the
  /// result is within 2^-190 of uniform: the way keys and nonces are drawn.
  static Scalar reduce_bytes(std::span<const std::uint8_t> bytes);

  /// The value as kDigits signed digits d_i in [-15, 16] with value = sum d_i 32^i (the top digit
  /// is nonnegative): the windows of scalar multiplication, computed without branches.
  std::array<std::int32_t, kDigits> signed_digits() const;

 private:
  /// a b / 2^320 mod n (Montgomery's product; limbs stay in the plain representation).
  static Scalar montgomery(const Scalar& a, const Scalar& b);
  friend struct ScalarConstants;
  Limbs limbs_{};
};

}  // namespace rollup::ecgfp5
