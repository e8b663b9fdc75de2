#pragma once
// The kinds of op of the program (docs/air.md §3.2) and what each does to the two trees, in one
// place: the program emits ops by kind, the AIR turns a kind into the public selectors of its
// rows, and the witness turns it into trace cells and register updates. Two copies of one
// predicate could drift apart, and a trace and constraints that disagree on what an op does are
// at best a refused honest proof and at worst an unsound AIR; so every side reads these.
#include <cstddef>
#include <cstdint>

#include "hash/rpo.hpp"

namespace rollup::air {

enum class OpKind : std::uint8_t {
  pad,           ///< fills the trace; changes nothing, proves nothing
  state_update,  ///< rewrites an existing account's leaf (possibly unchanged: a read)
  state_insert,  ///< writes a new account at index = account count, over an empty leaf
  key_low,       ///< opens the key-tree leaf whose interval holds a key: absence, or insertion
  key_new,       ///< writes a new key's leaf at position = account count, over an empty leaf
};

/// The op opens a leaf of the state tree (an account) and moves the state root.
constexpr bool is_state_op(OpKind k) { return k == OpKind::state_update || k == OpKind::state_insert; }
/// The op opens a leaf of the key tree and moves the key root.
constexpr bool is_key_op(OpKind k) { return k == OpKind::key_low || k == OpKind::key_new; }
/// The op writes over an empty leaf, at the position the count register names.
constexpr bool writes_empty_leaf(OpKind k) { return k == OpKind::state_insert || k == OpKind::key_new; }
/// The op adds an account: the count register grows by one.
constexpr bool creates_account(OpKind k) { return k == OpKind::state_insert; }
/// The opened leaf's key is the op's public key. Not for K_LOW, whose leaf holds the low key
/// the prover finds; the AIR checks only its order against the public key.
constexpr bool binds_leaf_key(OpKind k) { return is_state_op(k) || k == OpKind::key_new; }

/// Elements a leaf hashes: an account's key words, balance and nonce; a key leaf's key limbs,
/// three zeros and next limbs (smt::leaf_digest, smt::key_leaf).
inline constexpr std::size_t kStateLeafElements = 10;
inline constexpr std::size_t kKeyLeafElements = 13;
/// The capacity element hash::hash_elements starts a leaf's hash with (element count mod the
/// rate); a pad op's lanes start from zero.
constexpr std::uint64_t leaf_capacity_tag(OpKind k) {
  return is_state_op(k) ? kStateLeafElements % hash::kRate : is_key_op(k) ? kKeyLeafElements % hash::kRate : 0;
}

}  // namespace rollup::air
