#include "air/witness.hpp"

#include <fmt/format.h>

#include <unordered_map>

#include "core/limits.hpp"
#include "core/parallel.hpp"
#include "smt/subtree.hpp"

namespace rollup::air {

namespace {

std::vector<PublicKey> keys_of(const vm::State& state) {
  std::vector<PublicKey> keys(state.size());
  for (std::uint64_t i = 0; i < state.size(); ++i) keys[i] = state.account(i).key;
  return keys;
}

// Accounts as a block changes them, over the unchanged pre-state.
class Overlay {
 public:
  explicit Overlay(const vm::State& pre) : pre_(pre), count_(pre.size()) {}

  std::optional<std::uint64_t> index_of(const PublicKey& key) const {
    if (auto it = created_.find(key); it != created_.end()) return it->second;
    return pre_.index_of(key);
  }
  bool exists(const PublicKey& key) const { return index_of(key).has_value(); }
  vm::Account& at(std::uint64_t index) {
    auto it = changed_.find(index);
    if (it == changed_.end()) it = changed_.emplace(index, pre_.account(index)).first;
    return it->second;
  }
  std::uint64_t balance(const PublicKey& key) {
    auto idx = index_of(key);
    return idx ? at(*idx).balance : 0;
  }
  std::uint64_t create(const PublicKey& key) {
    const std::uint64_t idx = count_++;
    created_.emplace(key, idx);
    changed_.emplace(idx, vm::Account{key, 0, 0});
    return idx;
  }
  std::uint64_t ensure(const PublicKey& key) {
    auto idx = index_of(key);
    return idx ? *idx : create(key);
  }
  std::uint64_t count() const { return count_; }

 private:
  const vm::State& pre_;
  std::uint64_t count_;
  std::unordered_map<PublicKey, std::uint64_t, vm::KeyHash> created_;
  std::unordered_map<std::uint64_t, vm::Account> changed_;
};

// The first limb where a and b differ (smt::kKeyLimbs when they are equal).
std::size_t first_difference(std::span<const Felt> a, std::span<const Felt> b) {
  for (std::size_t j = 0; j < smt::kKeyLimbs; ++j)
    if (a[j] != b[j]) return j;
  return smt::kKeyLimbs;
}

template <std::size_t N>
std::array<Felt, N> felts(const smt::PackedKey& k) {
  std::array<Felt, N> out{};
  for (std::size_t j = 0; j < smt::kKeyLimbs; ++j) out[j] = Felt(k[j]);
  return out;
}

}  // namespace

ProverState::ProverState(vm::State state, unsigned threads)
    : state_(std::move(state)), keys_(smt::KeyTree::from_keys(keys_of(state_), threads)) {}

vm::BlockOutcome ProverState::advance(const codec::Block& block, const vm::RollupParams& params,
                                      unsigned threads) {
  const auto& txs = vm::rollup_txs(block, params.namespace_id);
  const std::uint64_t before = state_.size();
  auto outcome = state_.apply_block(block, params, vm::check_signatures(txs, params, threads), threads);
  for (std::uint64_t i = before; i < state_.size(); ++i) keys_.insert(smt::pack_key(state_.account(i).key));
  return outcome;
}

std::vector<ReceiptClaim> derive_claims(const vm::State& pre, const codec::Block& block,
                                        const vm::RollupParams& params,
                                        const std::vector<vm::Receipt>& receipts) {
  Overlay acc(pre);
  std::vector<ReceiptClaim> claims;
  claims.reserve(receipts.size());
  std::size_t r = 0;
  auto credit = [&](const PublicKey& key, std::uint64_t amount) { acc.at(acc.ensure(key)).balance += amount; };
  for (const auto& d : block.deposits_of(params.namespace_id).deposits) {
    ReceiptClaim c;
    c.reason = receipts[r++].reason;
    if (c.reason == vm::Reason::none) {
      c.to_new = !acc.exists(d.to);
      credit(d.to, d.amount);
    }
    claims.push_back(c);
  }
  const PublicKey& fr = block.fee_recipient;
  for (const auto& tx : vm::rollup_txs(block, params.namespace_id)) {
    ReceiptClaim c;
    c.reason = receipts[r++].reason;
    const bool transfer = tx.type == codec::TxType::transfer;
    if (c.reason == vm::Reason::none) {
      vm::Account& from = acc.at(*acc.index_of(tx.from));
      from.balance -= tx.amount + tx.fee;
      from.nonce += 1;
      if (transfer) {
        c.to_new = !acc.exists(tx.to);
        credit(tx.to, tx.amount);
      }
      if (tx.fee > 0) {
        if (fr != tx.from && !(transfer && fr == tx.to)) c.fee_new = !acc.exists(fr);
        credit(fr, tx.fee);
      }
    } else if (c.reason == vm::Reason::balance_overflow) {
      const std::uint64_t after_to =
          transfer ? acc.balance(tx.to) + tx.amount + (tx.to == fr ? tx.fee : 0) : 0;
      if (transfer && after_to >= kBalanceLimit) c.to_new = !acc.exists(tx.to);
      else c.at_fee = true;
    }
    claims.push_back(c);
  }
  return claims;
}

Result<BlockWitness> make_full_witness(const ProverState& state, const codec::Block& block,
                                       const vm::RollupParams& params,
                                       const std::vector<bool>& signature_ok, unsigned threads,
                                       const std::vector<ReceiptClaim>* forced_claims) {
  const vm::State& pre = state.state();
  BlockWitness w{.publics = {},
                 .claims = {},
                 .program = {},
                 .ops = {},
                 .outcome = {},
                 .post_state = pre,
                 .post_keys = state.keys(),
                 .left_nodes = {}};
  w.outcome = w.post_state.apply_block(block, params, signature_ok, threads);
  w.claims = forced_claims ? *forced_claims : derive_claims(pre, block, params, w.outcome.receipts);
  w.program = ROLLUP_TRY(build_program(block, params, signature_ok, w.claims));

  const std::uint64_t pre_count = pre.size(), post_count = pre_count + w.program.created;
  BlockPublics& pub = w.publics;
  pub.chain_id = params.chain_id;
  pub.namespace_id = params.namespace_id;
  pub.height = block.height;
  pub.block_hashes = {block.hash};
  pub.pre_root = hash::digest_bytes(pre.root());
  pub.pre_keys = state.keys().commitment();
  pub.post_keys.count = post_count;
  for (unsigned level = 0; level <= smt::kDepth; ++level) {
    w.left_nodes.pre_state[level] = pre.tree().node(level, 0);
    w.left_nodes.pre_keys[level] = state.keys().tree().node(level, 0);
  }

  // Execute the program over the pre-state, recording what each op opens and writes. Each op
  // opens its leaf as the ops before it left the tree, so the paths depend on one another; they
  // are hashed afterwards, all ops' paths level by level side by side (Tree::open_batches),
  // rather than a commit and a proof per op. The state tree is read, never copied.
  smt::KeyTree& keys = w.post_keys;
  Overlay acc(pre);
  std::array<Felt, smt::kKeyLimbs> link{};
  // One batch per op of each tree: the leaf it writes (none for a cheat's absent account or a
  // key_low that inserts nothing), and the leaf it opens.
  std::vector<smt::Tree::LeafBatch> state_batches, key_batches;
  std::vector<std::uint64_t> state_opened, key_opened;
  std::vector<smt::LeafInput> state_leaves;
  std::vector<std::size_t> state_op, key_op;  // the op of each batch
  w.ops.reserve(w.program.ops.size());
  for (const Op& op : w.program.ops) {
    OpWitness ow;
    ow.lane_key = op.key;
    if (is_state_op(op.kind)) {
      const PublicKey& key = op.account;
      vm::Account* account = nullptr;
      if (creates_account(op.kind)) {
        ow.position = acc.create(key);
        account = &acc.at(ow.position);
      } else if (auto idx = acc.index_of(key)) {
        ow.position = *idx;
        account = &acc.at(*idx);
      }
      vm::Account before = account ? *account : vm::Account{key, 0, 0};  // a cheat's absent key
      ow.old_payload = {Felt(before.balance), Felt(before.nonce)};
      ow.new_payload = {Felt(before.balance) + op.delta, Felt(before.nonce) + op.inc};
      state_batches.emplace_back();
      if (account) {
        account->balance = ow.new_payload[0].value();
        account->nonce = ow.new_payload[1].value();
        state_batches.back().emplace_back(ow.position, Digest{});  // the leaf, hashed below
        state_leaves.push_back({key, account->balance, account->nonce});
      }
      state_opened.push_back(ow.position);
      state_op.push_back(w.ops.size());
    } else if (op.kind == OpKind::key_low) {
      smt::PackedKey k{};
      for (std::size_t j = 0; j < smt::kKeyLimbs; ++j) k[j] = op.key[j].value();
      ow.position = keys.low_position(k);
      ow.lane_key = felts<8>(keys.key_at(ow.position));
      ow.old_payload = felts<smt::kKeyLimbs>(keys.next_at(ow.position));
      ow.new_payload = op.insert ? felts<smt::kKeyLimbs>(k) : ow.old_payload;
      link = ow.old_payload;
      ow.link = link;
      key_batches.emplace_back();
      if (op.insert) key_batches.back().push_back(keys.set_next_unhashed(ow.position, k));
      key_opened.push_back(ow.position);
      key_op.push_back(w.ops.size());
    } else if (op.kind == OpKind::key_new) {
      smt::PackedKey k{}, next{};
      for (std::size_t j = 0; j < smt::kKeyLimbs; ++j) k[j] = op.key[j].value(), next[j] = link[j].value();
      ow.position = keys.count() + 1;
      ow.new_payload = link;
      ow.link = link;
      key_batches.push_back({keys.append_unhashed(k, next)});
      key_opened.push_back(ow.position);
      key_op.push_back(w.ops.size());
    }
    w.ops.push_back(std::move(ow));
  }
  const std::vector<Digest> leaves = smt::leaf_digests(state_leaves, threads);
  for (std::size_t b = 0, l = 0; b < state_batches.size(); ++b)
    for (auto& write : state_batches[b]) write.second = leaves[l++];
  const smt::BatchOpenings state_paths = pre.tree().open_batches(state_batches, state_opened, threads);
  const smt::BatchOpenings key_paths = keys.tree().open_batches(key_batches, key_opened, threads);
  keys.load_nodes(key_paths.updates);
  auto fill_siblings = [&](const smt::BatchOpenings& paths, const std::vector<std::size_t>& op_of) {
    for (std::size_t b = 0; b < op_of.size(); ++b) {
      const auto& siblings = paths.openings[b].siblings;
      w.ops[op_of[b]].siblings.assign(siblings.begin(), siblings.end());
    }
  };
  fill_siblings(state_paths, state_op);
  fill_siblings(key_paths, key_op);

  // The state tree's left nodes after the ops: the last value the batches gave each.
  w.left_nodes.post_state = w.left_nodes.pre_state;
  for (const auto& node : state_paths.updates)
    if (node.index == 0) w.left_nodes.post_state[node.level] = node.digest;
  for (unsigned level = 0; level <= smt::kDepth; ++level) w.left_nodes.post_keys[level] = keys.tree().node(level, 0);

  if (!forced_claims) {
    // The program, executed, must land where the STF did.
    const Digest post_root = w.left_nodes.post_state[smt::kDepth];
    if (post_root != w.outcome.post_root || keys.count() != w.post_state.size() ||
        post_count != w.post_state.size())
      return fail(Errc::internal, fmt::format("block {}: the op program disagrees with the state transition",
                                              block.height));
  }
  return w;
}

Status set_depth(BlockWitness& w, unsigned depth) {
  BlockPublics& pub = w.publics;
  const std::uint64_t post_count = pub.post_keys.count;
  pub.depth = depth_for(post_count + 1);  // key positions 0 .. post_count
  if (pub.depth == 0) return fail(Errc::internal, "the state outgrows the largest subtree depth");
  if (depth != 0) {
    if (!valid_depth(depth) || depth < pub.depth)
      return fail(Errc::internal, fmt::format("block {}: subtree depth {} is too small", pub.height, depth));
    pub.depth = depth;
  }
  const auto& left = w.left_nodes;
  pub.sub_pre_state = left.pre_state[pub.depth];
  pub.sub_pre_keys = left.pre_keys[pub.depth];
  pub.sub_post_state = left.post_state[pub.depth];
  pub.sub_post_keys = left.post_keys[pub.depth];
  pub.post_root = hash::digest_bytes(smt::lift_root(pub.sub_post_state, pub.depth));
  pub.post_keys = smt::KeySetCommitment{hash::digest_bytes(smt::lift_root(pub.sub_post_keys, pub.depth)), post_count};
  // Every leaf lies in the subtree, so its root lifted is the whole tree's.
  if (smt::lift_root(pub.sub_post_keys, pub.depth) != left.post_keys[smt::kDepth] ||
      smt::lift_root(pub.sub_post_state, pub.depth) != left.post_state[smt::kDepth])
    return fail(Errc::internal, fmt::format("block {}: a leaf lies outside the depth-{} subtree", pub.height, pub.depth));
  for (OpWitness& op : w.ops)
    if (!op.siblings.empty()) op.siblings.resize(pub.depth);
  return {};
}

Result<BlockWitness> make_witness(const ProverState& state, const codec::Block& block,
                                  const vm::RollupParams& params,
                                  const std::vector<bool>& signature_ok, unsigned threads,
                                  const std::vector<ReceiptClaim>* forced_claims,
                                  unsigned depth) {
  auto w = ROLLUP_TRY(make_full_witness(state, block, params, signature_ok, threads, forced_claims));
  ROLLUP_TRY(set_depth(w, depth));
  return w;
}

stark::Trace build_trace(const RollupAir& air, const std::vector<OpWitness>& witness,
                         unsigned threads) {
  using namespace col;
  const std::size_t n = air.trace_length(), R = air.op_rows(), cycles = R / 8;
  const std::size_t total_ops = (n + R - 1) / R;  // the last one cut at n when R is not a power of 2
  const auto& ops = air.ops();
  stark::Trace trace(kWidth, n);
  std::vector<Digest> old_roots(total_ops), new_roots(total_ops);
  const Felt half = Felt(2).inverse();
  static const OpWitness kPadWitness;
  static const Op kPadOp;
  const auto op_at = [&](std::size_t o) -> const Op& { return o < ops.size() ? ops[o] : kPadOp; };
  const auto witness_at = [&](std::size_t o) -> const OpWitness& {
    return o < ops.size() ? witness[o] : kPadWitness;
  };
  parallel_for(total_ops, threads, [&](std::size_t begin, std::size_t end) {
    // The two lanes of kGroupOps ops at a time, one permutation per cycle: row 8c is a cycle's
    // input, 8c + r its state after r rounds. The ops' permutations are independent, so each
    // round runs on all their lanes at once (hash::apply_round_many, one vector kernel call).
    constexpr std::size_t kGroupOps = 4;
    for (std::size_t first = begin; first < end; first += kGroupOps) {
      const std::size_t group = std::min(kGroupOps, end - first);
      std::array<hash::State, 2 * kGroupOps> lanes{};  // op first + i, lane l at 2 i + l
      std::array<Felt, kGroupOps> index_acc{};
      const auto put = [&](std::size_t o, std::size_t column, std::size_t row, Felt v) {
        if (o * R + row < n) trace.at(column, o * R + row) = v;
      };
      for (std::size_t cycle = 0; cycle < cycles; ++cycle) {
        for (std::size_t i = 0; i < group; ++i) {
          const std::size_t o = first + i;
          const Op& op = op_at(o);
          const OpWitness& ow = witness_at(o);
          if (cycle == 0) {
            for (int l = 0; l < 2; ++l) {
              hash::State& s = lanes[2 * i + l];
              s = hash::State{};
              s[0] = Felt(leaf_capacity_tag(op.kind));
              for (std::size_t j = 0; j < 8; ++j) s[4 + j] = ow.lane_key[j];
            }
          } else if (cycle == 1) {
            for (int l = 0; l < 2; ++l) {
              const auto& payload = l == 0 ? ow.old_payload : ow.new_payload;
              for (std::size_t j = 0; j < 8; ++j)
                lanes[2 * i + l][4 + j] = j < smt::kKeyLimbs ? payload[j] : Felt::zero();
            }
          } else {
            const std::size_t level = cycle - 2;
            const bool bit = (ow.position >> level) & 1;
            const Digest sib = level < ow.siblings.size() ? ow.siblings[level] : Digest{};
            for (int l = 0; l < 2; ++l) {
              Digest d{};
              if (!(l == 0 && level == 0 && writes_empty_leaf(op.kind)))
                for (std::size_t j = 0; j < 4; ++j) d[j] = lanes[2 * i + l][4 + j];
              hash::State s{};
              for (std::size_t j = 0; j < 4; ++j) {
                s[4 + j] = bit ? sib[j] : d[j];
                s[8 + j] = bit ? d[j] : sib[j];
              }
              lanes[2 * i + l] = s;
            }
            put(o, kBit, 8 * cycle, Felt(bit));
            if (bit) index_acc[i] += Felt(std::uint64_t{1} << level);
          }
          for (std::size_t r = 0; r < 8; ++r) put(o, kIndex, 8 * cycle + r, index_acc[i]);
          for (int l = 0; l < 2; ++l)
            for (std::size_t e = 0; e < 12; ++e) put(o, (l == 0 ? kOld : kNew) + e, 8 * cycle, lanes[2 * i + l][e]);
        }
        const std::span<hash::State> states(lanes.data(), 2 * group);
        for (std::size_t r = 0; r < hash::kRounds; ++r) {
          hash::apply_round_many(states, r);
          for (std::size_t i = 0; i < group; ++i)
            for (int l = 0; l < 2; ++l)
              for (std::size_t e = 0; e < 12; ++e)
                put(first + i, (l == 0 ? kOld : kNew) + e, 8 * cycle + r + 1, lanes[2 * i + l][e]);
        }
      }
      for (std::size_t i = 0; i < group; ++i)
        for (std::size_t j = 0; j < 4; ++j) {
          old_roots[first + i][j] = lanes[2 * i][4 + j];
          new_roots[first + i][j] = lanes[2 * i + 1][4 + j];
        }
    }

    for (std::size_t o = begin; o < end; ++o) {
      const std::size_t base = o * R;
      const Op& op = op_at(o);
      const OpWitness& ow = witness_at(o);
      const bool state = is_state_op(op.kind);
      const bool low = op.kind == OpKind::key_low;
      auto put = [&](std::size_t column, std::size_t row, Felt v) {
        if (base + row < n) trace.at(column, base + row) = v;
      };

      // Key comparisons: flags at rows 0 (low key < key) and 8 (key < old next).
      Felt d1 = Felt::zero(), d2 = Felt::zero();
      if (low) {
        const std::span<const Felt> key(op.key.data(), smt::kKeyLimbs), low_key(ow.lane_key.data(), smt::kKeyLimbs),
            next(ow.old_payload.data(), smt::kKeyLimbs);
        if (std::size_t j = first_difference(low_key, key); j < smt::kKeyLimbs) {
          put(kFlags + j, 0, Felt::one());
          d1 = key[j] - low_key[j] - Felt::one();
        }
        if (std::size_t j = first_difference(key, next); j < smt::kKeyLimbs) {
          put(kFlags + j, 8, Felt::one());
          d2 = next[j] - key[j] - Felt::one();
        }
      }
      if (state && op.bad_nonce) put(kBit, 8, (ow.old_payload[1] - op.nonce).inverse());
      for (std::size_t r = 0; r < R; ++r) {
        put(kD1, r, d1);
        for (std::size_t j = 0; j < smt::kKeyLimbs; ++j) put(kLink + j, r, ow.link[j]);
      }

      // Range checks: the value enters at row 8 and its bits shift out, lowest first.
      const Felt bo = ow.old_payload[0], bn = ow.new_payload[0];
      const Felt target_a = state ? op.a1 * bo + op.a2 * bn + op.a3 : d1;
      const Felt target_b = state ? op.b1 * bo + op.b3 : d2;
      for (auto [acc_col, bit_col, value] : {std::tuple{kAccA, kBitA, target_a}, std::tuple{kAccB, kBitB, target_b}}) {
        Felt acc = value;
        for (std::size_t r = 8; r < R; ++r) {
          const Felt bit(acc.value() & 1);
          put(acc_col, r, acc);
          put(bit_col, r, bit);
          acc = (acc - bit) * half;
        }
      }
    }
  });

  // Registers: each op sees the roots and count its predecessors left.
  Digest state_root = air.publics().sub_pre_state, key_root = air.publics().sub_pre_keys;
  Felt count(air.publics().pre_keys.count);
  for (std::size_t o = 0; o < total_ops; ++o) {
    for (std::size_t r = o * R; r < std::min(n, (o + 1) * R); ++r) {
      for (std::size_t j = 0; j < 4; ++j) {
        trace.at(kStateRoot + j, r) = state_root[j];
        trace.at(kKeyRoot + j, r) = key_root[j];
      }
      trace.at(kCount, r) = count;
    }
    if (o >= ops.size()) continue;
    const OpKind kind = ops[o].kind;
    if (is_state_op(kind)) state_root = new_roots[o];
    if (is_key_op(kind)) key_root = new_roots[o];
    if (creates_account(kind)) count += Felt::one();
  }
  return trace;
}

}  // namespace rollup::air
