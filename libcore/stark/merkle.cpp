#include "stark/merkle.hpp"

#include <sodium.h>

#include <array>
#include <bit>
#include <cstring>
#include <stdexcept>
#include <type_traits>

#include "crypto/crypto.hpp"
#include "core/parallel.hpp"

namespace rollup::stark {
namespace {

using Personal = std::array<unsigned char, crypto_generichash_blake2b_PERSONALBYTES>;

constexpr Personal personal(const char* tag) {
  Personal p{};
  for (std::size_t i = 0; tag[i] != '\0' && i < p.size(); ++i)
    p[i] = static_cast<unsigned char>(tag[i]);
  return p;
}

constexpr Personal kLeafTag = personal("rstark-leaf-v1");
constexpr Personal kNodeTag = personal("rstark-node-v1");

// Leaves wider than this are hashed from a heap buffer; every AIR here is far narrower.
constexpr std::size_t kStackElements = 64;

Digest blake2b_personal(const std::uint8_t* data, std::size_t len, const Personal& tag) {
  Digest out{};
  crypto_generichash_blake2b_salt_personal(out.data(), out.size(), data, len, nullptr, 0, nullptr,
                                           tag.data());
  return out;
}

void put_u64(std::uint8_t* out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

Digest hash_words(std::span<const std::uint64_t> words) {
  std::array<std::uint8_t, 8 * kStackElements> stack;
  std::vector<std::uint8_t> heap;
  std::uint8_t* buf = stack.data();
  if (words.size() > kStackElements) {
    heap.resize(8 * words.size());
    buf = heap.data();
  }
  for (std::size_t i = 0; i < words.size(); ++i) put_u64(buf + 8 * i, words[i]);
  return blake2b_personal(buf, 8 * words.size(), kLeafTag);
}

template <class T>
constexpr std::size_t words_per_element() {
  return std::is_same_v<T, Ext2> ? 2 : 1;
}

}  // namespace

Digest hash_leaf(std::span<const Felt> elements) {
  std::vector<std::uint64_t> words(elements.size());
  for (std::size_t i = 0; i < elements.size(); ++i) words[i] = elements[i].value();
  return hash_words(words);
}

Digest hash_leaf(std::span<const Ext2> elements) {
  std::vector<std::uint64_t> words(2 * elements.size());
  for (std::size_t i = 0; i < elements.size(); ++i) {
    words[2 * i] = elements[i].real().value();
    words[2 * i + 1] = elements[i].imag().value();
  }
  return hash_words(words);
}

Digest hash_node(const Digest& left, const Digest& right) {
  std::array<std::uint8_t, 64> buf;
  std::memcpy(buf.data(), left.data(), 32);
  std::memcpy(buf.data() + 32, right.data(), 32);
  return blake2b_personal(buf.data(), buf.size(), kNodeTag);
}

template <class T, class Allocator>
std::vector<Digest> hash_rows(std::span<const std::vector<T, std::type_identity_t<Allocator>>> columns,
                              unsigned threads) {
  crypto::ensure_sodium();
  const std::size_t rows = columns.empty() ? 0 : columns[0].size();
  std::vector<Digest> out(rows);
  parallel_for(
      rows, threads,
      [&](std::size_t begin, std::size_t end) {
        std::vector<std::uint64_t> words(columns.size() * words_per_element<T>());
        for (std::size_t r = begin; r < end; ++r) {
          std::size_t w = 0;
          for (const auto& col : columns) {
            if constexpr (std::is_same_v<T, Ext2>) {
              words[w++] = col[r].real().value();
              words[w++] = col[r].imag().value();
            } else {
              words[w++] = col[r].value();
            }
          }
          out[r] = hash_words(words);
        }
      },
      1024);
  return out;
}

template std::vector<Digest> hash_rows<Felt>(std::span<const std::vector<Felt>>, unsigned);
template std::vector<Digest> hash_rows<Ext2>(std::span<const std::vector<Ext2>>, unsigned);
template std::vector<Digest> hash_rows<Felt, HugePageAllocator<Felt>>(std::span<const HugeVector<Felt>>, unsigned);
template std::vector<Digest> hash_rows<Ext2, HugePageAllocator<Ext2>>(std::span<const HugeVector<Ext2>>, unsigned);

MerkleTree::MerkleTree(std::vector<Digest> leaves, unsigned threads) : leaves_(leaves.size()) {
  if (leaves_ == 0 || !std::has_single_bit(leaves_))
    throw std::invalid_argument("merkle: leaf count must be a power of two");
  crypto::ensure_sodium();
  depth_ = static_cast<unsigned>(std::countr_zero(leaves_));
  if (leaves_ == 1) {
    // A single leaf is its own root.
    root_ = leaves[0];
    return;
  }
  nodes_.resize(leaves_);
  const std::size_t first = leaves_ / 2;
  auto level = [&](std::size_t width, auto&& child) {
    parallel_for(
        width, threads,
        [&](std::size_t begin, std::size_t end) {
          for (std::size_t i = begin; i < end; ++i)
            nodes_[width + i] = hash_node(child(2 * i), child(2 * i + 1));
        },
        4096);
  };
  level(first, [&](std::size_t k) -> const Digest& { return leaves[k]; });
  leaves = {};
  hash_upper_levels(threads);
}

MerkleTree MerkleTree::from_parents(std::size_t leaf_count, unsigned threads,
                                    const std::function<void(std::span<Digest>)>& fill_parents,
                                    unsigned block_levels) {
  if (leaf_count < 2 || !std::has_single_bit(leaf_count))
    throw std::invalid_argument("merkle: leaf count must be a power of two, at least 2");
  crypto::ensure_sodium();
  MerkleTree tree(leaf_count);
  tree.depth_ = static_cast<unsigned>(std::countr_zero(leaf_count));
  if (block_levels < 1 || block_levels > tree.depth_)
    throw std::invalid_argument("merkle: block levels must be from 1 to the tree's depth");
  tree.nodes_.resize(leaf_count);
  fill_parents(std::span<Digest>(tree.nodes_).subspan(leaf_count / 2));
  tree.hash_upper_levels(threads);
  tree.block_levels_ = block_levels;
  tree.nodes_.resize(2 * (leaf_count >> block_levels));
  tree.nodes_.shrink_to_fit();
  return tree;
}

std::vector<Digest> MerkleTree::path_in_block(std::size_t index,
                                              std::span<const Digest> block_leaves) const {
  const std::size_t block = std::size_t{1} << block_levels_;
  if (leaves_ < 2 || block_leaves.size() != block)
    throw std::invalid_argument("merkle: a block of 2^block_levels leaf digests is needed");
  std::vector<Digest> out;
  out.reserve(depth_);
  std::vector<Digest> level(block_leaves.begin(), block_leaves.end());
  std::size_t at = index & (block - 1);
  while (level.size() > 1) {
    out.push_back(level[at ^ 1]);
    for (std::size_t i = 0; i < level.size() / 2; ++i)
      level[i] = hash_node(level[2 * i], level[2 * i + 1]);
    level.resize(level.size() / 2);
    at /= 2;
  }
  for (std::size_t node = (leaves_ >> block_levels_) + (index >> block_levels_); node > 1; node /= 2)
    out.push_back(nodes_[node ^ 1]);
  return out;
}

void MerkleTree::hash_upper_levels(unsigned threads) {
  for (std::size_t width = leaves_ / 4; width >= 1; width /= 2)
    parallel_for(
        width, threads,
        [&](std::size_t begin, std::size_t end) {
          for (std::size_t i = begin; i < end; ++i)
            nodes_[width + i] = hash_node(nodes_[2 * (width + i)], nodes_[2 * (width + i) + 1]);
        },
        4096);
  root_ = nodes_[1];
}

std::vector<Digest> MerkleTree::path(std::size_t index, const Digest& sibling_leaf) const {
  if (block_levels_ != 1)
    throw std::logic_error("merkle: this tree opens paths from blocks of leaves (path_in_block)");
  std::vector<Digest> out;
  out.reserve(depth_);
  if (leaves_ == 1) return out;
  out.push_back(sibling_leaf);
  for (std::size_t node = (leaves_ + index) / 2; node > 1; node /= 2)
    out.push_back(nodes_[node ^ 1]);
  return out;
}

bool verify_path(const Digest& root, std::size_t index, const Digest& leaf,
                 std::span<const Digest> path) {
  crypto::ensure_sodium();
  if (path.size() < 64 && (index >> path.size()) != 0) return false;
  Digest acc = leaf;
  for (const auto& sibling : path) {
    acc = (index & 1) ? hash_node(sibling, acc) : hash_node(acc, sibling);
    index >>= 1;
  }
  return acc == root;
}

}  // namespace rollup::stark
