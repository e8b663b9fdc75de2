#pragma once
// Merkle commitments for the STARK: BLAKE2b-256 (docs/design.md §5) over rows of field elements.
// Leaves and inner nodes are domain-separated through BLAKE2b's 16-byte personalization
// parameter ("rstark-leaf-v1", "rstark-node-v1", zero padded) rather than a prefix in the input,
// so that a node hashes exactly 64 bytes and a leaf exactly its elements: one compression each
// for the row widths the STARK uses, and a leaf can never be confused with a node.
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <type_traits>
#include <vector>

#include "core/bytes.hpp"
#include "core/memory.hpp"
#include "field/ext2.hpp"
#include "field/goldilocks.hpp"

namespace rollup::stark {

using field::Ext2;
using field::Felt;
using Digest = Hash32;

/// Leaf digest of one row: each element as u64 little-endian, in order.
Digest hash_leaf(std::span<const Felt> elements);
/// An extension element is written as its two base coordinates (real, then imaginary).
Digest hash_leaf(std::span<const Ext2> elements);
Digest hash_node(const Digest& left, const Digest& right);

/// Leaf digests of a column-major matrix: leaf i hashes row i (columns[0][i], columns[1][i], ...).
/// Instantiated for Felt and Ext2 columns, in std::vector or in HugeVector (the prover's cosets).
template <class T, class Allocator = std::allocator<T>>
std::vector<Digest> hash_rows(std::span<const std::vector<T, std::type_identity_t<Allocator>>> columns,
                              unsigned threads);

class MerkleTree {
 public:
  /// Builds over `leaves` (a power-of-two count); threads split each level. Only the inner
  /// nodes are kept: the leaf level alone is as large as all of them, and whoever opens a leaf
  /// holds its row and can rehash the sibling.
  MerkleTree(std::vector<Digest> leaves, unsigned threads);

  /// The same tree over `leaf_count` leaves (a power of two, at least 2), given only the level
  /// above them: `fill_parents` writes parents[i] = hash_node(leaf 2i, leaf 2i + 1). For a prover
  /// that makes its leaves in pieces (the LDE one coset at a time): the leaf level, as large as
  /// the rest of the tree, is never held. With `block_levels` = b > 1, only the nodes from level
  /// b up are kept (1 / 2^(b-1) of the tree's memory) and a path is opened with the 2^b leaves of
  /// its block (path_in_block), which the caller recomputes.
  static MerkleTree from_parents(std::size_t leaf_count, unsigned threads,
                                 const std::function<void(std::span<Digest>)>& fill_parents,
                                 unsigned block_levels = 1);

  const Digest& root() const { return root_; }
  std::size_t leaf_count() const { return leaves_; }
  /// Number of levels above the leaves, which is the length of every path.
  unsigned depth() const { return depth_; }
  /// The authentication path of leaf `index` (sibling digests from the leaf level upwards),
  /// given the digest of its sibling leaf, index ^ 1 (unused in a one-leaf tree).
  std::vector<Digest> path(std::size_t index, const Digest& sibling_leaf) const;
  /// The same path, given the digests of every leaf of index's block: leaves
  /// [index - index mod 2^b, + 2^b) for a tree that keeps the nodes from level b up (block_levels).
  std::vector<Digest> path_in_block(std::size_t index, std::span<const Digest> block_leaves) const;
  /// b: 1 for a tree that keeps every node above the leaves.
  unsigned block_levels() const { return block_levels_; }

 private:
  explicit MerkleTree(std::size_t leaf_count) : leaves_(leaf_count) {}
  // Hashes every level above nodes_[leaves_/2, leaves_), which must be filled.
  void hash_upper_levels(unsigned threads);

  // Heap layout of the inner nodes: nodes_[1] is the root, the children of node i are 2i and
  // 2i + 1, and nodes_[leaves_/2 + i] hashes leaves 2i and 2i + 1.
  std::vector<Digest> nodes_;
  // With block_levels_ = b > 1 only nodes_[1, 2 leaves_ / 2^b) are kept: the heap of the tree
  // whose leaves are the level-b nodes.
  Digest root_{};
  std::size_t leaves_;
  unsigned depth_;
  unsigned block_levels_ = 1;
};

/// Recomputes the root from a leaf digest and its path; true when it equals `root`.
/// `index` must be below 2^path.size().
bool verify_path(const Digest& root, std::size_t index, const Digest& leaf,
                 std::span<const Digest> path);

}  // namespace rollup::stark
