#include "field/ntt.hpp"

#include <bit>
#include <stdexcept>
#include <utility>

#include "field/parallel.hpp"

namespace rollup::field {
namespace {

// Below this size a stage is too short to be worth a thread.
constexpr std::size_t kParallelThreshold = std::size_t{1} << 14;

std::uint64_t reverse_bits(std::uint64_t x) {
  x = ((x >> 1) & 0x5555555555555555ULL) | ((x & 0x5555555555555555ULL) << 1);
  x = ((x >> 2) & 0x3333333333333333ULL) | ((x & 0x3333333333333333ULL) << 2);
  x = ((x >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((x & 0x0F0F0F0F0F0F0F0FULL) << 4);
  return __builtin_bswap64(x);
}

template <class T>
void bit_reverse(std::span<T> a) {
  const std::size_t n = a.size();
  const unsigned bits = static_cast<unsigned>(std::countr_zero(n));
  if (n <= 2) return;
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t j = reverse_bits(i) >> (64 - bits);
    if (i < j) std::swap(a[i], a[j]);
  }
}

std::vector<Felt> powers(Felt base, std::size_t count) {
  std::vector<Felt> out(count);
  Felt acc = Felt::one();
  for (auto& v : out) {
    v = acc;
    acc *= base;
  }
  return out;
}

// In-place decimation-in-time transform with root `root` of order n; input in natural order,
// output in natural order (the bit reversal is done first).
template <class T>
void transform(std::span<T> a, Felt root, unsigned threads) {
  const std::size_t n = a.size();
  if (!is_ntt_size(n)) throw std::invalid_argument("ntt: size is not a supported power of two");
  if (n == 1) return;
  bit_reverse(a);
  const std::vector<Felt> twiddles = powers(root, n / 2);
  const unsigned t = n >= kParallelThreshold ? threads : 1;
  for (std::size_t len = 2; len <= n; len <<= 1) {
    const std::size_t half = len / 2, step = n / len;
    if (n / len >= t) {
      // Many blocks: hand whole blocks to each thread.
      parallel_for(n / len, t, [&](std::size_t b0, std::size_t b1) {
        for (std::size_t b = b0; b < b1; ++b) {
          T* block = a.data() + b * len;
          for (std::size_t k = 0; k < half; ++k) {
            T u = block[k], v = block[k + half] * twiddles[k * step];
            block[k] = u + v;
            block[k + half] = u - v;
          }
        }
      });
    } else {
      // Few long blocks: split each block's butterflies instead.
      for (std::size_t b = 0; b < n / len; ++b) {
        T* block = a.data() + b * len;
        parallel_for(half, t, [&](std::size_t k0, std::size_t k1) {
          for (std::size_t k = k0; k < k1; ++k) {
            T u = block[k], v = block[k + half] * twiddles[k * step];
            block[k] = u + v;
            block[k + half] = u - v;
          }
        });
      }
    }
  }
}

template <class T>
void scale_by_powers(std::span<T> a, Felt base, Felt first) {
  Felt acc = first;
  for (auto& v : a) {
    v = v * acc;
    acc *= base;
  }
}

}  // namespace

bool is_ntt_size(std::size_t n) {
  return n != 0 && std::has_single_bit(n) && std::countr_zero(n) <= static_cast<int>(kTwoAdicity);
}

template <class T>
void ntt(std::span<T> values, unsigned threads) {
  if (values.empty()) return;
  transform(values, root_of_unity(static_cast<unsigned>(std::countr_zero(values.size()))),
            threads);
}

template <class T>
void intt(std::span<T> values, unsigned threads) {
  if (values.empty()) return;
  const auto log_n = static_cast<unsigned>(std::countr_zero(values.size()));
  transform(values, root_of_unity(log_n).inverse(), threads);
  const Felt n_inv = Felt(values.size()).inverse();
  for (auto& v : values) v = v * n_inv;
}

template <class T>
void coset_ntt(std::span<T> values, Felt shift, unsigned threads) {
  scale_by_powers(values, shift, Felt::one());
  ntt(values, threads);
}

template <class T>
void coset_intt(std::span<T> values, Felt shift, unsigned threads) {
  intt(values, threads);
  scale_by_powers(values, shift.inverse(), Felt::one());
}

std::vector<Felt> coset_lde(std::span<const Felt> evaluations, unsigned log_blowup, Felt shift,
                            unsigned threads) {
  const std::size_t n = evaluations.size();
  std::vector<Felt> out(n << log_blowup);
  std::copy(evaluations.begin(), evaluations.end(), out.begin());
  std::span<Felt> coeffs(out.data(), n);
  transform(coeffs, root_of_unity(static_cast<unsigned>(std::countr_zero(n))).inverse(), threads);
  // The 1/n of the inverse and the coset shift fold into one pass over the coefficients.
  scale_by_powers(coeffs, shift, Felt(n).inverse());
  ntt(std::span<Felt>(out), threads);
  return out;
}

Ext2 evaluate_polynomial(std::span<const Felt> coeffs, Ext2 x) {
  Ext2 acc;
  for (std::size_t i = coeffs.size(); i-- > 0;) acc = acc * x + coeffs[i];
  return acc;
}

Ext2 evaluate_polynomial(std::span<const Ext2> coeffs, Ext2 x) {
  Ext2 acc;
  for (std::size_t i = coeffs.size(); i-- > 0;) acc = acc * x + coeffs[i];
  return acc;
}

template void ntt<Felt>(std::span<Felt>, unsigned);
template void ntt<Ext2>(std::span<Ext2>, unsigned);
template void intt<Felt>(std::span<Felt>, unsigned);
template void intt<Ext2>(std::span<Ext2>, unsigned);
template void coset_ntt<Felt>(std::span<Felt>, Felt, unsigned);
template void coset_ntt<Ext2>(std::span<Ext2>, Felt, unsigned);
template void coset_intt<Felt>(std::span<Felt>, Felt, unsigned);
template void coset_intt<Ext2>(std::span<Ext2>, Felt, unsigned);

}  // namespace rollup::field
