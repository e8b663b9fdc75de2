// RPO field arithmetic and permutation on GCC vectors, written once and compiled once per
// instruction set: rpo.cpp includes this file inside a namespace, under a `#pragma GCC target`,
// after defining
//   V                  a GCC vector of u64 (vector_size 32 or 64)
//   kVecLanes          the number of u64 lanes in V
//   kBranchOnBorrow    whether reduce() branches on its rare borrow and compares sign-flipped
//                      values (for AVX2, which lacks unsigned compares) or uses selects
//   kInvSboxPart       how many of twelve vectors one inverse S-box chain runs at a time
//   kMdsRow            the MDS circulant's first row as a plain array
//   mul32(a, b)        lane-wise product of the low 32-bit halves (pmuludq)
//   high_halves(a)     each lane's high 32 bits moved to its low half (high half don't care)
//   any_lane(mask)     whether any lane of a compare mask is set
// and, from the enclosing namespace, u64, kRounds, kArk1Flat and kArk2Flat. Nothing here may use the standard library: its inline functions must not be
// compiled for an instruction set the running CPU may lack.

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

template <int N>
struct Vecs {
  V v[N];
};

// x^7 = x^3 * x^4, one stage at a time across all N vectors so that the independent products of
// a stage overlap instead of waiting on each vector's chain.
template <int N>
[[gnu::always_inline]] inline void sbox(Vecs<N>& s) {
  Vecs<N> x2, x3;
  for (int i = 0; i < N; ++i) x2.v[i] = square(s.v[i]);
  for (int i = 0; i < N; ++i) x3.v[i] = mul(x2.v[i], s.v[i]);
  for (int i = 0; i < N; ++i) x2.v[i] = square(x2.v[i]);
  for (int i = 0; i < N; ++i) s.v[i] = mul(x3.v[i], x2.v[i]);
}

template <unsigned kSquarings, int N>
[[gnu::always_inline]] inline Vecs<N> exp_acc(Vecs<N> base, const Vecs<N>& tail) {
  for (unsigned k = 0; k < kSquarings; ++k)
    for (int i = 0; i < N; ++i) base.v[i] = square(base.v[i]);
  for (int i = 0; i < N; ++i) base.v[i] = mul(base.v[i], tail.v[i]);
  return base;
}

// The scalar inv_sbox() chain, N vectors side by side.
template <int N>
[[gnu::always_inline]] inline void inv_sbox(Vecs<N>& s) {
  Vecs<N> t1, t2;
  for (int i = 0; i < N; ++i) t1.v[i] = square(s.v[i]);
  for (int i = 0; i < N; ++i) t2.v[i] = square(t1.v[i]);
  Vecs<N> t3 = exp_acc<3>(t2, t2);
  Vecs<N> t4 = exp_acc<6>(t3, t3);
  Vecs<N> t5 = exp_acc<12>(t4, t4);
  Vecs<N> t6 = exp_acc<6>(t5, t3);
  Vecs<N> t7 = exp_acc<31>(t6, t6);
  for (int i = 0; i < N; ++i) {
    V a = square(square(mul(square(t7.v[i]), t6.v[i])));
    V b = mul(mul(t1.v[i], t2.v[i]), s.v[i]);
    s.v[i] = mul(a, b);
  }
}

// Sums of row * lane stay below 12 * 26 * 2^32 < 2^41 per 32-bit half; recombining the halves
// gives a value below 2^73, folded back with 2^64 = 2^32 - 1.
[[gnu::always_inline]] inline V combine_halves(V sum_lo, V sum_hi) {
  V low = sum_lo + (sum_hi << 32);
  V wrapped = reinterpret_cast<V>(low < sum_lo);  // all ones: subtracting it adds one
  V top = (sum_hi >> 32) - wrapped;
  return add_canonical(low, (top << 32) - top);
}

// ---- Many states at once: vector j holds element j of kVecLanes different states. ----
// Every lane runs its own permutation, so the twelve vectors of a step are independent and the
// code is bound by throughput, not by the latency of one product.

[[gnu::always_inline]] inline void mds_across(Vecs<12>& s) {
  V hi[12];
  for (int j = 0; j < 12; ++j) hi[j] = high_halves(s.v[j]);
  Vecs<12> out;
  for (int i = 0; i < 12; ++i) {
    V sum_lo = V{}, sum_hi = V{};
    for (int j = 0; j < 12; ++j) {
      V m = splat(kMdsRow[(j + 12 - i) % 12]);
      sum_lo += mul32(s.v[j], m);
      sum_hi += mul32(hi[j], m);
    }
    out.v[i] = combine_halves(sum_lo, sum_hi);
  }
  s = out;
}

// The chain over all twelve vectors keeps six temporaries of twelve vectors live, more than the
// register file holds; kInvSboxPart vectors at a time still give enough independent work.
[[gnu::always_inline]] inline void inv_sbox_in_parts(Vecs<12>& s) {
  for (int part = 0; part < 12; part += kInvSboxPart) {
    Vecs<kInvSboxPart> p;
    for (int i = 0; i < kInvSboxPart; ++i) p.v[i] = s.v[part + i];
    inv_sbox(p);
    for (int i = 0; i < kInvSboxPart; ++i) s.v[part + i] = p.v[i];
  }
}

[[gnu::always_inline]] inline void permute_across(Vecs<12>& s) {
  for (unsigned r = 0; r < kRounds; ++r) {
    mds_across(s);
    for (int j = 0; j < 12; ++j) s.v[j] = add_canonical(s.v[j], splat(kArk1Flat[12 * r + j]));
    sbox(s);
    mds_across(s);
    for (int j = 0; j < 12; ++j) s.v[j] = add_canonical(s.v[j], splat(kArk2Flat[12 * r + j]));
    inv_sbox_in_parts(s);
  }
}

// kVecLanes states, stored one after the other (12 u64 each), permuted in place. The results
// are not canonicalized.
[[gnu::always_inline]] inline void permute_group(u64* states) {
  Vecs<12> s;
  for (int j = 0; j < 12; ++j)
    for (int lane = 0; lane < kVecLanes; ++lane) s.v[j][lane] = states[12 * lane + j];
  permute_across(s);
  for (int j = 0; j < 12; ++j)
    for (int lane = 0; lane < kVecLanes; ++lane) states[12 * lane + j] = s.v[j][lane];
}

// parents[i] = merge(children[2i], children[2i + 1]) for kVecLanes parents; digests are 4 u64
// each. The results are not canonicalized.
[[gnu::always_inline]] inline void merge_group(const u64* children, u64* parents) {
  Vecs<12> s;
  for (int j = 0; j < 4; ++j) s.v[j] = V{};
  for (int j = 0; j < 8; ++j)
    for (int lane = 0; lane < kVecLanes; ++lane) s.v[4 + j][lane] = children[8 * lane + j];
  permute_across(s);
  for (int j = 0; j < 4; ++j)
    for (int lane = 0; lane < kVecLanes; ++lane) parents[4 * lane + j] = s.v[4 + j][lane];
}
