#pragma once
// The depth-32 sparse Merkle tree of accounts (docs/design.md §5). Leaves are RPO digests of the
// account, empty subtrees hash to fixed per-level digests, node = merge(left, right), and bit i
// of a leaf index picks the right child at the i-th level above the leaves.
//
// Account indices are handed out densely from 0, so each level is kept as one vector holding
// its contiguous prefix of nodes; anything beyond is the level's empty digest. Nodes that arrive
// out of order (a sparse index, or load() in arbitrary order) wait in a per-level map until the
// prefix reaches them, which keeps any index below 2^32 legal without slowing the dense case.
#include <array>
#include <span>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/bytes.hpp"
#include "hash/rpo.hpp"

namespace rollup::smt {

using hash::Digest;

inline constexpr unsigned kDepth = 32;

/// The 32 bytes that stand for an account key in the state tree's leaf and in the key set
/// (docs/formats.md "Tree"): an Ed25519 key (32 bytes) itself; for an ECgFp5 key (the 40 bytes
/// of w = c0..c4, each coefficient 8 bytes little-endian), its key id, the RPO digest
/// hash_elements([c0, c1, c2, c3, c4]) written as digest_bytes. Leaves keep eight 32-bit words
/// of key whatever the scheme, so the AIR's leaf layout is the same; the in-proof signature
/// check recomputes the key id from w. Coefficients are canonical (< p): the formats refuse any
/// other 40-byte key (crypto::check_key_encoding), so distinct keys have distinct ids.
/// Every site that binds a key into the tree, the key set or the AIR goes through this.
Hash32 account_key_bytes(const PublicKey& key);
/// account_key_bytes of every key, the ECgFp5 key ids hashed side by side (one permutation
/// each, hash::permute_many): for a block's or a genesis' many keys at once.
std::vector<Hash32> account_key_bytes_many(std::span<const PublicKey> keys);
/// An ECgFp5 key's key-id input, the hash_elements input of its id: w's five coefficients, each 8
/// bytes little-endian (reduced mod p; the formats keep them canonical). The SchnorrAir proves
/// key ids from these.
std::array<field::Felt, 5> key_id_elements(const PublicKey& key);
/// account_key_bytes as eight u32 words, each read little-endian: the leaf's k0..k7.
std::array<std::uint32_t, 8> account_key_words(const PublicKey& key);
/// The same words from the key's account_key_bytes.
std::array<std::uint32_t, 8> key_words_of(const Hash32& key_bytes);

/// hash_elements([k0..k7, balance, nonce]) with k = account_key_words(key).
/// balance and nonce are below 2^53 by the formats, hence canonical field elements.
Digest leaf_digest(const PublicKey& key, std::uint64_t balance, std::uint64_t nonce);

struct LeafInput {
  PublicKey key{};
  std::uint64_t balance = 0;
  std::uint64_t nonce = 0;
};
/// leaf_digest of many accounts at once: the permutations run side by side in SIMD lanes and
/// across `threads` threads (a block rehashes thousands of leaves).
std::vector<Digest> leaf_digests(std::span<const LeafInput> leaves, unsigned threads);

/// The root of an empty subtree of height `level` (0 = an empty leaf, [0, 0, 0, 0]).
const Digest& empty_digest(unsigned level);

/// One node of the tree; level 0 = leaf, level kDepth = root (index 0).
struct NodeUpdate {
  unsigned level;
  std::uint64_t index;
  Digest digest;
};

struct MerkleProof {
  std::uint64_t index;
  Digest leaf;
  std::array<Digest, kDepth> siblings;  ///< leaf level first
};

/// The root that the proof's leaf and siblings hash up to.
Digest root_from_proof(const MerkleProof& proof);

/// True when the proof is for an index below 2^32 and hashes up to `root`.
bool verify_proof(const MerkleProof& proof, const Digest& root);

/// What Tree::commit_batches did: the root after each batch, and each node whose value the
/// batches changed, at its last value, ordered as commit() orders them.
struct BatchCommit {
  std::vector<Digest> roots;
  std::vector<NodeUpdate> updates;
};

/// What Tree::open_batches found: BatchCommit's updates (the root's final value among them), and
/// for each batch the proof of the leaf it opened as the tree stood just before that batch.
struct BatchOpenings {
  std::vector<NodeUpdate> updates;
  std::vector<MerkleProof> openings;
};

/// Not safe for concurrent use; commit() parallelizes internally.
class Tree {
 public:
  Tree() = default;  ///< the empty tree

  /// Leaves ever set or loaded: the highest index plus one.
  std::uint64_t size() const { return size_; }

  /// Stages a leaf; nothing is hashed until commit(). Setting the same index twice in one batch
  /// keeps the last value. Any index below 2^32 is accepted; index == size() is the fast path.
  void set_leaf(std::uint64_t index, const Digest& leaf);

  /// Rehashes every staged path once, each shared ancestor once, level by level; a level with
  /// enough nodes is split across `threads` threads. Returns each node whose value changed,
  /// leaves and the root (level kDepth) included, lower levels first, ascending index within a
  /// level, each node once, so the caller can persist exactly these.
  std::vector<NodeUpdate> commit(unsigned threads = 1);

  /// True when set_leaf() was called since the last commit().
  bool has_staged() const { return !staged_.empty(); }

  /// The root. There must be no staged changes.
  Digest root() const;

  /// Leaf and siblings of `index` (< 2^32). There must be no staged changes.
  MerkleProof proof(std::uint64_t index) const;

  /// One batch of leaf changes: (index, leaf) pairs, the last one of an index winning.
  using LeafBatch = std::vector<std::pair<std::uint64_t, Digest>>;
  /// The root after each of `batches` applied in turn on top of this tree, which is left as it
  /// is (there must be no staged changes). Level by level, every batch's changed nodes are
  /// hashed side by side (SIMD lanes, `threads` threads) rather than one path after another:
  /// what makes a root per transaction affordable (rollup-replay).
  std::vector<Digest> roots_after(std::span<const LeafBatch> batches, unsigned threads = 1) const;
  /// roots_after, then the batches applied to this tree as set_leaf() of each and commit()
  /// would, from the nodes already hashed instead of hashing the paths again.
  BatchCommit commit_batches(std::span<const LeafBatch> batches, unsigned threads = 1);
  /// For each batch b the proof of leaf `opened[b]` as the tree stood after the batches before b:
  /// the path a prover opens before each write, for all writes at the cost of one batched rehash
  /// (as roots_after's, less the levels above the node all opened leaves share) instead of a
  /// commit() and proof() per write. The tree is left as it is; loading `updates` brings it to
  /// where commit_batches would. One opened index per batch.
  BatchOpenings open_batches(std::span<const LeafBatch> batches, std::span<const std::uint64_t> opened,
                             unsigned threads = 1) const;

  /// Restores one persisted node without hashing; nodes may come in any order. Loading a node
  /// of every changed position that commit() returned rebuilds the same tree.
  void load(const NodeUpdate& node);

  /// The node at (level, index), index < 2^(kDepth - level), as of the last commit() or load().
  /// The reference lasts until the next commit() or load().
  const Digest& node(unsigned level, std::uint64_t index) const;

 private:
  struct Level {
    std::vector<Digest> prefix;                     ///< nodes 0 .. prefix.size() - 1
    std::unordered_map<std::uint64_t, Digest> far;  ///< set nodes beyond the prefix
  };

  void store(unsigned level, std::uint64_t index, const Digest& digest);
  /// roots_after's work; when `finals` is given, it also receives each changed node's last value,
  /// and when `openings` is, the proof of leaf opened[b] before each batch b (and then no roots).
  std::vector<Digest> batch_roots(std::span<const LeafBatch> batches, unsigned threads,
                                  std::vector<NodeUpdate>* finals,
                                  std::span<const std::uint64_t> opened = {},
                                  std::vector<MerkleProof>* openings = nullptr) const;
  void require_committed(const char* what) const;

  std::array<Level, kDepth + 1> levels_;
  std::vector<std::pair<std::uint64_t, Digest>> staged_;
  std::uint64_t size_ = 0;
};

}  // namespace rollup::smt
