#include "field/ntt.hpp"

#include <bit>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "core/parallel.hpp"

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

// Twiddles laid out stage by stage: for each butterfly span len = 2, 4, ..., 2^log_n the len/2
// powers of w_len (or of its inverse) start at offset len/2 - 1, so every stage reads its
// twiddles contiguously. A stage's table does not depend on the transform size, so one table,
// grown to the largest size seen, serves every transform.
class TwiddleCache {
 public:
  std::shared_ptr<const std::vector<Felt>> get(unsigned log_n, bool inverse) {
    std::lock_guard lock(mutex_);
    auto& slot = tables_[inverse ? 1 : 0];
    if (!slot || slot->size() < (std::size_t{1} << log_n) - 1) {
      auto table = std::make_shared<std::vector<Felt>>((std::size_t{1} << log_n) - 1);
      for (unsigned s = 1; s <= log_n; ++s) {
        const std::size_t half = std::size_t{1} << (s - 1);
        Felt w = root_of_unity(s);
        if (inverse) w = w.inverse();
        Felt acc = Felt::one();
        for (std::size_t k = 0; k < half; ++k, acc *= w) (*table)[half - 1 + k] = acc;
      }
      slot = std::move(table);
    }
    return slot;
  }

 private:
  std::mutex mutex_;
  std::shared_ptr<const std::vector<Felt>> tables_[2];
};

TwiddleCache& twiddle_cache() {
  static TwiddleCache cache;
  return cache;
}

// Stages up to this span run block by block, each block staying in cache for all of them.
constexpr std::size_t kBlock = std::size_t{1} << 12;

template <class T>
inline void butterflies(T* block, std::size_t half, const Felt* tw, std::size_t k0,
                        std::size_t k1) {
  for (std::size_t k = k0; k < k1; ++k) {
    T u = block[k], v = block[k + half] * tw[k];
    block[k] = u + v;
    block[k + half] = u - v;
  }
}

// In-place decimation-in-time transform by w_n (or its inverse); input and output in natural
// order (the bit reversal is done first). No 1/n scaling.
template <class T>
void transform(std::span<T> a, bool inverse, unsigned threads) {
  const std::size_t n = a.size();
  if (!is_ntt_size(n)) throw std::invalid_argument("ntt: size is not a supported power of two");
  if (n == 1) return;
  const unsigned log_n = static_cast<unsigned>(std::countr_zero(n));
  const auto table = twiddle_cache().get(log_n, inverse);
  const Felt* tw = table->data();
  bit_reverse(a);
  const unsigned t = n >= kParallelThreshold ? threads : 1;
  const std::size_t block = std::min(n, kBlock);
  parallel_for(n / block, t, [&](std::size_t b0, std::size_t b1) {
    for (std::size_t b = b0; b < b1; ++b) {
      T* base = a.data() + b * block;
      for (std::size_t len = 2; len <= block; len <<= 1) {
        const std::size_t half = len / 2;
        for (std::size_t i = 0; i < block; i += len)
          butterflies(base + i, half, tw + half - 1, 0, half);
      }
    }
  });
  for (std::size_t len = 2 * block; len <= n; len <<= 1) {
    const std::size_t half = len / 2, blocks = n / len;
    const Felt* stage = tw + half - 1;
    if (blocks >= t) {
      parallel_for(blocks, t, [&](std::size_t b0, std::size_t b1) {
        for (std::size_t b = b0; b < b1; ++b) butterflies(a.data() + b * len, half, stage, 0, half);
      });
    } else {
      for (std::size_t b = 0; b < blocks; ++b)
        parallel_for(half, t, [&](std::size_t k0, std::size_t k1) {
          butterflies(a.data() + b * len, half, stage, k0, k1);
        });
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
  transform(values, false, threads);
}

template <class T>
void intt(std::span<T> values, unsigned threads) {
  if (values.empty()) return;
  transform(values, true, threads);
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
  transform(coeffs, true, threads);
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
