#pragma once
// Radix-2 number-theoretic transforms over Goldilocks, for base-field and extension-field
// vectors (twiddles are always base-field roots of unity), plus the coset low-degree extension
// that the STARK prover runs on every trace column.
//
// Conventions: a vector of size n = 2^k holds either coefficients c_0..c_{n-1} (lowest first) or
// evaluations at shift * w^i for i = 0..n-1 in natural order, where w = root_of_unity(k).
#include <cstddef>
#include <span>
#include <vector>

#include "field/ext2.hpp"
#include "field/goldilocks.hpp"

namespace rollup::field {

/// True when n is a power of two that the field's two-adic subgroups can hold.
bool is_ntt_size(std::size_t n);

/// Coefficients -> evaluations on the subgroup <w>. `threads` splits each butterfly stage.
template <class T>
void ntt(std::span<T> values, unsigned threads = 1);

/// Evaluations on <w> -> coefficients.
template <class T>
void intt(std::span<T> values, unsigned threads = 1);

/// Coefficients -> evaluations on the coset shift * <w>.
template <class T>
void coset_ntt(std::span<T> values, Felt shift, unsigned threads = 1);

/// Evaluations on the coset shift * <w> -> coefficients.
template <class T>
void coset_intt(std::span<T> values, Felt shift, unsigned threads = 1);

/// Low-degree extension: `evaluations` of a polynomial on <w_n> (n = size) are re-evaluated on
/// the coset shift * <w_{n * 2^log_blowup}>, returned in natural order.
std::vector<Felt> coset_lde(std::span<const Felt> evaluations, unsigned log_blowup, Felt shift,
                            unsigned threads = 1);

/// Horner evaluation of coefficients (lowest first) at an extension point.
Ext2 evaluate_polynomial(std::span<const Felt> coeffs, Ext2 x);
Ext2 evaluate_polynomial(std::span<const Ext2> coeffs, Ext2 x);

}  // namespace rollup::field
