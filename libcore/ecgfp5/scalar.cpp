#include "ecgfp5/scalar.hpp"

namespace rollup::ecgfp5 {
namespace {

using u128 = unsigned __int128;
using Limbs = Scalar::Limbs;
constexpr std::size_t kLimbs = Scalar::kLimbs;
constexpr const Limbs& kN = Scalar::kOrder;

/// r = a - b over the limbs; returns the borrow out (1 when a < b).
constexpr std::uint64_t sub_limbs(const Limbs& a, const Limbs& b, Limbs& r) {
  std::uint64_t borrow = 0;
  for (std::size_t i = 0; i < kLimbs; ++i) {
    const u128 d = static_cast<u128>(a[i]) - b[i] - borrow;
    r[i] = static_cast<std::uint64_t>(d);
    borrow = static_cast<std::uint64_t>(d >> 64) & 1;
  }
  return borrow;
}

/// a when a < n, else a - n; a must be < 2n (which fits: n < 2^319).
constexpr Limbs reduce_once(const Limbs& a) {
  Limbs d{};
  const std::uint64_t keep = 0 - sub_limbs(a, kN, d);  // all ones when a < n
  Limbs r{};
  for (std::size_t i = 0; i < kLimbs; ++i) r[i] = d[i] ^ (keep & (d[i] ^ a[i]));
  return r;
}

constexpr Limbs add_mod(const Limbs& a, const Limbs& b) {
  Limbs s{};
  std::uint64_t carry = 0;
  for (std::size_t i = 0; i < kLimbs; ++i) {
    const u128 t = static_cast<u128>(a[i]) + b[i] + carry;
    s[i] = static_cast<std::uint64_t>(t);
    carry = static_cast<std::uint64_t>(t >> 64);
  }
  return reduce_once(s);  // a + b < 2n < 2^320: no carry out
}

/// 2^k mod n by doubling: the Montgomery constants, computed at compile time from n alone.
constexpr Limbs pow2_mod_n(unsigned k) {
  Limbs x{1, 0, 0, 0, 0};
  for (unsigned i = 0; i < k; ++i) x = add_mod(x, x);
  return x;
}

/// -1/n mod 2^64 by Newton's iteration (each step doubles the correct low bits).
constexpr std::uint64_t montgomery_n0() {
  std::uint64_t inv = kN[0];  // correct to 3 bits for odd n
  for (int i = 0; i < 6; ++i) inv *= 2 - kN[0] * inv;
  return 0 - inv;
}

constexpr std::uint64_t kN0 = montgomery_n0();
/// 2^640 mod n turns a Montgomery product back into a plain one; 2^632 mod n shifts by 312 bits.
constexpr Limbs kR2 = pow2_mod_n(640);
constexpr Limbs kShift312 = pow2_mod_n(632);
constexpr std::size_t kChunkBytes = 39;  // 312 bits: any chunk is < n

Limbs load_le(std::span<const std::uint8_t> bytes) {
  Limbs r{};
  for (std::size_t i = 0; i < bytes.size(); ++i)
    r[i / 8] |= std::uint64_t{bytes[i]} << (8 * (i % 8));
  return r;
}

}  // namespace

Scalar Scalar::montgomery(const Scalar& a, const Scalar& b) {
  // CIOS: per limb of b, add a b_i, then add the multiple of n that clears the low limb and
  // shift one limb down. The result is < 2n, brought below n by one masked subtraction.
  std::array<std::uint64_t, kLimbs + 2> t{};
  for (std::size_t i = 0; i < kLimbs; ++i) {
    std::uint64_t carry = 0;
    for (std::size_t j = 0; j < kLimbs; ++j) {
      const u128 s = static_cast<u128>(a.limbs_[j]) * b.limbs_[i] + t[j] + carry;
      t[j] = static_cast<std::uint64_t>(s);
      carry = static_cast<std::uint64_t>(s >> 64);
    }
    u128 s = static_cast<u128>(t[kLimbs]) + carry;
    t[kLimbs] = static_cast<std::uint64_t>(s);
    t[kLimbs + 1] = static_cast<std::uint64_t>(s >> 64);

    const std::uint64_t m = t[0] * kN0;
    s = static_cast<u128>(m) * kN[0] + t[0];
    carry = static_cast<std::uint64_t>(s >> 64);
    for (std::size_t j = 1; j < kLimbs; ++j) {
      s = static_cast<u128>(m) * kN[j] + t[j] + carry;
      t[j - 1] = static_cast<std::uint64_t>(s);
      carry = static_cast<std::uint64_t>(s >> 64);
    }
    s = static_cast<u128>(t[kLimbs]) + carry;
    t[kLimbs - 1] = static_cast<std::uint64_t>(s);
    t[kLimbs] = t[kLimbs + 1] + static_cast<std::uint64_t>(s >> 64);
  }
  Limbs r{t[0], t[1], t[2], t[3], t[4]};
  return from_limbs_unchecked(reduce_once(r));
}

Scalar Scalar::operator+(const Scalar& o) const {
  return from_limbs_unchecked(add_mod(limbs_, o.limbs_));
}

Scalar Scalar::operator-(const Scalar& o) const {
  Limbs d{};
  const std::uint64_t wrap = 0 - sub_limbs(limbs_, o.limbs_, d);
  Limbs n_or_zero{};
  for (std::size_t i = 0; i < kLimbs; ++i) n_or_zero[i] = kN[i] & wrap;
  Limbs r{};
  std::uint64_t carry = 0;
  for (std::size_t i = 0; i < kLimbs; ++i) {
    const u128 t = static_cast<u128>(d[i]) + n_or_zero[i] + carry;
    r[i] = static_cast<std::uint64_t>(t);
    carry = static_cast<std::uint64_t>(t >> 64);
  }
  return from_limbs_unchecked(r);
}

Scalar Scalar::operator*(const Scalar& o) const {
  // (a b / 2^320) 2^640 / 2^320 = a b.
  return montgomery(montgomery(*this, o), from_limbs_unchecked(kR2));
}

bool Scalar::operator==(const Scalar& o) const {
  std::uint64_t diff = 0;
  for (std::size_t i = 0; i < kLimbs; ++i) diff |= limbs_[i] ^ o.limbs_[i];
  return diff == 0;
}

Scalar::Bytes Scalar::to_bytes() const {
  Bytes out{};
  for (std::size_t i = 0; i < kEncodedSize; ++i)
    out[i] = static_cast<std::uint8_t>(limbs_[i / 8] >> (8 * (i % 8)));
  return out;
}

std::optional<Scalar> Scalar::from_bytes(std::span<const std::uint8_t, kEncodedSize> bytes) {
  const Limbs v = load_le(bytes);
  Limbs ignored{};
  if (!sub_limbs(v, kN, ignored)) return std::nullopt;  // v >= n
  return from_limbs_unchecked(v);
}

Scalar Scalar::reduce_bytes(std::span<const std::uint8_t> bytes) {
  // Horner in base 2^312 from the top chunk down: acc = acc 2^312 + chunk, where the shift is a
  // Montgomery product by 2^632 mod n and every chunk (at most 39 bytes) is already below n.
  const std::size_t chunks = (bytes.size() + kChunkBytes - 1) / kChunkBytes;
  Scalar acc;
  for (std::size_t c = chunks; c-- > 0;) {
    const std::size_t begin = c * kChunkBytes;
    const std::size_t size = std::min(kChunkBytes, bytes.size() - begin);
    acc = montgomery(acc, from_limbs_unchecked(kShift312)) +
          from_limbs_unchecked(load_le(bytes.subspan(begin, size)));
  }
  return acc;
}

std::array<std::int32_t, Scalar::kDigits> Scalar::signed_digits() const {
  // Take 5 bits at a time; a chunk plus carry above 16 becomes chunk - 32 with a carry of one
  // into the next window. The carry is computed arithmetically, not by a branch.
  std::array<std::int32_t, kDigits> digits{};
  std::uint32_t carry = 0;
  for (std::size_t i = 0; i < kDigits; ++i) {
    const std::size_t bit = i * kWindow, limb = bit / 64, shift = bit % 64;
    std::uint64_t window = limbs_[limb] >> shift;
    if (shift > 64 - kWindow && limb + 1 < kLimbs) window |= limbs_[limb + 1] << (64 - shift);
    const std::uint32_t value = static_cast<std::uint32_t>(window & 31) + carry;
    carry = (16 - value) >> 31;  // 1 when value > 16
    digits[i] = static_cast<std::int32_t>(value) - static_cast<std::int32_t>(carry << kWindow);
  }
  return digits;
}

}  // namespace rollup::ecgfp5
