// The debugging tools' parts of libcore: per-receipt traces of the STF (vm::ReceiptObserver),
// roots per batch beside the tree (smt::Tree::roots_after), state diffs, root bisection and
// receipt comparison (vm/replay.hpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "block_builder.hpp"
#include "crypto/crypto.hpp"
#include "vm/replay.hpp"
#include "wallet/wallet.hpp"

using namespace rollup;

namespace {
constexpr std::uint64_t kChain = 5;
constexpr std::uint32_t kNamespace = 2;
const vm::RollupParams kParams{kChain, kNamespace};
using BlockBuilder = test::BasicBlockBuilder<kNamespace>;

/// Random blocks with deposits and a mix of good and failing transfers among 20 keys.
std::vector<codec::Block> random_blocks(std::uint64_t seed, int count, int txs_per_block) {
  std::vector<crypto::KeyPair> keys;
  for (int i = 0; i < 20; ++i) keys.push_back(crypto::dev_key(100 + i));
  std::mt19937_64 rng(seed);
  std::vector<codec::Block> blocks;
  std::vector<std::uint64_t> nonces(keys.size(), 0);
  std::uint64_t deposit = 0;
  for (int h = 1; h <= count; ++h) {
    BlockBuilder b(keys[rng() % keys.size()].public_key, h, deposit);
    for (int d = 0; d < 3; ++d, ++deposit) b.deposit(keys[rng() % keys.size()].public_key, 1 + rng() % 50);
    for (int t = 0; t < txs_per_block; ++t) {
      std::size_t from = rng() % keys.size(), to = rng() % keys.size();
      std::uint64_t nonce = rng() % 4 == 0 ? nonces[from] + 1 : nonces[from];
      b.tx(wallet::sign_transfer(keys[from], keys[to].public_key, 1 + rng() % 30, rng() % 3, nonce, kParams));
      nonces[from] = nonce;
    }
    blocks.push_back(b.done());
  }
  return blocks;
}

std::vector<bool> signatures(const codec::Block& b) {
  return vm::check_signatures(vm::rollup_txs(b, kNamespace), kParams, 1);
}

struct Recorder final : vm::ReceiptObserver {
  bool roots = true;
  struct Seen {
    std::size_t position;
    vm::Receipt receipt;
    std::vector<vm::AccountChange> changes;
    vm::StateRoot before, after;
  };
  std::vector<Seen> seen;
  bool wants_roots() const override { return roots; }
  void on_receipt(const vm::ReceiptTrace& t) override {
    seen.push_back({t.position, *t.receipt, {t.changes.begin(), t.changes.end()}, t.root_before, t.root_after});
  }
};

}  // namespace

TEST_CASE("roots_after gives the root after each batch, as commits one by one would; commit_batches "
          "also leaves the tree as one commit would", "[smt]") {
  auto seed = Catch::rngSeed();
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  auto random_digest = [&] {
    smt::Digest d;
    for (auto& e : d) e = hash::Felt(rng() % 1000);
    return d;
  };
  smt::Tree tree, stepwise;
  for (std::uint64_t i = 0; i < 40; ++i) {
    auto leaf = random_digest();
    tree.set_leaf(i, leaf);
    stepwise.set_leaf(i, leaf);
  }
  tree.commit();
  stepwise.commit();
  const auto root_before = tree.root();
  std::vector<smt::Tree::LeafBatch> batches(30);
  for (auto& batch : batches) {
    // Empty batches, repeated indices, new indices past the end and far ones.
    int n = static_cast<int>(rng() % 4);
    for (int k = 0; k < n; ++k) {
      std::uint64_t index = rng() % 7 == 0 ? 1000 + rng() % 5 : rng() % 48;
      batch.emplace_back(index, random_digest());
    }
  }
  auto roots = tree.roots_after(batches, 2);
  REQUIRE(roots.size() == batches.size());
  for (std::size_t b = 0; b < batches.size(); ++b) {
    for (const auto& [index, leaf] : batches[b]) stepwise.set_leaf(index, leaf);
    stepwise.commit();
    CHECK(roots[b] == stepwise.root());
  }
  CHECK(tree.root() == root_before);  // the tree itself is untouched
  CHECK(tree.roots_after({}, 1).empty());

  // commit_batches: the same roots, and the tree and its node updates as one commit of every
  // batch's leaves would leave them (a leaf set back to its value included).
  smt::Tree once = tree, batched = tree;
  batches.push_back({{3, tree.node(0, 3)}});
  for (const auto& batch : batches)
    for (const auto& [index, leaf] : batch) once.set_leaf(index, leaf);
  auto updates = once.commit(2);
  auto commit = batched.commit_batches(batches, 2);
  CHECK(std::equal(roots.begin(), roots.end(), commit.roots.begin()));
  CHECK(commit.roots.back() == once.root());
  CHECK(batched.root() == once.root());
  CHECK(batched.size() == once.size());
  REQUIRE(commit.updates.size() == updates.size());
  for (std::size_t i = 0; i < updates.size(); ++i) {
    CHECK(commit.updates[i].level == updates[i].level);
    CHECK(commit.updates[i].index == updates[i].index);
    CHECK(commit.updates[i].digest == updates[i].digest);
  }
  for (std::uint64_t i = 0; i < 48; ++i) CHECK(batched.proof(i).siblings == once.proof(i).siblings);
}

TEST_CASE("an observed block has the outcome of an unobserved one, and traces chain its roots", "[vm]") {
  auto seed = Catch::rngSeed();
  INFO("seed " << seed);
  auto blocks = random_blocks(seed, 4, 25);
  vm::State plain, observed;
  for (const auto& block : blocks) {
    auto sigs = signatures(block);
    auto expected = plain.apply_block(block, kParams, sigs, 1);
    Recorder recorder;
    auto got = observed.apply_block(block, kParams, sigs, 2, &recorder);
    CHECK(vm::exec_to_json(got) == vm::exec_to_json(expected));
    CHECK(got.touched == expected.touched);
    REQUIRE(got.node_updates.size() == expected.node_updates.size());
    for (std::size_t i = 0; i < got.node_updates.size(); ++i) {
      CHECK(got.node_updates[i].level == expected.node_updates[i].level);
      CHECK(got.node_updates[i].index == expected.node_updates[i].index);
      CHECK(got.node_updates[i].digest == expected.node_updates[i].digest);
    }
    REQUIRE(recorder.seen.size() == expected.receipts.size());
    vm::StateRoot root = expected.pre_root;
    for (std::size_t i = 0; i < recorder.seen.size(); ++i) {
      const auto& s = recorder.seen[i];
      CHECK(s.position == i);
      CHECK(s.before == root);
      root = s.after;
      if (!s.receipt.ok()) {
        CHECK(s.changes.empty());
        CHECK(s.after == s.before);
      }
      for (std::size_t c = 0; c < s.changes.size(); ++c) {
        if (c) CHECK(s.changes[c - 1].index < s.changes[c].index);
        CHECK(s.changes[c].before.key == s.changes[c].after.key);
      }
    }
    CHECK(root == expected.post_root);
  }
}

TEST_CASE("a trace names each account a transfer changed, before and after", "[vm]") {
  const auto alice = crypto::dev_key(1), bob = crypto::dev_key(2), feeman = crypto::dev_key(4);
  vm::State s;
  s.apply_block(BlockBuilder(feeman.public_key).deposit(alice.public_key, 100).done(), kParams, {}, 1);
  auto block = BlockBuilder(feeman.public_key, 2)
                   .tx(wallet::sign_transfer(alice, bob.public_key, 30, 2, 0, kParams))
                   .tx(wallet::sign_transfer(alice, bob.public_key, 30, 2, 0, kParams))  // bad nonce
                   .done();
  Recorder recorder;
  recorder.roots = false;
  s.apply_block(block, kParams, signatures(block), 1, &recorder);
  REQUIRE(recorder.seen.size() == 2);
  const auto& ok = recorder.seen[0].changes;
  REQUIRE(ok.size() == 3);
  CHECK(ok[0].index == 0);
  CHECK(ok[0].before.balance == 100);
  CHECK(ok[0].after.balance == 68);
  CHECK(ok[0].before.nonce == 0);
  CHECK(ok[0].after.nonce == 1);
  CHECK(ok[1].after.key == bob.public_key);  // created by this tx: before is zero
  CHECK(ok[1].before.balance == 0);
  CHECK(ok[1].after.balance == 30);
  CHECK(ok[2].after.key == feeman.public_key);
  CHECK(ok[2].after.balance == 2);
  CHECK(recorder.seen[1].receipt.reason == vm::Reason::bad_nonce);
  CHECK(recorder.seen[1].changes.empty());
  auto line = codec::Json::parse(vm::replay_to_json(2, vm::ReceiptTrace{0, &recorder.seen[0].receipt, ok, {}, {}}));
  CHECK(line["kind"] == "replay");
  CHECK(line["receipt"]["status"] == "ok");
  CHECK(line["touched"].size() == 3);
  CHECK(line["touched"][0]["balance_before"] == 100);
  CHECK(line["touched"][0]["nonce_after"] == 1);
}

TEST_CASE("diff_states lists every index whose account differs or exists on one side", "[vm]") {
  auto key = [](int i) { return crypto::dev_key(200 + i).public_key; };
  vm::State a, b;
  a.load_accounts({{key(0), 5, 0}, {key(1), 7, 1}, {key(2), 9, 0}}, 1);
  b.load_accounts({{key(0), 5, 0}, {key(1), 8, 1}, {key(3), 9, 0}, {key(4), 1, 0}}, 1);
  auto d = vm::diff_states(a, b);
  REQUIRE(d.size() == 3);
  CHECK(d[0].index == 1);
  CHECK(d[0].a->balance == 7);
  CHECK(d[0].b->balance == 8);
  CHECK(d[1].index == 2);  // another key at the same index
  CHECK(d[2].index == 3);
  CHECK(!d[2].a);
  CHECK(vm::diff_states(a, a).empty());
  auto j = codec::Json::parse(vm::difference_to_json(d[2]));
  CHECK(j["a"].is_null());
  CHECK(j["b"]["balance"] == 1);
}

TEST_CASE("bisect_roots finds the first divergent height in O(log n) probes", "[vm]") {
  auto seed = Catch::rngSeed();
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  const std::uint64_t n = 10000;
  auto at = [](std::uint64_t h, std::uint8_t tag) {
    Hash32 r{};
    for (int i = 0; i < 8; ++i) r[i] = static_cast<std::uint8_t>(h >> (8 * i));
    r[31] = tag;
    return r;
  };
  for (int trial = 0; trial < 20; ++trial) {
    const std::uint64_t planted = rng() % (n + 1);
    vm::RootSource a = [&](std::uint64_t h) -> Result<Hash32> { return at(h, 0); };
    vm::RootSource b = [&](std::uint64_t h) -> Result<Hash32> { return at(h, h >= planted ? 1 : 0); };
    std::size_t probes = 0;
    auto found = vm::bisect_roots(0, n, a, b, &probes);
    REQUIRE(found);
    REQUIRE(*found);
    CHECK((*found)->height == planted);
    CHECK((*found)->b == at(planted, 1));
    CHECK(probes <= 2 + static_cast<std::size_t>(std::ceil(std::log2(n + 1))));
    auto none = vm::bisect_roots(0, n, a, a, &probes);
    REQUIRE(none);
    CHECK(!*none);
    CHECK(probes == 1);
  }
  vm::RootSource failing = [](std::uint64_t) -> Result<Hash32> { return fail(Errc::io, "unreadable"); };
  CHECK(!vm::bisect_roots(1, 5, failing, failing));
}

TEST_CASE("receipts compare by what they say and by their roots where both sides have them", "[vm]") {
  auto blocks = random_blocks(7, 1, 10);
  vm::State s;
  auto state_for_stored = s;
  Hash32 post{};
  auto steps = vm::replay_receipt_steps(s, kParams, blocks[0], 1, &post);
  auto outcome = state_for_stored.apply_block(blocks[0], kParams, signatures(blocks[0]), 1);
  CHECK(post == hash::digest_bytes(outcome.post_root));
  // An exec line read back gives the same receipts, without roots.
  vm::StoredExec stored{1, outcome.block_hash, {}, {}, vm::exec_to_json(outcome)};
  auto from_line = vm::stored_receipt_steps(stored);
  REQUIRE(from_line);
  REQUIRE(from_line->size() == steps.size());
  CHECK(!from_line->front().root_after);
  CHECK(!vm::first_different_receipt(steps, *from_line));
  CHECK(!vm::first_different_receipt(steps, steps));

  auto other = steps;
  other[5].root_after = Hash32{1};
  CHECK(vm::first_different_receipt(steps, other) == 5u);
  other = steps;
  other[4].receipt.reason = vm::Reason::bad_nonce == other[4].receipt.reason ? vm::Reason::none : vm::Reason::bad_nonce;
  CHECK(vm::first_different_receipt(steps, other) == 4u);
  other = steps;
  other.pop_back();
  CHECK(vm::first_different_receipt(steps, other) == steps.size() - 1);
  CHECK(vm::receipt_step_json(other, steps.size() - 1) == "null");

  stored.exec_line = R"({"kind":"exec","receipts":[{"type":"transfer","status":"ok"}]})";
  CHECK(!vm::stored_receipt_steps(stored));
}
