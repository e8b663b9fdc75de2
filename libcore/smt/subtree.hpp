#pragma once
// Proofs that cover only the first 2^depth leaves of a depth-32 tree (the rollup AIR's subtree
// depth, docs/air.md §4.5) carry the root of that leftmost subtree; the full root follows.
#include "smt/tree.hpp"

namespace rollup::smt {

/// The depth-32 root of a tree whose leaves all lie in its leftmost subtree of height `depth`,
/// given that subtree's root: merge with the empty digest of each level from `depth` to 31.
inline Digest lift_root(const Digest& subtree_root, unsigned depth) {
  Digest d = subtree_root;
  for (unsigned level = depth; level < kDepth; ++level) d = hash::merge(d, empty_digest(level));
  return d;
}

}  // namespace rollup::smt
