#pragma once
// The key set: which public keys have an account, committed so that the rollup AIR can prove
// that a key has none (docs/air.md §2). The state tree is keyed by account index, so it cannot
// show that a key is absent; this second depth-32 tree can. It is an indexed Merkle tree: a
// sorted linked list of the keys, one leaf per account at position index + 1, and a sentinel
// below every key at position 0. Leaf = hash_elements([key limbs, 0, 0, 0, next limbs]).
//
// A key is absent exactly when some leaf (low, next) has low < key < next, and inserting it
// relinks that leaf and appends (key, old next). The commitment (root, account count) chains
// from block to block beside the state root, starting from the genesis accounts; the contract
// keeps it with every verified root, which is why it lives here, below l1 and air.
#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <utility>
#include <vector>

#include "core/bytes.hpp"
#include "hash/rpo.hpp"
#include "smt/tree.hpp"

namespace rollup::smt {

/// A key as five limbs, most significant first: its account_key_bytes read as a big-endian 256-bit
/// integer, cut into 52, 52, 52, 52 and 48 bits. Limb order is key order, and every limb
/// difference fits the AIR's 53-bit range checks.
inline constexpr std::size_t kKeyLimbs = 5;
using PackedKey = std::array<std::uint64_t, kKeyLimbs>;
inline constexpr unsigned kLimbBits = 52;

PackedKey pack_key(const PublicKey& key);
/// pack_key from the key's account_key_bytes.
PackedKey pack_key_bytes(const Hash32& key_bytes);
/// The sentinel's key, below every packed key: limb 0 is p - 1, i.e. -1 in the field.
PackedKey sentinel_key();
/// The largest key's `next`, above every packed key: limb 0 is 2^52.
PackedKey end_key();
/// The key order of the AIR: lexicographic on limbs, the sentinel lowest and end_key highest.
bool key_less(const PackedKey& a, const PackedKey& b);

/// Leaf of the key tree: hash_elements([key limbs, 0, 0, 0, next limbs]) (13 elements).
Digest key_leaf(const PackedKey& key, const PackedKey& next);

/// The key set's commitment: the key tree's depth-32 root and the number of accounts. Proofs
/// chain it beside the state root; the contract stores it with every verified root.
struct KeySetCommitment {
  Hash32 root{};
  std::uint64_t count = 0;
  bool operator==(const KeySetCommitment&) const = default;
};

/// The commitment of the key set holding `keys` (in account-index order, no key twice).
KeySetCommitment key_set_commitment(std::span<const PublicKey> keys, unsigned threads = 1);

class KeyTree {
 public:
  /// The empty key set: the sentinel alone, linked to end_key().
  KeyTree();
  /// Keys in account-index order (no key twice).
  static KeyTree from_keys(std::span<const PublicKey> keys, unsigned threads = 1);

  std::uint64_t count() const { return keys_.size() - 1; }
  KeySetCommitment commitment() const;
  const smt::Tree& tree() const { return tree_; }
  bool contains(const PackedKey& key) const;

  /// The position of the leaf whose interval holds `key`: its key is the greatest below `key`
  /// (the sentinel when none is). `key` must be absent.
  std::uint64_t low_position(const PackedKey& key) const;
  const PackedKey& key_at(std::uint64_t position) const { return keys_[position]; }
  const PackedKey& next_at(std::uint64_t position) const { return next_[position]; }

  /// Inserts an absent key at position count() + 1 (its account index plus one): relinks the
  /// low leaf to it and gives it the low leaf's old next. Rehashes both paths.
  void insert(const PackedKey& key);
  /// The two steps of insert(), each committed, for the prover's witness: relink the leaf at
  /// `position` to `next`, then append (key, next) at position count() + 1.
  void set_next(std::uint64_t position, const PackedKey& next);
  void append(const PackedKey& key, const PackedKey& next);
  /// set_next and append with the hashing left to the caller: the key lists change at once and
  /// the leaf written is returned, for the prover to hash many steps' paths side by side
  /// (Tree::open_batches on tree()) and store the nodes with load_nodes. Until then tree() is
  /// the tree before these steps.
  std::pair<std::uint64_t, Digest> set_next_unhashed(std::uint64_t position, const PackedKey& next);
  std::pair<std::uint64_t, Digest> append_unhashed(const PackedKey& key, const PackedKey& next);
  /// Stores nodes hashed for the unhashed steps (BatchOpenings::updates).
  void load_nodes(std::span<const NodeUpdate> nodes);

 private:
  void put(std::uint64_t position);
  /// Records the key at `position` (just appended) in the key order.
  void order(std::uint64_t position);

  /// The keys' positions in key order (sentinel excluded), in two parts: `sorted_` and the keys
  /// appended since it was last rebuilt, `recent_`, merged into it when they are many. Mostly
  /// flat rather than a node per key, so that copying a key set of a million keys (the
  /// prover's post-state, once per block) is a few memcpys.
  std::vector<std::uint64_t> sorted_;
  std::map<PackedKey, std::uint64_t> recent_;  ///< key -> position
  std::vector<PackedKey> keys_;                   ///< position -> key; 0 is the sentinel
  std::vector<PackedKey> next_;                   ///< position -> next key
  smt::Tree tree_;
};

}  // namespace rollup::smt
