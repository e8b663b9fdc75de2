#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>
#include <tuple>
#include <vector>

#include "core/bytes.hpp"
#include "crypto/crypto.hpp"
#include "smt/key_set.hpp"
#include "smt/tree.hpp"

using rollup::hash::Digest;
using rollup::hash::Felt;
namespace smt = rollup::smt;
namespace rpo = rollup::hash;

namespace {

Digest random_digest(std::mt19937_64& rng) {
  Digest d;
  for (auto& e : d) e = Felt(rng() % Felt::kModulus);
  return d;
}

// The tree written the obvious way: recurse from the root, an empty range is the empty digest.
Digest naive_node(const std::map<std::uint64_t, Digest>& leaves, unsigned level,
                  std::uint64_t index) {
  std::uint64_t first = index << level, last = (index + 1) << level;
  auto it = leaves.lower_bound(first);
  if (it == leaves.end() || it->first >= last) {
    Digest empty{};
    for (unsigned l = 0; l < level; ++l) empty = rpo::merge(empty, empty);
    return empty;
  }
  if (level == 0) return it->second;
  return rpo::merge(naive_node(leaves, level - 1, 2 * index),
                    naive_node(leaves, level - 1, 2 * index + 1));
}

Digest naive_root(const std::map<std::uint64_t, Digest>& leaves) {
  return naive_node(leaves, smt::kDepth, 0);
}

using NodeKey = std::pair<unsigned, std::uint64_t>;

void check_updates(const smt::Tree& tree, const std::vector<smt::NodeUpdate>& updates) {
  std::set<NodeKey> seen;
  for (const auto& u : updates) {
    REQUIRE(seen.insert({u.level, u.index}).second);  // each node once
    REQUIRE(tree.node(u.level, u.index) == u.digest);
  }
  if (!updates.empty()) REQUIRE(seen.count({smt::kDepth, 0}) == 1);
}

}  // namespace

TEST_CASE("smt empty tree root matches the docs/design.md check value", "[smt]") {
  smt::Tree tree;
  REQUIRE(tree.size() == 0);
  REQUIRE(rollup::to_hex(rpo::digest_bytes(tree.root())) ==
          "0x186463f2bcb20fa220a85b08a59689dcd436c9dfcd499b3415f8fe0b1d6c811d");
  REQUIRE(tree.root() == smt::empty_digest(smt::kDepth));
  REQUIRE(smt::empty_digest(0) == Digest{});
  REQUIRE(smt::empty_digest(1) == rpo::merge(Digest{}, Digest{}));
  REQUIRE(tree.commit().empty());
}

TEST_CASE("smt leaf digest hashes the key as little-endian u32 words", "[smt]") {
  rollup::PublicKey key;
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(0xA0 + i);
  std::vector<Felt> elements;
  for (std::size_t w = 0; w < 8; ++w) {
    std::uint64_t word = key[4 * w] | (key[4 * w + 1] << 8) | (key[4 * w + 2] << 16) |
                         (std::uint64_t(key[4 * w + 3]) << 24);
    elements.push_back(Felt(word));
  }
  elements.push_back(Felt(1000));
  elements.push_back(Felt(3));
  REQUIRE(smt::leaf_digest(key, 1000, 3) == rpo::hash_elements(elements));
  REQUIRE(smt::leaf_digest(key, 1000, 3) != smt::leaf_digest(key, 1000, 4));
}

TEST_CASE("smt commit agrees with a naive tree over random batches", "[smt]") {
  auto seed = Catch::rngSeed();
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  smt::Tree tree;
  std::map<std::uint64_t, Digest> leaves;
  for (int batch = 0; batch < 6; ++batch) {
    int n = 1 + static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) {
      // Dense growth, an overwrite, anywhere at all, or just past a small gap.
      std::uint64_t choice = rng() % 4, index = tree.size();
      if (choice == 1) index = tree.size() ? rng() % tree.size() : 0;
      if (choice == 2) index = rng() % (std::uint64_t{1} << 32);
      if (choice == 3) index = tree.size() + 1 + rng() % 5;
      index = std::min(index, (std::uint64_t{1} << 32) - 1);
      Digest d = random_digest(rng);
      tree.set_leaf(index, d);
      leaves[index] = d;
    }
    REQUIRE(tree.has_staged());
    auto updates = tree.commit();
    REQUIRE_FALSE(tree.has_staged());
    check_updates(tree, updates);
    REQUIRE(tree.root() == naive_root(leaves));
    REQUIRE(tree.size() == leaves.rbegin()->first + 1);
  }
}

TEST_CASE("smt proofs verify and fail when tampered with", "[smt]") {
  std::mt19937_64 rng(Catch::rngSeed());
  smt::Tree tree;
  for (std::uint64_t i = 0; i < 37; ++i) tree.set_leaf(i, random_digest(rng));
  tree.set_leaf(123456789, random_digest(rng));
  tree.commit();
  Digest root = tree.root();
  for (std::uint64_t index : {0ull, 1ull, 36ull, 37ull, 500ull, 123456789ull, 4294967295ull}) {
    INFO("index " << index);
    auto p = tree.proof(index);
    REQUIRE(p.leaf == tree.node(0, index));
    REQUIRE(smt::root_from_proof(p) == root);
    REQUIRE(smt::verify_proof(p, root));

    auto bad = p;
    bad.leaf[0] += Felt(1);
    REQUIRE_FALSE(smt::verify_proof(bad, root));
    for (unsigned level : {0u, 13u, 31u}) {
      bad = p;
      bad.siblings[level][3] += Felt(1);
      REQUIRE_FALSE(smt::verify_proof(bad, root));
    }
    if (p.leaf != p.siblings[0]) {  // inside an empty range every index has the same proof
      bad = p;
      bad.index ^= 1;
      REQUIRE_FALSE(smt::verify_proof(bad, root));
    }
    bad = p;
    bad.index += std::uint64_t{1} << 32;  // same low bits, out of range
    REQUIRE_FALSE(smt::verify_proof(bad, root));
    Digest wrong_root = root;
    wrong_root[1] += Felt(1);
    REQUIRE_FALSE(smt::verify_proof(p, wrong_root));
  }
}

TEST_CASE("smt commit with threads matches one thread", "[smt]") {
  std::mt19937_64 rng(Catch::rngSeed());
  smt::Tree one, two;
  for (int batch = 0; batch < 3; ++batch) {
    std::vector<std::pair<std::uint64_t, Digest>> writes;
    for (int i = 0; i < 3000; ++i) writes.emplace_back(one.size() + i, random_digest(rng));
    for (int i = 0; i < 500; ++i)
      writes.emplace_back(rng() % (one.size() + 3000), random_digest(rng));
    for (const auto& [index, d] : writes) {
      one.set_leaf(index, d);
      two.set_leaf(index, d);
    }
    auto u1 = one.commit(1);
    auto u2 = two.commit(2);
    REQUIRE(one.root() == two.root());
    REQUIRE(u1.size() == u2.size());
    for (std::size_t i = 0; i < u1.size(); ++i) {
      REQUIRE(u1[i].level == u2[i].level);
      REQUIRE(u1[i].index == u2[i].index);
      REQUIRE(u1[i].digest == u2[i].digest);
    }
  }
}

TEST_CASE("smt load of persisted updates rebuilds the tree", "[smt]") {
  std::mt19937_64 rng(Catch::rngSeed());
  smt::Tree tree;
  std::map<NodeKey, Digest> persisted;  // what a store keeps: the latest digest per node
  for (int batch = 0; batch < 4; ++batch) {
    for (int i = 0; i < 50; ++i) tree.set_leaf(tree.size(), random_digest(rng));
    for (int i = 0; i < 10; ++i) tree.set_leaf(rng() % tree.size(), random_digest(rng));
    tree.set_leaf(rng() % (std::uint64_t{1} << 32), random_digest(rng));
    for (const auto& u : tree.commit()) persisted[{u.level, u.index}] = u.digest;
  }
  std::vector<smt::NodeUpdate> nodes;
  for (const auto& [key, digest] : persisted) nodes.push_back({key.first, key.second, digest});
  std::shuffle(nodes.begin(), nodes.end(), rng);

  smt::Tree loaded;
  for (const auto& n : nodes) loaded.load(n);
  REQUIRE(loaded.root() == tree.root());
  REQUIRE(loaded.size() == tree.size());
  for (const auto& n : nodes) REQUIRE(loaded.node(n.level, n.index) == tree.node(n.level, n.index));
  for (std::uint64_t index :
       {std::uint64_t{0}, std::uint64_t{7}, tree.size() - 1, tree.size() + 10}) {
    auto a = tree.proof(index), b = loaded.proof(index);
    REQUIRE(a.leaf == b.leaf);
    REQUIRE(a.siblings == b.siblings);
  }

  // The loaded tree keeps working: the same change gives the same root in both.
  Digest d = random_digest(rng);
  tree.set_leaf(3, d);
  loaded.set_leaf(3, d);
  tree.commit();
  loaded.commit();
  REQUIRE(loaded.root() == tree.root());
}

TEST_CASE("smt same leaf twice in one batch keeps the last value", "[smt]") {
  std::mt19937_64 rng(Catch::rngSeed());
  Digest a = random_digest(rng), b = random_digest(rng), c = random_digest(rng);
  smt::Tree twice, once;
  twice.set_leaf(0, c);
  twice.set_leaf(5, a);
  twice.set_leaf(5, b);
  once.set_leaf(0, c);
  once.set_leaf(5, b);
  auto updates = twice.commit();
  once.commit();
  REQUIRE(twice.root() == once.root());
  REQUIRE(twice.node(0, 5) == b);
  REQUIRE(std::count_if(updates.begin(), updates.end(),
                        [](const auto& u) { return u.level == 0 && u.index == 5; }) == 1);
  check_updates(twice, updates);

  // Setting a leaf back to its committed value is no change at all.
  twice.set_leaf(5, a);
  twice.set_leaf(5, b);
  REQUIRE(twice.commit().empty());
  REQUIRE(twice.root() == once.root());
}

TEST_CASE("smt rejects misuse", "[smt]") {
  smt::Tree tree;
  REQUIRE_THROWS_AS(tree.set_leaf(std::uint64_t{1} << 32, Digest{}), std::out_of_range);
  REQUIRE_THROWS_AS(tree.node(33, 0), std::out_of_range);
  REQUIRE_THROWS_AS(tree.node(31, 2), std::out_of_range);
  tree.set_leaf(0, Digest{Felt(1), Felt(2), Felt(3), Felt(4)});
  REQUIRE_THROWS_AS(tree.root(), std::logic_error);
  REQUIRE_THROWS_AS(tree.proof(0), std::logic_error);
  tree.commit();
  REQUIRE_NOTHROW(tree.root());
}

TEST_CASE("batched leaf digests equal leaf_digest", "[smt]") {
  std::mt19937_64 rng(Catch::rngSeed());
  std::vector<rollup::smt::LeafInput> inputs(1000);
  for (auto& in : inputs) {
    for (auto& b : in.key) b = static_cast<std::uint8_t>(rng());
    in.balance = rng() % (1ULL << 53);
    in.nonce = rng() % 1000;
  }
  for (unsigned threads : {1u, 2u}) {
    auto batched = rollup::smt::leaf_digests(inputs, threads);
    REQUIRE(batched.size() == inputs.size());
    for (std::size_t i = 0; i < inputs.size(); ++i)
      REQUIRE(batched[i] == rollup::smt::leaf_digest(inputs[i].key, inputs[i].balance, inputs[i].nonce));
  }
  CHECK(rollup::smt::leaf_digests({}, 2).empty());
}

TEST_CASE("smt key set: the commitment is a function of the keys alone", "[smt]") {
  std::vector<rollup::PublicKey> keys;
  for (int i = 0; i < 40; ++i) keys.push_back(rollup::crypto::dev_key(100 + i).public_key);
  smt::KeyTree grown;
  for (const auto& k : keys) grown.insert(smt::pack_key(k));
  CHECK(grown.commitment() == smt::KeyTree::from_keys(keys, 2).commitment());
  CHECK(grown.count() == 40);
  // A sorted list: each leaf links to the next larger key, the low leaf of a key is its
  // predecessor's, and the largest key links to the end.
  std::map<smt::PackedKey, std::uint64_t> position;
  for (std::size_t i = 0; i < keys.size(); ++i) position[smt::pack_key(keys[i])] = i + 1;
  std::uint64_t prev = 0;
  for (const auto& [k, pos] : position) {
    CHECK(grown.next_at(prev) == k);
    CHECK(grown.low_position(k) == prev);
    prev = pos;
  }
  CHECK(grown.next_at(prev) == smt::end_key());
  std::vector<smt::PackedKey> sorted;
  for (const auto& [k, pos] : position) sorted.push_back(k);
  CHECK(smt::key_less(smt::sentinel_key(), sorted.front()));
  CHECK(smt::key_less(sorted.back(), smt::end_key()));
  // The empty set is the sentinel alone; key_set_commitment is the built tree's.
  CHECK(smt::key_set_commitment({}) == smt::KeyTree().commitment());
  CHECK(smt::KeyTree().count() == 0);
  CHECK(smt::key_set_commitment(keys, 2) == grown.commitment());
}

TEST_CASE("smt open_batches: each batch's opening is the proof before it, as commit and proof one "
          "batch at a time give", "[smt]") {
  auto seed = Catch::rngSeed();
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  smt::Tree tree;
  for (std::uint64_t i = 0; i < 40; ++i) tree.set_leaf(i, random_digest(rng));
  tree.commit();
  smt::Tree stepwise = tree;
  const Digest root_before = tree.root();
  std::vector<smt::Tree::LeafBatch> batches(60);
  std::vector<std::uint64_t> opened;
  for (auto& batch : batches) {
    // Mostly one write at the leaf opened (a prover's op), also empty batches, writes elsewhere,
    // repeated writes, leaves past the end and far away.
    const std::uint64_t open = rng() % 9 == 0 ? 5000 + rng() % 3 : rng() % 48;
    opened.push_back(open);
    const int writes = static_cast<int>(rng() % 4);
    for (int k = 0; k < writes; ++k)
      batch.emplace_back(k == 0 ? open : rng() % 50, k == 2 ? tree.node(0, rng() % 40) : random_digest(rng));
  }
  const auto paths = tree.open_batches(batches, opened, 2);
  REQUIRE(paths.openings.size() == batches.size());
  for (std::size_t b = 0; b < batches.size(); ++b) {
    const auto expected = stepwise.proof(opened[b]);
    CHECK(paths.openings[b].index == opened[b]);
    CHECK(paths.openings[b].leaf == expected.leaf);
    CHECK(paths.openings[b].siblings == expected.siblings);
    CHECK(smt::verify_proof(paths.openings[b], stepwise.root()));
    for (const auto& [index, leaf] : batches[b]) stepwise.set_leaf(index, leaf);
    stepwise.commit();
  }
  CHECK(tree.root() == root_before);  // the tree itself is untouched
  // Loading the updates leaves the tree where the batches, committed one by one, did.
  smt::Tree loaded = tree;
  for (const auto& node : paths.updates) loaded.load(node);
  CHECK(loaded.root() == stepwise.root());
  for (std::uint64_t i : {0ull, 17ull, 47ull, 49ull, 5001ull})
    CHECK(loaded.proof(i).siblings == stepwise.proof(i).siblings);

  // Writes under one node and, after them, an opening outside it that reads that node.
  {
    smt::Tree small = tree, step = tree;
    std::vector<smt::Tree::LeafBatch> near(6);
    std::vector<std::uint64_t> open_at;
    for (std::uint64_t i = 0; i < 5; ++i) {
      near[i] = {{i * 3, random_digest(rng)}};
      open_at.push_back(i * 3);
    }
    open_at.push_back(40);
    const auto near_paths = small.open_batches(near, open_at, 1);
    for (std::size_t b = 0; b < near.size(); ++b) {
      CHECK(near_paths.openings[b].siblings == step.proof(open_at[b]).siblings);
      for (const auto& [index, leaf] : near[b]) step.set_leaf(index, leaf);
      step.commit();
    }
    for (const auto& node : near_paths.updates) small.load(node);
    CHECK(small.root() == step.root());
  }

  CHECK(tree.open_batches({}, {}, 1).openings.empty());
  CHECK_THROWS_AS(tree.open_batches(batches, std::span(opened).first(3), 1), std::invalid_argument);
  smt::Tree staged = tree;
  staged.set_leaf(0, random_digest(rng));
  CHECK_THROWS_AS(staged.open_batches(batches, opened, 1), std::logic_error);
}

TEST_CASE("smt key set: unhashed steps, hashed together and loaded, leave the tree insert leaves", "[smt]") {
  std::vector<rollup::PublicKey> keys;
  for (int i = 0; i < 30; ++i) keys.push_back(rollup::crypto::dev_key(300 + i).public_key);
  const auto base = smt::KeyTree::from_keys(std::span(keys).first(10), 1);
  smt::KeyTree inserted = base, deferred = base;
  std::vector<smt::Tree::LeafBatch> batches;
  std::vector<std::uint64_t> opened;
  std::vector<smt::MerkleProof> expected;
  for (std::size_t i = 10; i < keys.size(); ++i) {
    const auto k = smt::pack_key(keys[i]);
    // The steps insert() takes, each opened before it is written.
    const std::uint64_t low = deferred.low_position(k);
    CHECK(low == inserted.low_position(k));
    const smt::PackedKey old_next = deferred.next_at(low);
    expected.push_back(inserted.tree().proof(low));
    inserted.set_next(low, k);
    expected.push_back(inserted.tree().proof(inserted.count() + 1));
    inserted.append(k, old_next);
    opened.push_back(low);
    batches.push_back({deferred.set_next_unhashed(low, k)});
    opened.push_back(deferred.count() + 1);
    batches.push_back({deferred.append_unhashed(k, old_next)});
    CHECK(deferred.contains(k));
    CHECK(deferred.tree().root() == base.tree().root());  // nothing hashed yet
  }
  const auto paths = deferred.tree().open_batches(batches, opened, 2);
  for (std::size_t s = 0; s < expected.size(); ++s) CHECK(paths.openings[s].siblings == expected[s].siblings);
  deferred.load_nodes(paths.updates);
  CHECK(deferred.commitment() == inserted.commitment());
  CHECK(deferred.commitment() == smt::KeyTree::from_keys(keys, 1).commitment());
}

TEST_CASE("smt key set: thousands of keys appended keep the order a set built at once has", "[smt]") {
  // Enough appends to rebuild the sorted part of the key order more than once.
  auto seed = Catch::rngSeed();
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  std::vector<rollup::PublicKey> keys(9000);
  for (auto& key : keys) {
    rollup::Bytes bytes(32);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
    key.assign(bytes);
  }
  const std::size_t first = 100;
  auto grown = smt::KeyTree::from_keys(std::span(keys).first(first), 1);
  for (std::size_t i = first; i < keys.size(); ++i) {
    const auto k = smt::pack_key(keys[i]);
    REQUIRE(!grown.contains(k));
    const std::uint64_t low = grown.low_position(k);
    const smt::PackedKey old_next = grown.next_at(low);
    REQUIRE(smt::key_less(grown.key_at(low), k));
    REQUIRE(smt::key_less(k, old_next));
    grown.set_next_unhashed(low, k);
    grown.append_unhashed(k, old_next);
    REQUIRE(grown.contains(k));
  }
  const auto built = smt::KeyTree::from_keys(keys, 2);
  REQUIRE(grown.count() == built.count());
  for (std::uint64_t position = 0; position <= built.count(); ++position) {
    REQUIRE(grown.key_at(position) == built.key_at(position));
    REQUIRE(grown.next_at(position) == built.next_at(position));
    if (position > 0) REQUIRE(grown.low_position(built.key_at(position)) == built.low_position(built.key_at(position)));
  }
  // Absent keys between and beyond them find the same low leaf in both.
  for (int i = 0; i < 200; ++i) {
    rollup::Bytes bytes(32);
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
    rollup::PublicKey key;
    key.assign(bytes);
    const auto k = smt::pack_key(key);
    CHECK(grown.low_position(k) == built.low_position(k));
    CHECK(grown.contains(k) == built.contains(k));
  }
}
