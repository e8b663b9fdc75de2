#include "field/ext2.hpp"

#include <vector>

#include "field/batch_inverse.hpp"
#include "field/packed.hpp"

namespace rollup::field {
namespace {

#if ROLLUP_FIELD_X86_SIMD
// Four vectors of rows per pass, so that four independent products are in flight; returns how
// many rows it did (the rest go through the scalar loop).
template <class Isa>
[[gnu::always_inline]] inline std::size_t combine_packed(const Felt* values, std::size_t stride,
                                                         std::span<const Ext2> coeffs, Ext2* out,
                                                         std::size_t rows) {
  using P = simd::Packed<Isa>;
  constexpr std::size_t kVectors = 4, kStep = kVectors * P::kLanes;
  std::size_t r = 0;
  for (; r + kStep <= rows; r += kStep) {
    P re[kVectors], im[kVectors];
    for (std::size_t k = 0; k < coeffs.size(); ++k) {
      const P a(coeffs[k].real()), b(coeffs[k].imag());
      const Felt* column = values + k * stride + r;
      for (std::size_t v = 0; v < kVectors; ++v) {
        const P x = P::load(column + v * P::kLanes);
        re[v] += a * x;
        im[v] += b * x;
      }
    }
    for (std::size_t v = 0; v < kVectors; ++v)
      for (std::size_t i = 0; i < P::kLanes; ++i) out[r + v * P::kLanes + i] = {re[v].lane(i), im[v].lane(i)};
  }
  return r;
}

[[gnu::target("avx2"), gnu::flatten]] std::size_t combine_avx2(const Felt* values, std::size_t stride,
                                                               std::span<const Ext2> coeffs, Ext2* out,
                                                               std::size_t rows) {
  return combine_packed<simd::Avx2>(values, stride, coeffs, out, rows);
}
[[gnu::target("avx512f,avx512vl,avx512dq"), gnu::flatten]] std::size_t combine_avx512(
    const Felt* values, std::size_t stride, std::span<const Ext2> coeffs, Ext2* out, std::size_t rows) {
  return combine_packed<simd::Avx512>(values, stride, coeffs, out, rows);
}
#endif

}  // namespace

void combine_columns(std::span<const Felt> values, std::size_t stride, std::span<const Ext2> coeffs,
                     std::span<Ext2> out) {
  const std::size_t rows = out.size();
  std::size_t done = 0;
#if ROLLUP_FIELD_X86_SIMD
  switch (vector_isa()) {
    case VectorIsa::avx512: done = combine_avx512(values.data(), stride, coeffs, out.data(), rows); break;
    case VectorIsa::avx2: done = combine_avx2(values.data(), stride, coeffs, out.data(), rows); break;
    case VectorIsa::scalar: break;
  }
#endif
  for (std::size_t r = done; r < rows; ++r) {
    Ext2Accumulator sum;
    for (std::size_t k = 0; k < coeffs.size(); ++k) sum.add_product(coeffs[k], values[k * stride + r]);
    out[r] = sum.reduce();
  }
}

void batch_inverse(std::span<Ext2> values) { detail::batch_inverse_chains(values); }

}  // namespace rollup::field
