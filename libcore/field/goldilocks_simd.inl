// Goldilocks arithmetic on GCC vectors of u64, written once and compiled once per instruction
// set: it is included inside a namespace, under a `#pragma GCC target` (or inside a region whose
// functions all carry the target attribute), after defining
//   V                  a GCC vector of u64 (vector_size 32 or 64)
//   kBranchOnBorrow    whether reduce() branches on its rare borrow and compares sign-flipped
//                      values (for AVX2, which lacks unsigned compares) or uses selects
//   mul32(a, b)        lane-wise product of the low 32-bit halves (pmuludq)
//   high_halves(a)     each lane's high 32 bits moved to its low half (high half don't care)
//   any_lane(mask)     whether any lane of a compare mask is set
// and u64. Its users: the RPO permutation (hash/rpo_simd.inl) and the packed field elements of
// the NTT and the constraint evaluation (field/packed.hpp). Nothing here may use the standard
// library: its inline functions must not be compiled for an instruction set the running CPU may
// lack.

// As in the scalar code, lanes hold any u64 congruent to their element.

[[gnu::always_inline]] inline V splat(u64 x) { return V{} + x; }

// The select compiles to a compare into a mask register and a masked add on AVX-512 and to a
// compare and a blend on AVX2.
[[gnu::always_inline]] inline V add_epsilon_if_wrapped(V sum, V addend) {
  return sum < addend ? sum + splat(0xFFFFFFFFULL) : sum;
}

// lo + hi * 2^64 = lo - hi_hi + hi_lo * (2^32 - 1) (mod p), as the scalar reduce().
[[gnu::always_inline]] inline V reduce(V lo, V hi) {
  V hi_hi = hi >> 32;
  V t1 = mul32(hi, splat(0xFFFFFFFFULL));
  if constexpr (kBranchOnBorrow) {
    // AVX2 compares signed only, so unsigned compares flip the sign bits first. Flipping lo and
    // t1 early keeps those flips off the critical path, and the sum t0 + t1 comes out flipped
    // for free; the last flip undoes it.
    const V sign = splat(u64{1} << 63);
    using Signed = long long __attribute__((vector_size(sizeof(V))));
    V lo_s = lo ^ sign;
    V t0_s = lo_s - hi_hi;
    // lo < hi_hi < 2^32 happens about once in 2^32 lanes of a hash state, so a predicted
    // branch takes the correction off the critical path; crafted inputs can only make it slower.
    V borrow = reinterpret_cast<V>(reinterpret_cast<Signed>(lo_s) <
                                   reinterpret_cast<Signed>(hi_hi ^ sign));
    if (any_lane(borrow)) [[unlikely]]
      t0_s -= borrow >> 32;
    V sum_s = t0_s + t1;
    V wrapped = reinterpret_cast<V>(reinterpret_cast<Signed>(sum_s) <
                                    reinterpret_cast<Signed>(t1 ^ sign));
    return (sum_s ^ sign) + (wrapped >> 32);
  } else {
    V t0 = lo - hi_hi;
    t0 = lo < hi_hi ? t0 - splat(0xFFFFFFFFULL) : t0;
    return add_epsilon_if_wrapped(t0 + t1, t1);
  }
}

// 64 x 64 -> 128 bits from four 32 x 32 products; no partial sum overflows because each product
// is at most (2^32 - 1)^2.
[[gnu::always_inline]] inline V mul(V a, V b) {
  V a_hi = high_halves(a), b_hi = high_halves(b);
  V ll = mul32(a, b), lh = mul32(a, b_hi), hl = mul32(a_hi, b), hh = mul32(a_hi, b_hi);
  V t0 = hl + (ll >> 32);
  V t1 = lh + (t0 & splat(0xFFFFFFFFULL));
  V hi = hh + (t0 >> 32) + (t1 >> 32);
  V lo = (ll & splat(0xFFFFFFFFULL)) | (t1 << 32);
  return reduce(lo, hi);
}

// A square needs three products: the cross term appears twice, taken as lh << 33.
[[gnu::always_inline]] inline V square(V a) {
  V a_hi = high_halves(a);
  V ll = mul32(a, a), lh = mul32(a, a_hi), hh = mul32(a_hi, a_hi);
  V t0 = lh + (ll >> 33);
  V hi = hh + (t0 >> 31);
  V lo = ll + (lh << 33);
  return reduce(lo, hi);
}

// b must be canonical, as in the scalar add_canonical().
[[gnu::always_inline]] inline V add_canonical(V a, V b) { return add_epsilon_if_wrapped(a + b, b); }

[[gnu::always_inline]] inline V load(const u64* p) {
  V v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

[[gnu::always_inline]] inline void store(u64* p, V v) { __builtin_memcpy(p, &v, sizeof v); }

// Sums of row * lane stay below 12 * 26 * 2^32 < 2^41 per 32-bit half; recombining the halves
// gives a value below 2^73, folded back with 2^64 = 2^32 - 1.
[[gnu::always_inline]] inline V combine_halves(V sum_lo, V sum_hi) {
  V low = sum_lo + (sum_hi << 32);
  V wrapped = reinterpret_cast<V>(low < sum_lo);  // all ones: subtracting it adds one
  V top = (sum_hi >> 32) - wrapped;
  return add_canonical(low, (top << 32) - top);
}

