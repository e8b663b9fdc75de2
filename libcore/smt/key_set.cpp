#include "smt/key_set.hpp"

#include <algorithm>
#include <numeric>

#include "core/parallel.hpp"

namespace rollup::smt {

using field::Felt;

namespace {
// Bits [lo, lo + count) of the key read as a big-endian integer (bit 0 = lowest of byte 31).
std::uint64_t key_bits(const Hash32& key, unsigned lo, unsigned count) {
  std::uint64_t v = 0;
  for (unsigned i = 0; i < count; ++i) {
    const unsigned bit = lo + i;
    if ((key[31 - bit / 8] >> (bit % 8)) & 1) v |= std::uint64_t{1} << i;
  }
  return v;
}
}  // namespace

PackedKey pack_key(const PublicKey& account_key) { return pack_key_bytes(account_key_bytes(account_key)); }

PackedKey pack_key_bytes(const Hash32& key) {
  return {key_bits(key, 204, 52), key_bits(key, 152, 52), key_bits(key, 100, 52),
          key_bits(key, 48, 52), key_bits(key, 0, 48)};
}

PackedKey sentinel_key() { return {Felt::kModulus - 1, 0, 0, 0, 0}; }

PackedKey end_key() { return {std::uint64_t{1} << kLimbBits, 0, 0, 0, 0}; }

bool key_less(const PackedKey& a, const PackedKey& b) {
  // The sentinel's first limb is -1 in the field: compare limb 0 shifted by one.
  const auto shifted = [](std::uint64_t v) { return v == Felt::kModulus - 1 ? 0 : v + 1; };
  if (a[0] != b[0]) return shifted(a[0]) < shifted(b[0]);
  return std::lexicographical_compare(a.begin() + 1, a.end(), b.begin() + 1, b.end());
}

Digest key_leaf(const PackedKey& key, const PackedKey& next) {
  std::array<Felt, 13> e{};
  for (std::size_t i = 0; i < kKeyLimbs; ++i) {
    e[i] = Felt(key[i]);
    e[8 + i] = Felt(next[i]);
  }
  return hash::hash_elements(e);
}

KeyTree::KeyTree() : keys_{sentinel_key()}, next_{end_key()} {
  put(0);
  tree_.commit();
}

KeyTree KeyTree::from_keys(std::span<const PublicKey> keys, unsigned threads) {
  KeyTree t;
  t.keys_.reserve(keys.size() + 1);
  for (const auto& k : keys) t.keys_.push_back(pack_key(k));
  t.sorted_.resize(keys.size());
  std::iota(t.sorted_.begin(), t.sorted_.end(), std::uint64_t{1});
  std::sort(t.sorted_.begin(), t.sorted_.end(),
            [&](std::uint64_t a, std::uint64_t b) { return t.keys_[a] < t.keys_[b]; });
  t.next_.assign(t.keys_.size(), end_key());
  std::uint64_t prev = 0;
  for (std::uint64_t position : t.sorted_) {  // ascending key order
    t.next_[prev] = t.keys_[position];
    prev = position;
  }
  t.next_[prev] = end_key();
  // Fresh leaves in position order: key_leaf's two permutations side by side in SIMD lanes (as
  // leaf_digests does for accounts), in parallel chunks. hash_elements of 13 elements: the
  // capacity starts at 13 % 8, the key's limbs (zero-padded) fill the rate for the first
  // permutation, the next key's for the second.
  std::vector<Digest> leaves(t.keys_.size());
  parallel_for(
      leaves.size(), threads,
      [&](std::size_t begin, std::size_t end) {
        std::vector<hash::State> states(end - begin);
        for (std::size_t i = begin; i < end; ++i) {
          hash::State& s = states[i - begin];
          s.fill(Felt::zero());
          s[0] = Felt(13 % hash::kRate);
          for (std::size_t l = 0; l < kKeyLimbs; ++l) s[hash::kCapacity + l] = Felt(t.keys_[i][l]);
        }
        hash::permute_many(states);
        for (std::size_t i = begin; i < end; ++i) {
          hash::State& s = states[i - begin];
          for (std::size_t r = 0; r < hash::kRate; ++r)
            s[hash::kCapacity + r] = r < kKeyLimbs ? Felt(t.next_[i][r]) : Felt::zero();
        }
        hash::permute_many(states);
        for (std::size_t i = begin; i < end; ++i)
          for (std::size_t d = 0; d < 4; ++d) leaves[i][d] = states[i - begin][hash::kCapacity + d];
      },
      256);
  for (std::size_t i = 0; i < leaves.size(); ++i) t.tree_.set_leaf(i, leaves[i]);
  t.tree_.commit(threads);
  return t;
}

KeySetCommitment KeyTree::commitment() const { return {hash::digest_bytes(tree_.root()), count()}; }

KeySetCommitment key_set_commitment(std::span<const PublicKey> keys, unsigned threads) {
  return KeyTree::from_keys(keys, threads).commitment();
}

namespace {
// Beyond this many keys appended since, sorted_ is rebuilt: a merge of a million positions every
// few dozen blocks of a hundred new keys.
constexpr std::size_t kRecentKeys = 4096;
}  // namespace

bool KeyTree::contains(const PackedKey& key) const {
  auto it = std::lower_bound(sorted_.begin(), sorted_.end(), key,
                             [&](std::uint64_t position, const PackedKey& k) { return keys_[position] < k; });
  return (it != sorted_.end() && keys_[*it] == key) || recent_.contains(key);
}

std::uint64_t KeyTree::low_position(const PackedKey& key) const {
  // The greater of the two parts' greatest keys below `key`.
  std::uint64_t low = 0;
  auto it = std::lower_bound(sorted_.begin(), sorted_.end(), key,
                             [&](std::uint64_t position, const PackedKey& k) { return keys_[position] < k; });
  if (it != sorted_.begin()) low = *std::prev(it);
  auto recent = recent_.lower_bound(key);
  if (recent != recent_.begin() && (low == 0 || keys_[low] < std::prev(recent)->first)) low = std::prev(recent)->second;
  return low;
}

void KeyTree::order(std::uint64_t position) {
  recent_.emplace(keys_[position], position);
  if (recent_.size() <= kRecentKeys) return;
  std::vector<std::uint64_t> recent;
  recent.reserve(recent_.size());
  for (const auto& [key, p] : recent_) recent.push_back(p);
  std::vector<std::uint64_t> merged(sorted_.size() + recent.size());
  std::merge(sorted_.begin(), sorted_.end(), recent.begin(), recent.end(), merged.begin(),
             [&](std::uint64_t a, std::uint64_t b) { return keys_[a] < keys_[b]; });
  sorted_.swap(merged);
  recent_.clear();
}

void KeyTree::insert(const PackedKey& key) {
  const std::uint64_t low = low_position(key);
  const PackedKey old_next = next_[low];
  set_next(low, key);
  append(key, old_next);
}

void KeyTree::set_next(std::uint64_t position, const PackedKey& next) {
  next_[position] = next;
  put(position);
  tree_.commit();
}

void KeyTree::append(const PackedKey& key, const PackedKey& next) {
  const std::uint64_t position = keys_.size();
  keys_.push_back(key);
  next_.push_back(next);
  order(position);
  put(position);
  tree_.commit();
}

std::pair<std::uint64_t, Digest> KeyTree::set_next_unhashed(std::uint64_t position, const PackedKey& next) {
  next_[position] = next;
  return {position, key_leaf(keys_[position], next)};
}

std::pair<std::uint64_t, Digest> KeyTree::append_unhashed(const PackedKey& key, const PackedKey& next) {
  const std::uint64_t position = keys_.size();
  keys_.push_back(key);
  next_.push_back(next);
  order(position);
  return {position, key_leaf(key, next)};
}

void KeyTree::load_nodes(std::span<const NodeUpdate> nodes) {
  for (const auto& node : nodes) tree_.load(node);
}

void KeyTree::put(std::uint64_t position) {
  tree_.set_leaf(position, key_leaf(keys_[position], next_[position]));
}

}  // namespace rollup::smt
