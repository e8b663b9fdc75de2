#include "air/rollup_air.hpp"

#include <algorithm>
#include <bit>
#include <numeric>

#include "crypto/crypto.hpp"
#include "field/ntt.hpp"
#include "stark/pinned_rows.hpp"

namespace rollup::air {

namespace {

// A polynomial degree carried through the constraint template, so that the declared degrees
// are computed from the constraints themselves and can never drift from them.
struct Deg {
  unsigned d = 0;
  Deg() = default;
  Deg(Felt) {}  // NOLINT(google-explicit-constructor): constants mix in as in Ext2
  static Deg cell() {
    Deg x;
    x.d = 1;
    return x;
  }
};
Deg operator+(Deg a, Deg b) { return a.d >= b.d ? a : b; }
Deg operator-(Deg a, Deg b) { return a + b; }
Deg operator*(Deg a, Deg b) {
  Deg r;
  r.d = a.d + b.d;
  return r;
}
Deg operator*(Deg a, Felt) { return a; }
Deg& operator+=(Deg& a, Deg b) { return a = a + b; }
Deg& operator-=(Deg& a, Deg b) { return a = a + b; }

constexpr unsigned kMaxConstraints = 512;
constexpr unsigned kUnset = 1000;

}  // namespace

bool valid_depth(unsigned depth) { return depth >= kMinDepth && depth <= kMaxDepth; }

// One rule for the prover and the contract, which caps a block's work by the depth its accounts
// can need: a level saved is 8 rows per op.
unsigned depth_for(std::uint64_t positions) { return l1::subtree_depth(positions); }

std::size_t RollupAir::trace_length_for(std::size_t ops, unsigned depth) {
  return std::bit_ceil((ops + 1) * rows_per_op(depth));
}

RollupAir::RollupAir(BlockPublics publics, std::vector<Op> ops, AirLayout layout)
    : publics_(publics),
      ops_(std::move(ops)),
      layout_(layout),
      op_rows_(rows_per_op(valid_depth(publics.depth) ? publics.depth : 6)),
      n_(trace_length_for(ops_.size(), valid_depth(publics.depth) ? publics.depth : 6)),
      program_digest_(program_digest(ops_)) {
  structure_polys_ = structure_columns();
  // The op-level columns have period R only when R is a power of two; otherwise they are as long
  // as the trace and the verifier sums them over their non-zero rows (periodic_values_at).
  if (!std::has_single_bit(op_rows_)) structure_polys_.resize(per::kRow0);
  for (auto& col : structure_polys_) field::intt(std::span<Felt>(col));
}

Bytes RollupAir::public_inputs() const {
  const BlockPublics& b = publics_;
  const std::size_t blocks = b.block_hashes.size();
  ByteWriter w(id() + ":public");
  w.u64(b.chain_id).u32(b.namespace_id).u64(b.height);
  // One block: its hash alone (docs/air.md §6); more: the last height, the count, every hash (§13).
  if (blocks > 1) w.u64(b.height + blocks - 1).u32(static_cast<std::uint32_t>(blocks));
  for (const Hash32& h : b.block_hashes) w.raw(h);
  w.raw(b.pre_root).raw(b.post_root);
  w.raw(b.pre_keys.root).u64(b.pre_keys.count).raw(b.post_keys.root).u64(b.post_keys.count);
  w.u8(static_cast<std::uint8_t>(b.depth));
  for (const Digest* d : {&b.sub_pre_state, &b.sub_post_state, &b.sub_pre_keys, &b.sub_post_keys})
    w.raw(hash::digest_bytes(*d));
  w.u64(n_).u64(ops_.size()).raw(program_digest_);
  return w.take();
}

std::size_t RollupAir::public_columns() const {
  return layout_ == AirLayout::v1 ? per::kPublicColumnsV1 : per::kPublicColumns;
}

std::vector<std::size_t> RollupAir::head_constraints() const {
  std::vector<std::size_t> head(kHeadConstraints);
  std::iota(head.begin(), head.end(), std::size_t{0});
  return head;
}

std::vector<unsigned> RollupAir::transition_degrees() const {
  std::vector<Deg> cur(col::kWidth, Deg::cell()), next(col::kWidth, Deg::cell());
  std::vector<Deg> periodic(per::kCount, Deg::cell());
  std::vector<Deg> out(kMaxConstraints);
  for (auto& o : out) o.d = kUnset;
  evaluate<Deg>(cur, next, periodic, out);
  std::vector<unsigned> degrees;
  for (const Deg& d : out) {
    if (d.d == kUnset) break;
    degrees.push_back(d.d);
  }
  return degrees;
}

std::vector<std::vector<Felt>> RollupAir::structure_columns() const {
  constexpr std::size_t kCycle = 8;
  std::vector<std::vector<Felt>> cols;
  std::vector<Felt> round(kCycle);
  for (std::size_t r = 0; r < hash::kRounds; ++r) round[r] = Felt::one();
  cols.push_back(round);
  for (const auto* ark : {&hash::ark1(), &hash::ark2()})
    for (std::size_t i = 0; i < hash::kStateWidth; ++i) {
      std::vector<Felt> c(kCycle);
      for (std::size_t r = 0; r < hash::kRounds; ++r) c[r] = (*ark)[r][i];
      cols.push_back(c);
    }
  const std::size_t R = op_rows_, cycles = R / kCycle;
  auto marks = [&](std::initializer_list<std::size_t> rows) {
    std::vector<Felt> c(R);
    for (std::size_t r : rows) c[r] = Felt::one();
    return c;
  };
  std::vector<Felt> merge(R), pow(R), hold(R);
  for (std::size_t cy = 2; cy + 1 < cycles; ++cy) merge[8 * cy + 7] = Felt::one();
  for (std::size_t cy = 1; cy + 1 < cycles; ++cy) pow[8 * cy + 7] = Felt(std::uint64_t{1} << (cy - 1));
  for (std::size_t r = 0; r < 8; ++r) hold[r] = Felt::one();
  cols.push_back(marks({0}));        // kRow0
  cols.push_back(marks({7}));        // kLeaf
  cols.push_back(marks({8}));        // kRow8
  cols.push_back(marks({15}));       // kFirst
  cols.push_back(merge);             // kMerge
  cols.push_back(pow);               // kPow
  cols.push_back(marks({R - 1}));    // kLast
  cols.push_back(hold);              // kHold
  cols.push_back(marks({8 + 53}));   // kZeroA: 53 bits from row 8
  cols.push_back(marks({8 + 55}));   // kZeroB: 55 bits from row 8
  cols.push_back(marks({0, 8}));     // kBin
  return cols;
}

std::array<Felt, per::kPublicColumns> RollupAir::public_values(std::size_t o, std::size_t row) const {
  namespace q0 = public_col::row0;
  namespace q8 = public_col::row8;
  namespace q15 = public_col::row15;
  namespace qlast = public_col::last;
  namespace sole = public_col::sole;
  std::array<Felt, per::kPublicColumns> v{};
  const bool v2 = layout_ == AirLayout::v2;
  if (o >= ops_.size()) return v;  // pad ops carry no public values
  const Op& op = ops_[o];
  const OpKind kind = op.kind;
  const bool state = is_state_op(kind);
  const bool low = kind == OpKind::key_low;
  const auto flag = [](bool b) { return b ? Felt::one() : Felt::zero(); };
  if (row == 0) {
    for (std::size_t j = 0; j < 8; ++j) v[q0::kKey + j] = op.key[j];
    v[q0::kTag] = Felt(leaf_capacity_tag(kind));
    v[q0::kBindKey] = flag(binds_leaf_key(kind));
    v[q0::kKeyLow] = flag(low);
  } else if (row == 8) {
    if (state) {
      v[q8::kDelta] = op.delta, v[q8::kInc] = op.inc, v[q8::kNonce] = op.nonce;
      v[q8::kA1] = op.a1, v[q8::kA2] = op.a2, v[q8::kA3] = op.a3, v[q8::kB1] = op.b1, v[q8::kB3] = op.b3;
    } else if (low) {
      for (std::size_t j = 0; j < smt::kKeyLimbs; ++j) v[q8::kKey + j] = op.key[j];
    }
    v[q8::kNonceEq] = flag(state && op.nonce_eq);
    v[q8::kBadNonce] = flag(state && op.bad_nonce);
    v[q8::kState] = flag(state);
    v[q8::kKeyOp] = flag(is_key_op(kind));
    v[q8::kEmpty] = flag(writes_empty_leaf(kind));
    v[q8::kKeyLow] = flag(low);
    v[q8::kInsert] = flag(low && op.insert);
    v[q8::kKeyNew] = flag(kind == OpKind::key_new);
    if (v2) v[sole::kState8] = v[q8::kState], v[sole::kBadNonce8] = v[q8::kBadNonce];
  } else if (row == 15) {
    v[q15::kEmpty] = flag(writes_empty_leaf(kind));
    if (v2) v[sole::kEmpty15] = v[q15::kEmpty];
  } else if (row == op_rows_ - 1) {
    v[qlast::kState] = flag(state);
    v[qlast::kKeyOp] = flag(is_key_op(kind));
    v[qlast::kCreates] = flag(creates_account(kind));
    v[qlast::kIndexIsCount] = flag(writes_empty_leaf(kind));
    v[qlast::kNextKeyNew] = flag(o + 1 < ops_.size() && ops_[o + 1].kind == OpKind::key_new);
  }
  return v;
}

std::vector<std::size_t> RollupAir::periodic_periods() const {
  std::vector<std::size_t> periods;
  for (const auto& c : structure_polys_) periods.push_back(c.size());
  periods.resize(per::kPublic + public_columns(), n_);
  return periods;
}

std::vector<std::vector<Felt>> RollupAir::periodic_columns() const {
  auto cols = structure_columns();
  if (!std::has_single_bit(op_rows_))  // an op's pattern, repeated along the trace (the last op cut)
    for (std::size_t k = per::kRow0; k < per::kPublic; ++k) {
      std::vector<Felt> whole(n_);
      for (std::size_t i = 0; i < n_; ++i) whole[i] = cols[k][i % op_rows_];
      cols[k] = std::move(whole);
    }
  const std::size_t publics = public_columns();
  cols.resize(per::kPublic + publics, std::vector<Felt>(n_));
  for (std::size_t o = 0; o < ops_.size(); ++o)
    for (std::size_t r : public_rows()) {
      const auto v = public_values(o, r);
      for (std::size_t k = 0; k < publics; ++k) cols[per::kPublic + k][o * op_rows_ + r] = v[k];
    }
  return cols;
}

bool RollupAir::periodic_values_at(const Ext2& z, std::span<Ext2> out) const {
  const std::size_t publics = public_columns();
  if (out.size() != per::kPublic + publics) return false;
  for (std::size_t k = 0; k < structure_polys_.size(); ++k)
    out[k] = field::evaluate_polynomial(std::span<const Felt>(structure_polys_[k]),
                                        z.pow(n_ / structure_polys_[k].size()));
  // The public columns vanish off the ops' public rows: sum their Lagrange terms only,
  //   P(z) = (z^n - 1) / n * sum_i v_i * w^i / (z - w^i).
  const Felt w = field::root_of_unity(static_cast<unsigned>(std::countr_zero(n_)));
  const Ext2 scale = (z.pow(n_) - Felt::one()) * Felt(n_).inverse();
  if (structure_polys_.size() < per::kRow0 + 1) {
    // Op-level columns as long as the trace (R not a power of two): the same sum over the rows of
    // every op (the last one cut at n) where any of them is non-zero.
    const auto patterns = structure_columns();
    std::vector<std::size_t> live;
    for (std::size_t r = 0; r < op_rows_; ++r)
      for (std::size_t k = per::kRow0; k < per::kPublic; ++k)
        if (patterns[k][r] != Felt::zero()) {
          live.push_back(r);
          break;
        }
    std::vector<Felt> w_live(live.size());
    for (std::size_t t = 0; t < live.size(); ++t) w_live[t] = w.pow(live[t]);
    // Every column is a combination of the same sums over the ops, one per live row r:
    //   S_r = sum_o w^(oR + r) / (z - w^(oR + r))   (stark/pinned_rows.hpp, with v = 1).
    if (z.imag() == Felt::zero()) return false;  // z in F_p (never drawn so): interpolate instead
    const Felt w_op = w.pow(op_rows_);
    // The points in op order, each op's live rows in turn (the last op cut at n), taken in chunks
    // that stay in cache, each chunk's weights from one inversion.
    constexpr std::size_t kChunk = 2048;
    std::vector<Felt> points(kChunk), weights(kChunk);
    std::vector<std::uint16_t> row_of(kChunk);  // live.size() <= R <= 256
    std::vector<Felt> sum_q(live.size());
    std::vector<field::Accumulator> sum_qp(live.size());
    std::size_t filled = 0;
    const auto flush = [&] {
      stark::pinned_row_weights(z, std::span<const Felt>(points.data(), filled), weights);
      for (std::size_t m = 0; m < filled; ++m) {
        sum_q[row_of[m]] += weights[m];
        sum_qp[row_of[m]].add_product(weights[m], points[m]);
      }
      filled = 0;
    };
    Felt base = Felt::one();
    for (std::size_t start = 0; start < n_; start += op_rows_, base *= w_op)
      for (std::size_t t = 0; t < live.size() && start + live[t] < n_; ++t) {
        points[filled] = base * w_live[t];
        row_of[filled] = static_cast<std::uint16_t>(t);
        if (++filled == kChunk) flush();
      }
    flush();
    std::vector<Ext2> by_row(live.size());
    for (std::size_t t = 0; t < live.size(); ++t) by_row[t] = stark::pinned_row_sum(z, sum_q[t], sum_qp[t].reduce());
    std::array<Ext2, per::kPublic - per::kRow0> acc{};
    for (std::size_t t = 0; t < live.size(); ++t)
      for (std::size_t k = per::kRow0; k < per::kPublic; ++k)
        if (const Felt v = patterns[k][live[t]]; v != Felt::zero()) acc[k - per::kRow0] += by_row[t] * v;
    for (std::size_t k = per::kRow0; k < per::kPublic; ++k) out[k] = acc[k - per::kRow0] * scale;
  }
  const auto rows = public_rows();
  std::array<Felt, 4> w_row;
  for (std::size_t i = 0; i < rows.size(); ++i) w_row[i] = w.pow(rows[i]);
  const Felt w_op = w.pow(op_rows_);
  // As for the structure sums (stark/pinned_rows.hpp), a cache-sized chunk of points at a time.
  if (z.imag() == Felt::zero()) return false;
  constexpr std::size_t kChunk = 2048;
  std::vector<Felt> points(kChunk), weights(kChunk);
  std::array<field::Accumulator, per::kPublicColumns> sum_q{}, sum_qp{};
  std::size_t first_op = 0, filled = 0;
  const auto flush = [&] {
    stark::pinned_row_weights(z, std::span<const Felt>(points.data(), filled), weights);
    for (std::size_t m = 0; m < filled; ++m) {
      const Felt q = weights[m], qp = q * points[m];
      const auto v = public_values(first_op + m / rows.size(), rows[m % rows.size()]);
      for (std::size_t k = 0; k < publics; ++k)
        if (v[k] != Felt::zero()) {
          sum_q[k].add_product(q, v[k]);
          sum_qp[k].add_product(qp, v[k]);
        }
    }
    first_op += filled / rows.size();
    filled = 0;
  };
  static_assert(kChunk % std::tuple_size_v<decltype(rows)> == 0, "a chunk holds whole ops");
  Felt base = Felt::one();
  for (std::size_t o = 0; o < ops_.size(); ++o, base *= w_op)
    for (std::size_t i = 0; i < rows.size(); ++i) {
      points[filled] = base * w_row[i];
      if (++filled == kChunk) flush();
    }
  flush();
  for (std::size_t k = 0; k < publics; ++k)
    out[per::kPublic + k] = stark::pinned_row_sum(z, sum_q[k].reduce(), sum_qp[k].reduce()) * scale;
  return true;
}

std::vector<stark::BoundaryConstraint> RollupAir::boundary_constraints() const {
  std::vector<stark::BoundaryConstraint> b;
  const std::size_t last = n_ - 1;
  const BlockPublics& p = publics_;
  for (std::size_t j = 0; j < 4; ++j) {
    b.push_back({col::kStateRoot + j, 0, p.sub_pre_state[j]});
    b.push_back({col::kKeyRoot + j, 0, p.sub_pre_keys[j]});
  }
  b.push_back({col::kCount, 0, Felt(p.pre_keys.count)});
  b.push_back({col::kIndex, 0, Felt::zero()});
  for (std::size_t j = 0; j < 4; ++j) {
    b.push_back({col::kStateRoot + j, last, p.sub_post_state[j]});
    b.push_back({col::kKeyRoot + j, last, p.sub_post_keys[j]});
  }
  b.push_back({col::kCount, last, Felt(p.post_keys.count)});
  return b;
}

}  // namespace rollup::air
