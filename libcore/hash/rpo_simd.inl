// The RPO permutation on GCC vectors, written once and compiled once per instruction set:
// rpo.cpp includes this file inside a namespace, under a `#pragma GCC target`, after defining
// what field/goldilocks_simd.inl (the field arithmetic, included here) needs and
//   kVecLanes          the number of u64 lanes in V
//   kInvSboxPart       how many of twelve vectors one inverse S-box chain runs at a time
//   kMdsRow            the MDS circulant's first row as a plain array
// and, from the enclosing namespace, kRounds, kArk1Flat and kArk2Flat. Nothing here may use the
// standard library: its inline functions must not be compiled for an instruction set the
// running CPU may lack.

#include "field/goldilocks_simd.inl"

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

[[gnu::always_inline]] inline void round_across(Vecs<12>& s, unsigned r) {
  mds_across(s);
  for (int j = 0; j < 12; ++j) s.v[j] = add_canonical(s.v[j], splat(kArk1Flat[12 * r + j]));
  sbox(s);
  mds_across(s);
  for (int j = 0; j < 12; ++j) s.v[j] = add_canonical(s.v[j], splat(kArk2Flat[12 * r + j]));
  inv_sbox_in_parts(s);
}

[[gnu::always_inline]] inline void permute_across(Vecs<12>& s) {
  for (unsigned r = 0; r < kRounds; ++r) round_across(s, r);
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

// Round r alone on kVecLanes states, stored as permute_group's; not canonicalized either.
[[gnu::always_inline]] inline void round_group(u64* states, unsigned r) {
  Vecs<12> s;
  for (int j = 0; j < 12; ++j)
    for (int lane = 0; lane < kVecLanes; ++lane) s.v[j][lane] = states[12 * lane + j];
  round_across(s, r);
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
