#include "smt/tree.hpp"

#include <algorithm>
#include <span>
#include <stdexcept>
#include <string>

#include "core/parallel.hpp"

namespace rollup::smt {
namespace {

using hash::Felt;

constexpr std::uint64_t kLeafCount = std::uint64_t{1} << kDepth;

// Below this many merges per thread a level is hashed on the calling thread: starting a thread
// costs about as much as a few dozen permutations.
constexpr std::size_t kMinMergesPerThread = 64;

void check_index(unsigned level, std::uint64_t index, const char* what) {
  if (level > kDepth || index >= (kLeafCount >> level))
    throw std::out_of_range(std::string(what) + ": no node " + std::to_string(index) +
                            " at level " + std::to_string(level));
}

}  // namespace

namespace {
constexpr std::size_t kKeyIdCoefficients = 5;

bool key_is_its_own_id(const PublicKey& key) { return key.size() == Hash32{}.size(); }
}  // namespace

std::array<Felt, 5> key_id_elements(const PublicKey& key) {
  std::array<Felt, 5> w;
  for (std::size_t i = 0; i < w.size(); ++i) {
    std::uint64_t c = 0;
    for (std::size_t b = 0; b < 8; ++b) c |= std::uint64_t(key[8 * i + b]) << (8 * b);
    w[i] = Felt(c);
  }
  return w;
}

Hash32 account_key_bytes(const PublicKey& key) {
  Hash32 out{};
  if (key_is_its_own_id(key)) {
    std::copy(key.begin(), key.end(), out.begin());
    return out;
  }
  return hash::digest_bytes(hash::hash_elements(key_id_elements(key)));
}

std::vector<Hash32> account_key_bytes_many(std::span<const PublicKey> keys) {
  std::vector<Hash32> out(keys.size());
  // Five elements are one chunk of the sponge (hash::hash_elements): the state is laid out
  // directly, one permutation each, side by side, with no per-key input vector to allocate.
  static_assert(kKeyIdCoefficients <= hash::kRate);
  std::vector<hash::State> states;
  std::vector<std::size_t> hashed;
  states.reserve(keys.size());
  hashed.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (key_is_its_own_id(keys[i])) {
      out[i] = account_key_bytes(keys[i]);
      continue;
    }
    hash::State& s = states.emplace_back();
    s[0] = Felt(kKeyIdCoefficients);
    const auto w = key_id_elements(keys[i]);
    std::copy(w.begin(), w.end(), s.begin() + hash::kRateStart);
    hashed.push_back(i);
  }
  hash::permute_many(states);
  for (std::size_t h = 0; h < hashed.size(); ++h)
    out[hashed[h]] = hash::digest_bytes({states[h][hash::kRateStart], states[h][hash::kRateStart + 1],
                                         states[h][hash::kRateStart + 2], states[h][hash::kRateStart + 3]});
  return out;
}

std::array<std::uint32_t, 8> account_key_words(const PublicKey& key) {
  return key_words_of(account_key_bytes(key));
}

std::array<std::uint32_t, 8> key_words_of(const Hash32& bytes) {
  std::array<std::uint32_t, 8> words{};
  for (std::size_t w = 0; w < 8; ++w)
    for (std::size_t b = 0; b < 4; ++b) words[w] |= std::uint32_t(bytes[4 * w + b]) << (8 * b);
  return words;
}

Digest leaf_digest(const PublicKey& key, std::uint64_t balance, std::uint64_t nonce) {
  std::array<Felt, 10> elements;
  const auto words = account_key_words(key);
  for (std::size_t w = 0; w < 8; ++w) elements[w] = Felt(words[w]);
  elements[8] = Felt(balance);
  elements[9] = Felt(nonce);
  return hash::hash_elements(elements);
}

std::vector<Digest> leaf_digests(std::span<const LeafInput> leaves, unsigned threads) {
  std::vector<Digest> out(leaves.size());
  // hash_elements of 10 elements, unrolled: state[0] = 10 % 8, the key's eight words fill the
  // rate for the first permutation, balance and nonce (zero-padded) for the second.
  parallel_for(leaves.size(), threads, [&](std::size_t begin, std::size_t end) {
    std::vector<hash::State> states(end - begin);
    std::vector<PublicKey> keys(end - begin);
    for (std::size_t i = begin; i < end; ++i) keys[i - begin] = leaves[i].key;
    const auto ids = account_key_bytes_many(keys);
    for (std::size_t i = begin; i < end; ++i) {
      hash::State& s = states[i - begin];
      s.fill(Felt::zero());
      s[0] = Felt(10 % hash::kRate);
      const auto words = key_words_of(ids[i - begin]);
      for (std::size_t w = 0; w < 8; ++w) s[hash::kCapacity + w] = Felt(words[w]);
    }
    hash::permute_many(states);
    for (std::size_t i = begin; i < end; ++i) {
      hash::State& s = states[i - begin];
      s[hash::kCapacity] = Felt(leaves[i].balance);
      s[hash::kCapacity + 1] = Felt(leaves[i].nonce);
      for (std::size_t r = 2; r < hash::kRate; ++r) s[hash::kCapacity + r] = Felt::zero();
    }
    hash::permute_many(states);
    for (std::size_t i = begin; i < end; ++i)
      for (std::size_t d = 0; d < 4; ++d) out[i][d] = states[i - begin][hash::kCapacity + d];
  }, 256);
  return out;
}

const Digest& empty_digest(unsigned level) {
  static const std::array<Digest, kDepth + 1> table = [] {
    std::array<Digest, kDepth + 1> t{};
    for (unsigned l = 0; l < kDepth; ++l) t[l + 1] = hash::merge(t[l], t[l]);
    return t;
  }();
  if (level > kDepth) throw std::out_of_range("empty_digest: level above the root");
  return table[level];
}

Digest root_from_proof(const MerkleProof& proof) {
  Digest node = proof.leaf;
  for (unsigned level = 0; level < kDepth; ++level) {
    const Digest& sibling = proof.siblings[level];
    node = (proof.index >> level) & 1 ? hash::merge(sibling, node) : hash::merge(node, sibling);
  }
  return node;
}

bool verify_proof(const MerkleProof& proof, const Digest& root) {
  // Without the range check two indices that differ above bit 31 would share one proof.
  return proof.index < kLeafCount && root_from_proof(proof) == root;
}

void Tree::set_leaf(std::uint64_t index, const Digest& leaf) {
  check_index(0, index, "set_leaf");
  staged_.emplace_back(index, leaf);
  size_ = std::max(size_, index + 1);
}

std::vector<NodeUpdate> Tree::commit(unsigned threads) {
  std::vector<NodeUpdate> updates;
  if (staged_.empty()) return updates;

  // Last write wins: a stable sort keeps staging order within an index.
  std::stable_sort(staged_.begin(), staged_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::uint64_t> dirty;
  for (std::size_t i = 0; i < staged_.size(); ++i) {
    if (i + 1 < staged_.size() && staged_[i + 1].first == staged_[i].first) continue;
    auto [index, leaf] = staged_[i];
    // A leaf set back to its committed value changes nothing above it.
    if (node(0, index) == leaf) continue;
    store(0, index, leaf);
    dirty.push_back(index);
    updates.push_back({0, index, leaf});
  }
  staged_.clear();

  std::vector<std::uint64_t> parents;
  std::vector<Digest> children, digests;
  for (unsigned level = 0; level < kDepth && !dirty.empty(); ++level) {
    parents.clear();
    for (std::uint64_t i : dirty)
      if (parents.empty() || parents.back() != i >> 1) parents.push_back(i >> 1);
    children.resize(2 * parents.size());
    digests.resize(parents.size());
    for (std::size_t k = 0; k < parents.size(); ++k) {
      children[2 * k] = node(level, 2 * parents[k]);
      children[2 * k + 1] = node(level, 2 * parents[k] + 1);
    }
    parallel_for(
        parents.size(), threads,
        [&](std::size_t begin, std::size_t end) {
          hash::merge_pairs(std::span(children).subspan(2 * begin, 2 * (end - begin)),
                            std::span(digests).subspan(begin, end - begin));
        },
        kMinMergesPerThread);
    for (std::size_t k = 0; k < parents.size(); ++k) {
      store(level + 1, parents[k], digests[k]);
      updates.push_back({level + 1, parents[k], digests[k]});
    }
    dirty.swap(parents);
  }
  return updates;
}

std::vector<Digest> Tree::roots_after(std::span<const LeafBatch> batches, unsigned threads) const {
  require_committed("roots_after");
  return batch_roots(batches, threads, nullptr);
}

BatchCommit Tree::commit_batches(std::span<const LeafBatch> batches, unsigned threads) {
  require_committed("commit_batches");
  BatchCommit out;
  out.roots = batch_roots(batches, threads, &out.updates);
  // Stored only now: every level's hashing read the nodes as they stood before the batches.
  for (const auto& u : out.updates) store(u.level, u.index, u.digest);
  for (const auto& batch : batches)
    for (const auto& [index, leaf] : batch) size_ = std::max(size_, index + 1);
  return out;
}

BatchOpenings Tree::open_batches(std::span<const LeafBatch> batches, std::span<const std::uint64_t> opened,
                                 unsigned threads) const {
  require_committed("open_batches");
  if (opened.size() != batches.size())
    throw std::invalid_argument("smt::Tree::open_batches: one opened leaf per batch");
  for (std::uint64_t index : opened) check_index(0, index, "open_batches");
  BatchOpenings out;
  batch_roots(batches, threads, &out.updates, opened, &out.openings);
  return out;
}

std::vector<Digest> Tree::batch_roots(std::span<const LeafBatch> batches, unsigned threads,
                                      std::vector<NodeUpdate>* finals, std::span<const std::uint64_t> opened,
                                      std::vector<MerkleProof>* openings) const {
  // A node's value as of a batch: the nodes each batch changed at one level, sorted by index
  // and then batch, so that a node's versions are adjacent and in batch order.
  struct Version {
    std::uint64_t index;
    std::uint32_t batch;
    Digest digest;
  };
  auto by_position = [](const Version& a, const Version& b) {
    return a.index != b.index ? a.index < b.index : a.batch < b.batch;
  };
  std::vector<Version> versions;
  for (std::uint32_t b = 0; b < batches.size(); ++b)
    for (const auto& [index, leaf] : batches[b]) {
      check_index(0, index, "roots_after");
      versions.push_back({index, b, leaf});
    }
  std::stable_sort(versions.begin(), versions.end(), by_position);
  // Within one batch the last write of an index wins.
  std::vector<Version> unique;
  for (std::size_t i = 0; i < versions.size(); ++i)
    if (i + 1 == versions.size() || versions[i + 1].index != versions[i].index ||
        versions[i + 1].batch != versions[i].batch)
      unique.push_back(versions[i]);
  versions.swap(unique);
  // A node's last version is its value after every batch; kept where it differs from now.
  auto keep_finals = [&](unsigned level) {
    if (!finals) return;
    for (std::size_t i = 0; i < versions.size(); ++i)
      if ((i + 1 == versions.size() || versions[i + 1].index != versions[i].index) &&
          versions[i].digest != node(level, versions[i].index))
        finals->push_back({level, versions[i].index, versions[i].digest});
  };
  keep_finals(0);
  // A node as batch b found it: its last version from a batch before b, else the tree's node.
  auto value_before = [&](unsigned level, std::uint64_t index, std::uint32_t b) -> const Digest& {
    auto it = std::lower_bound(versions.begin(), versions.end(), Version{index, b, {}}, by_position);
    if (it != versions.begin() && std::prev(it)->index == index) return std::prev(it)->digest;
    return node(level, index);
  };
  if (openings) {
    openings->resize(batches.size());
    for (std::uint32_t b = 0; b < batches.size(); ++b)
      (*openings)[b] = {opened[b], value_before(0, opened[b], b), {}};
  }

  std::vector<Version> parents;
  std::vector<Digest> children, digests;
  for (unsigned level = 0; level < kDepth; ++level) {
    if (openings) {
      for (std::uint32_t b = 0; b < batches.size(); ++b)
        (*openings)[b].siblings[level] = value_before(level, (opened[b] >> level) ^ 1, b);
      // Where every change and every opened leaf lies under one node of this level, no opening
      // reads a changed node from here up (each sibling is off their common path): only the
      // last version, the final one, is hashed on. Saves the levels above a prover's subtree.
      if (versions.size() > 1 && versions.front().index == versions.back().index &&
          std::all_of(opened.begin(), opened.end(),
                      [&](std::uint64_t index) { return index >> level == versions.front().index; }))
        versions.erase(versions.begin(), versions.end() - 1);
    }
    // Each (parent, batch) once: a parent changes in every batch that changed a child of it.
    parents.clear();
    for (const auto& v : versions) parents.push_back({v.index >> 1, v.batch, {}});
    std::sort(parents.begin(), parents.end(), by_position);
    parents.erase(std::unique(parents.begin(), parents.end(),
                              [](const Version& a, const Version& b) { return a.index == b.index && a.batch == b.batch; }),
                  parents.end());
    // The children of (p, batch): the latest version of each at or before that batch, else the
    // tree's node. Versions are sorted as parents are, so one forward walk finds them all.
    children.resize(2 * parents.size());
    std::size_t run = 0;
    for (std::size_t k = 0; k < parents.size();) {
      const std::uint64_t p = parents[k].index;
      while (run < versions.size() && versions[run].index < 2 * p) ++run;
      std::size_t left = run, left_end = left;
      while (left_end < versions.size() && versions[left_end].index == 2 * p) ++left_end;
      std::size_t right = left_end, right_end = right;
      while (right_end < versions.size() && versions[right_end].index == 2 * p + 1) ++right_end;
      const Digest &left_base = node(level, 2 * p), &right_base = node(level, 2 * p + 1);
      const Digest *left_now = &left_base, *right_now = &right_base;
      for (; k < parents.size() && parents[k].index == p; ++k) {
        const std::uint32_t b = parents[k].batch;
        while (left < left_end && versions[left].batch <= b) left_now = &versions[left++].digest;
        while (right < right_end && versions[right].batch <= b) right_now = &versions[right++].digest;
        children[2 * k] = *left_now;
        children[2 * k + 1] = *right_now;
      }
      run = right_end;
    }
    digests.resize(parents.size());
    parallel_for(
        parents.size(), threads,
        [&](std::size_t begin, std::size_t end) {
          hash::merge_pairs(std::span(children).subspan(2 * begin, 2 * (end - begin)),
                            std::span(digests).subspan(begin, end - begin));
        },
        kMinMergesPerThread);
    for (std::size_t k = 0; k < parents.size(); ++k) parents[k].digest = digests[k];
    versions.swap(parents);
    keep_finals(level + 1);
  }

  // At the top every version is the root's; a batch that changed nothing keeps the one before.
  // The openings' walk hashed the final versions only, and gives no root per batch.
  if (openings) return {};
  std::vector<Digest> roots(batches.size());
  Digest current = node(kDepth, 0);
  std::size_t next = 0;
  for (std::uint32_t b = 0; b < batches.size(); ++b) {
    if (next < versions.size() && versions[next].batch == b) current = versions[next++].digest;
    roots[b] = current;
  }
  return roots;
}

Digest Tree::root() const {
  require_committed("root");
  return node(kDepth, 0);
}

MerkleProof Tree::proof(std::uint64_t index) const {
  require_committed("proof");
  check_index(0, index, "proof");
  MerkleProof p{index, node(0, index), {}};
  for (unsigned level = 0; level < kDepth; ++level)
    p.siblings[level] = node(level, (index >> level) ^ 1);
  return p;
}

void Tree::load(const NodeUpdate& n) {
  check_index(n.level, n.index, "load");
  store(n.level, n.index, n.digest);
  if (n.level == 0) size_ = std::max(size_, n.index + 1);
}

const Digest& Tree::node(unsigned level, std::uint64_t index) const {
  check_index(level, index, "node");
  const Level& l = levels_[level];
  if (index < l.prefix.size()) return l.prefix[index];
  if (!l.far.empty())
    if (auto it = l.far.find(index); it != l.far.end()) return it->second;
  return empty_digest(level);
}

void Tree::store(unsigned level, std::uint64_t index, const Digest& digest) {
  Level& l = levels_[level];
  if (index < l.prefix.size()) {
    l.prefix[index] = digest;
  } else if (index == l.prefix.size()) {
    l.prefix.push_back(digest);
    if (!l.far.empty()) {
      l.far.erase(index);
      // The prefix may now reach nodes that were parked beyond it.
      for (auto it = l.far.find(l.prefix.size()); it != l.far.end();
           it = l.far.find(l.prefix.size())) {
        l.prefix.push_back(it->second);
        l.far.erase(it);
      }
    }
  } else {
    l.far[index] = digest;
  }
}

void Tree::require_committed(const char* what) const {
  if (!staged_.empty())
    throw std::logic_error(std::string("smt::Tree::") + what + " with uncommitted leaves");
}

}  // namespace rollup::smt
