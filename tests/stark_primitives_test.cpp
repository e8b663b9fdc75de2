// Merkle trees and the Fiat–Shamir transcript of the STARK.
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>

#include "stark/merkle.hpp"
#include "stark/transcript.hpp"

using namespace rollup;
using namespace rollup::stark;

namespace {

std::vector<Digest> sample_leaves(std::size_t count) {
  std::vector<Digest> leaves(count);
  for (std::size_t i = 0; i < count; ++i) {
    const Felt row[2] = {Felt(i), Felt(i * i + 1)};
    leaves[i] = hash_leaf(std::span<const Felt>(row));
  }
  return leaves;
}

}  // namespace

TEST_CASE("merkle paths authenticate every leaf and nothing else", "[stark]") {
  for (std::size_t count : {1u, 2u, 4u, 32u, 8192u}) {
    const auto leaves = sample_leaves(count);
    for (unsigned threads : {1u, 2u}) {
      MerkleTree tree(leaves, threads);
      CHECK(tree.leaf_count() == count);
      const std::size_t step = count > 64 ? 97 : 1;
      for (std::size_t i = 0; i < count; i += step) {
        const auto path = tree.path(i, leaves[i ^ (count > 1 ? 1 : 0)]);
        REQUIRE(path.size() == tree.depth());
        REQUIRE(verify_path(tree.root(), i, leaves[i], path));
        if (count == 1) continue;
        CHECK(!verify_path(tree.root(), i ^ 1, leaves[i], path));      // wrong index
        CHECK(!verify_path(tree.root(), i, leaves[i ^ 1], path));      // wrong leaf
        CHECK(!verify_path(tree.root(), i + count, leaves[i], path));  // index too large
        auto shorter = path;
        shorter.pop_back();
        CHECK(!verify_path(tree.root(), i, leaves[i], shorter));  // truncated path
        auto bad = path;
        bad.back()[0] ^= 1;
        CHECK(!verify_path(tree.root(), i, leaves[i], bad));  // forged sibling
      }
    }
  }
  // Children are ordered, and an extension element is hashed as two words.
  const auto leaves = sample_leaves(2);
  CHECK(hash_node(leaves[0], leaves[1]) != hash_node(leaves[1], leaves[0]));
  const Felt one[1] = {Felt(1)};
  const Ext2 one_ext[1] = {Ext2(Felt(1))};
  CHECK(hash_leaf(std::span<const Felt>(one)) != hash_leaf(std::span<const Ext2>(one_ext)));
}

TEST_CASE("a merkle tree built from the level above its leaves is the same tree", "[stark]") {
  for (std::size_t count : {2u, 4u, 32u, 8192u}) {
    const auto leaves = sample_leaves(count);
    const MerkleTree whole(leaves, 2);
    for (unsigned threads : {1u, 2u}) {
      const MerkleTree built = MerkleTree::from_parents(count, threads, [&](std::span<Digest> parents) {
        REQUIRE(parents.size() == count / 2);
        for (std::size_t i = 0; i < parents.size(); ++i)
          parents[i] = hash_node(leaves[2 * i], leaves[2 * i + 1]);
      });
      CHECK(built.root() == whole.root());
      CHECK(built.depth() == whole.depth());
      for (std::size_t i = 0; i < count; i += count > 64 ? 97 : 1)
        CHECK(built.path(i, leaves[i ^ 1]) == whole.path(i, leaves[i ^ 1]));
    }
  }
  // Kept from level b up, a path is opened from the 2^b leaves of its block: the same path.
  const auto leaves = sample_leaves(64);
  const MerkleTree whole(leaves, 1);
  for (unsigned b : {1u, 3u, 6u}) {
    const MerkleTree trimmed = MerkleTree::from_parents(
        64, 2,
        [&](std::span<Digest> parents) {
          for (std::size_t i = 0; i < parents.size(); ++i)
            parents[i] = hash_node(leaves[2 * i], leaves[2 * i + 1]);
        },
        b);
    CHECK(trimmed.root() == whole.root());
    CHECK(trimmed.block_levels() == b);
    const std::size_t block = std::size_t{1} << b;
    for (std::size_t i = 0; i < 64; ++i) {
      const std::span<const Digest> block_leaves(leaves.data() + (i & ~(block - 1)), block);
      const auto path = trimmed.path_in_block(i, block_leaves);
      CHECK(path == whole.path(i, leaves[i ^ 1]));
      CHECK(verify_path(trimmed.root(), i, leaves[i], path));
    }
    if (b > 1) CHECK_THROWS(trimmed.path(0, leaves[1]));
    CHECK_THROWS(trimmed.path_in_block(0, std::span<const Digest>(leaves.data(), block / 2)));
  }
  CHECK_THROWS(MerkleTree::from_parents(64, 1, [](std::span<Digest>) {}, 7));
  CHECK_THROWS(MerkleTree::from_parents(1, 1, [](std::span<Digest>) {}));
  CHECK_THROWS(MerkleTree::from_parents(12, 1, [](std::span<Digest>) {}));
}

TEST_CASE("transcript is deterministic and binds every message", "[stark]") {
  auto run = [](std::string_view label, std::uint8_t byte) {
    Transcript t("test");
    const std::uint8_t data[3] = {1, 2, byte};
    t.absorb(label, data);
    return t.draw_ext("challenge");
  };
  CHECK(run("a", 3) == run("a", 3));
  CHECK(run("a", 3) != run("a", 4));
  CHECK(run("a", 3) != run("b", 3));
  CHECK(Transcript("x").state() != Transcript("y").state());
  // Label and data boundaries are length-prefixed: ("ab", "") and ("a", "b") differ.
  Transcript t1("t"), t2("t");
  const std::uint8_t b[1] = {'b'};
  t1.absorb("ab", {});
  t2.absorb("a", b);
  CHECK(t1.state() != t2.state());
}

TEST_CASE("transcript positions are distinct and in range; grinding meets its target", "[stark]") {
  Transcript t("positions");
  for (std::size_t domain : {16u, 64u, 1024u, 1u << 20}) {
    const std::size_t count = std::min<std::size_t>(29, domain / 2);
    auto pos = t.draw_positions("q", count, domain);
    REQUIRE(pos.size() == count);
    std::set<std::size_t> unique(pos.begin(), pos.end());
    CHECK(unique.size() == count);
    CHECK(*unique.rbegin() < domain);
  }
  CHECK(t.draw_positions("q", 3, 12).empty());  // not a power of two
  CHECK(t.draw_positions("q", 17, 16).empty());
  const std::uint64_t nonce = t.grind(12);
  CHECK(t.pow_ok(12, nonce));
  CHECK(t.pow_ok(0, 12345));
  // The least passing nonce: every smaller one fails.
  for (std::uint64_t n = 0; n < nonce; ++n) REQUIRE(!t.pow_ok(12, n));
}
