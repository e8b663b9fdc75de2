#include "field/ntt.hpp"

#include <algorithm>
#include <bit>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "core/parallel.hpp"
#include "field/packed.hpp"

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

// Only the first `filled` entries may be non-zero (the rest are zero and stay so): the pairs
// (i, rev(i)) with both ends at or past `filled` swap zeros, and a pair with one end below it is
// met from that end.
template <class T>
void bit_reverse(std::span<T> a, std::size_t filled) {
  const std::size_t n = a.size();
  const unsigned bits = static_cast<unsigned>(std::countr_zero(n));
  if (n <= 2) return;
  for (std::size_t i = 0; i < filled; ++i) {
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
constexpr std::size_t kFeltsPer = sizeof(T) / sizeof(Felt);
static_assert(kFeltsPer<Felt> == 1 && kFeltsPer<Ext2> == 2);

template <class T>
inline void butterflies(T* block, std::size_t half, const Felt* tw, std::size_t k0,
                        std::size_t k1) {
  for (std::size_t k = k0; k < k1; ++k) {
    T u = block[k], v = block[k + half] * tw[k];
    block[k] = u + v;
    block[k + half] = u - v;
  }
}

template <class T>
void scale(T* a, std::size_t count, Felt s) {
  for (std::size_t i = 0; i < count; ++i) a[i] = a[i] * s;
}

template <class T>
void scale_by_powers(T* a, std::size_t count, Felt base, Felt first) {
  Felt acc = first;
  for (std::size_t i = 0; i < count; ++i, acc *= base) a[i] = a[i] * acc;
}

// The stages of spans first_len .. block of one block.
template <class T>
void block_stages(T* base, std::size_t block, std::size_t first_len, const Felt* tw) {
  for (std::size_t len = first_len; len <= block; len <<= 1) {
    const std::size_t half = len / 2;
    for (std::size_t i = 0; i < block; i += len)
      butterflies(base + i, half, tw + half - 1, 0, half);
  }
}

#if ROLLUP_FIELD_X86_SIMD
// The same four on packed lanes. An Ext2 is two Felts, and an Ext2 times a Felt twiddle is two
// Felt products, so a vector holds kLanes / 2 Ext2s and each twiddle twice.
template <class Isa, class T>
[[gnu::always_inline]] inline void packed_butterflies(T* block, std::size_t half, const Felt* tw,
                                                      std::size_t k0, std::size_t k1) {
  using P = simd::Packed<Isa>;
  constexpr std::size_t per = kFeltsPer<T>, step = P::kLanes / per;
  std::size_t k = k0;
  if (half >= step) {  // else a vector at k would reach into the other half
    Felt* lo = reinterpret_cast<Felt*>(block);
    Felt* hi = reinterpret_cast<Felt*>(block + half);
    for (; k + step <= k1; k += step) {
      const P u = P::load(lo + per * k);
      const P v = P::load(hi + per * k) * P::template load_repeated<per>(tw + k);
      (u + v).store(lo + per * k);
      (u - v).store(hi + per * k);
    }
  }
  butterflies(block, half, tw, k, k1);
}

template <class Isa, class T>
[[gnu::always_inline]] inline void packed_block_stages(T* base, std::size_t block,
                                                       std::size_t first_len, const Felt* tw) {
  for (std::size_t len = first_len; len <= block; len <<= 1) {
    const std::size_t half = len / 2;
    for (std::size_t i = 0; i < block; i += len)
      packed_butterflies<Isa>(base + i, half, tw + half - 1, 0, half);
  }
}

template <class Isa, class T>
[[gnu::always_inline]] inline void packed_scale(T* a, std::size_t count, Felt s) {
  using P = simd::Packed<Isa>;
  Felt* f = reinterpret_cast<Felt*>(a);
  const std::size_t total = count * kFeltsPer<T>;
  const P factor(s);
  std::size_t i = 0;
  for (; i + P::kLanes <= total; i += P::kLanes) (P::load(f + i) * factor).store(f + i);
  for (; i < total; ++i) f[i] = f[i] * s;
}

template <class Isa, class T>
[[gnu::always_inline]] inline void packed_scale_by_powers(T* a, std::size_t count, Felt base,
                                                          Felt first) {
  using P = simd::Packed<Isa>;
  constexpr std::size_t per = kFeltsPer<T>, step = P::kLanes / per;
  Felt powers[step];
  Felt acc = first;
  for (std::size_t i = 0; i < step; ++i, acc *= base) powers[i] = acc;
  P lanes = P::template load_repeated<per>(powers);
  const P stride(base.pow(step));
  Felt* f = reinterpret_cast<Felt*>(a);
  std::size_t k = 0;
  for (; k + step <= count; k += step) {
    (P::load(f + per * k) * lanes).store(f + per * k);
    lanes *= stride;
  }
  scale_by_powers(a + k, count - k, base, lanes.lane(0));
}

// One non-inline copy per instruction set; flatten inlines everything the kernel calls into it,
// so nothing compiled for AVX leaks to a shared inline function (see field/packed.hpp).
#define ROLLUP_NTT_KERNELS(isa, features)                                                          \
  template <class T>                                                                             \
  [[gnu::target(features), gnu::flatten]] void butterflies_##isa(                                  \
      T* block, std::size_t half, const Felt* tw, std::size_t k0, std::size_t k1) {              \
    packed_butterflies<simd::isa>(block, half, tw, k0, k1);                                      \
  }                                                                                              \
  template <class T>                                                                             \
  [[gnu::target(features), gnu::flatten]] void block_stages_##isa(                                 \
      T* base, std::size_t block, std::size_t first_len, const Felt* tw) {                       \
    packed_block_stages<simd::isa>(base, block, first_len, tw);                                  \
  }                                                                                              \
  template <class T>                                                                             \
  [[gnu::target(features), gnu::flatten]] void scale_##isa(T* a, std::size_t count, Felt s) {     \
    packed_scale<simd::isa>(a, count, s);                                                        \
  }                                                                                              \
  template <class T>                                                                             \
  [[gnu::target(features), gnu::flatten]] void scale_by_powers_##isa(T* a, std::size_t count,     \
                                                                   Felt base, Felt first) {      \
    packed_scale_by_powers<simd::isa>(a, count, base, first);                                    \
  }

ROLLUP_NTT_KERNELS(Avx2, "avx2")
ROLLUP_NTT_KERNELS(Avx512, "avx512f,avx512vl,avx512dq")
#undef ROLLUP_NTT_KERNELS
#endif  // ROLLUP_FIELD_X86_SIMD

template <class T>
struct NttKernels {
  void (*butterflies)(T* block, std::size_t half, const Felt* tw, std::size_t k0, std::size_t k1);
  void (*block_stages)(T* base, std::size_t block, std::size_t first_len, const Felt* tw);
  void (*scale)(T* a, std::size_t count, Felt s);
  void (*scale_by_powers)(T* a, std::size_t count, Felt base, Felt first);
};

template <class T>
NttKernels<T> kernels() {
#if ROLLUP_FIELD_X86_SIMD
  switch (vector_isa()) {
    case VectorIsa::avx512:
      return {butterflies_Avx512<T>, block_stages_Avx512<T>, scale_Avx512<T>,
              scale_by_powers_Avx512<T>};
    case VectorIsa::avx2:
      return {butterflies_Avx2<T>, block_stages_Avx2<T>, scale_Avx2<T>, scale_by_powers_Avx2<T>};
    case VectorIsa::scalar: break;
  }
#endif
  return {butterflies<T>, block_stages<T>, scale<T>, scale_by_powers<T>};
}

// Entries from `filled` on are known to be zero: an LDE's input is its n coefficients followed by
// (blowup - 1) n zeros. Their count, rounded up to a power of two.
template <class T>
std::size_t filled_prefix(std::span<const T> a) {
  std::size_t end = a.size();
  while (end > 0 && a[end - 1] == T{}) --end;
  return std::bit_ceil(std::max<std::size_t>(end, 1));
}

// In-place decimation-in-time transform by w_n (or its inverse); input and output in natural
// order (the bit reversal is done first). No 1/n scaling. Only the first `filled` entries (a
// power of two) may be non-zero: after the bit reversal the non-zero ones sit n / filled apart,
// and the first log2(n / filled) stages, whose butterflies all meet a zero, only copy them.
template <class T>
void transform(std::span<T> a, bool inverse, unsigned threads, std::size_t filled) {
  const std::size_t n = a.size();
  if (!is_ntt_size(n)) throw std::invalid_argument("ntt: size is not a supported power of two");
  if (n == 1) return;
  const unsigned log_n = static_cast<unsigned>(std::countr_zero(n));
  const auto table = twiddle_cache().get(log_n, inverse);
  const Felt* tw = table->data();
  const NttKernels<T> k = kernels<T>();
  filled = std::min(filled, n);
  bit_reverse(a, filled);
  const unsigned t = n >= kParallelThreshold ? threads : 1;
  const std::size_t block = std::min(n, kBlock);
  const std::size_t copied = std::min(n / filled, block);  // the span of the copying stages
  parallel_for(n / block, t, [&](std::size_t b0, std::size_t b1) {
    for (std::size_t b = b0; b < b1; ++b) {
      T* base = a.data() + b * block;
      if (copied > 1)
        for (std::size_t i = 0; i < block; i += copied)
          std::fill_n(base + i + 1, copied - 1, base[i]);
      k.block_stages(base, block, 2 * copied, tw);
    }
  });
  for (std::size_t len = 2 * block; len <= n; len <<= 1) {
    const std::size_t half = len / 2, blocks = n / len;
    const Felt* stage = tw + half - 1;
    if (blocks >= t) {
      parallel_for(blocks, t, [&](std::size_t b0, std::size_t b1) {
        for (std::size_t b = b0; b < b1; ++b)
          k.butterflies(a.data() + b * len, half, stage, 0, half);
      });
    } else {
      for (std::size_t b = 0; b < blocks; ++b)
        parallel_for(half, t, [&](std::size_t k0, std::size_t k1) {
          k.butterflies(a.data() + b * len, half, stage, k0, k1);
        });
    }
  }
}

}  // namespace

bool is_ntt_size(std::size_t n) {
  return n != 0 && std::has_single_bit(n) && std::countr_zero(n) <= static_cast<int>(kTwoAdicity);
}

template <class T>
void ntt(std::span<T> values, unsigned threads) {
  if (values.empty()) return;
  transform(values, false, threads, filled_prefix(std::span<const T>(values)));
}

template <class T>
void intt(std::span<T> values, unsigned threads) {
  if (values.empty()) return;
  transform(values, true, threads, values.size());
  kernels<T>().scale(values.data(), values.size(), Felt(values.size()).inverse());
}

template <class T>
void coset_ntt(std::span<T> values, Felt shift, unsigned threads) {
  if (values.empty()) return;
  // Zero coefficients stay zero under the shift: only the filled prefix is scaled.
  const std::size_t filled = filled_prefix(std::span<const T>(values));
  kernels<T>().scale_by_powers(values.data(), filled, shift, Felt::one());
  transform(values, false, threads, filled);
}

template <class T>
void coset_intt(std::span<T> values, Felt shift, unsigned threads) {
  intt(values, threads);
  kernels<T>().scale_by_powers(values.data(), values.size(), shift.inverse(), Felt::one());
}

std::vector<Felt> coset_lde(std::span<const Felt> evaluations, unsigned log_blowup, Felt shift,
                            unsigned threads) {
  const std::size_t n = evaluations.size();
  std::vector<Felt> out(n << log_blowup);
  if (n == 0) return out;
  std::copy(evaluations.begin(), evaluations.end(), out.begin());
  std::span<Felt> coeffs(out.data(), n);
  transform(coeffs, true, threads, n);
  // The 1/n of the inverse and the coset shift fold into one pass over the coefficients.
  kernels<Felt>().scale_by_powers(coeffs.data(), n, shift, Felt(n).inverse());
  transform(std::span<Felt>(out), false, threads, n);
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
