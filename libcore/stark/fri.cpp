#include "stark/fri.hpp"

#include <string>

#include "core/parallel.hpp"
#include "field/ntt.hpp"
#include "stark/faults.hpp"
#include "stark/protocol.hpp"

namespace rollup::stark::fri {
namespace {

namespace proto = protocol;

// Leaves are hashed and folded in chunks of this many cosets.
constexpr std::size_t kChunk = 1024;

Felt generator(std::size_t size) { return field::root_of_unity(proto::log2_exact(size)); }

// The layer's Merkle tree: leaf j hashes coset j's four values.
MerkleTree commit_layer(std::span<const Ext2> layer, unsigned threads) {
  const std::size_t cosets = layer.size() / kFoldingFactor;
  std::vector<Digest> leaves(cosets);
  parallel_for(
      cosets, threads,
      [&](std::size_t b, std::size_t e) {
        for (std::size_t j = b; j < e; ++j) {
          const auto values = coset_values(layer, j);
          leaves[j] = hash_leaf(std::span<const Ext2>(values));
        }
      },
      kChunk);
  return MerkleTree(std::move(leaves), threads);
}

// The next layer: value j is fold_coset of coset j at its first point.
std::vector<Ext2> fold_layer(std::span<const Ext2> layer, const LayerDomain& domain, Ext2 beta,
                             unsigned threads) {
  const std::size_t cosets = domain.cosets();
  std::vector<Ext2> folded(cosets);
  const Felt shift_inv = domain.shift.inverse();
  const Felt omega_inv = generator(domain.size).inverse();
  parallel_for(
      cosets, threads,
      [&](std::size_t b, std::size_t e) {
        Felt x_inv = shift_inv * omega_inv.pow(b);  // 1 / point(b), then stepping by 1/w
        for (std::size_t j = b; j < e; ++j, x_inv *= omega_inv)
          folded[j] = fold_coset(coset_values(layer, j), beta, x_inv);
      },
      kChunk);
  return folded;
}

}  // namespace

Felt LayerDomain::point(std::size_t position) const {
  return shift * generator(size).pow(position);
}

LayerDomain LayerDomain::folded() const {
  return {size / kFoldingFactor, shift.pow(kFoldingFactor)};
}

CosetIndex locate(std::size_t position, std::size_t size) {
  const std::size_t cosets = size / kFoldingFactor;
  return {position % cosets, position / cosets};
}

std::array<Ext2, 4> coset_values(std::span<const Ext2> layer, std::size_t leaf) {
  const std::size_t cosets = layer.size() / kFoldingFactor;
  return {layer[leaf], layer[leaf + cosets], layer[leaf + 2 * cosets], layer[leaf + 3 * cosets]};
}

Ext2 fold_coset(const std::array<Ext2, 4>& v, Ext2 beta, Felt x_inv) {
  // Inverse 4-point DFT of the coset values gives x^m f_m(x^4) (times 4); then Horner in beta/x.
  static const Felt kW4Inv = field::root_of_unity(2).inverse();
  static const Felt kQuarter = Felt(4).inverse();
  const Ext2 e0 = v[0] + v[2], e1 = v[1] + v[3];
  const Ext2 o0 = v[0] - v[2], o1 = (v[1] - v[3]) * kW4Inv;
  const Ext2 a0 = e0 + e1, a1 = o0 + o1, a2 = e0 - e1, a3 = o0 - o1;
  const Ext2 r = beta * x_inv;
  return (((a3 * r + a2) * r + a1) * r + a0) * kQuarter;
}

Result<Commitment> commit(std::vector<Ext2> evaluations, const LayerDomain& domain,
                          const ProofShape& shape, Transcript& transcript, unsigned threads,
                          const FaultHook& faults) {
  const unsigned layers = shape.fri_layers;
  Commitment fri;
  fri.layers.reserve(layers);
  fri.trees.reserve(layers);
  std::vector<Ext2> current = std::move(evaluations);
  LayerDomain dom = domain;
  for (unsigned layer = 0;; ++layer) {
    // Layer j has degree < R 4^(L - j): n for the DEEP polynomial, R for the last fold.
    faults.on_fri_layer(layer, shape.remainder_size << (2 * (layers - layer)), dom.shift, current);
    if (layer == layers) break;
    fri.trees.push_back(commit_layer(current, threads));
    fri.roots.push_back(fri.trees.back().root());
    const Ext2 beta = proto::draw_fri_fold(transcript, fri.roots.back());
    std::vector<Ext2> folded = fold_layer(current, dom, beta, threads);
    fri.layers.push_back(std::move(current));
    current = std::move(folded);
    dom = dom.folded();
  }
  field::coset_intt(std::span<Ext2>(current), dom.shift, threads);
  if (faults.self_checks()) {
    for (std::size_t i = shape.remainder_size; i < current.size(); ++i)
      if (current[i] != Ext2::zero())
        return fail(Errc::internal, "FRI remainder exceeds its degree bound");
  }
  current.resize(shape.remainder_size);
  fri.remainder = std::move(current);
  proto::absorb_fri_remainder(transcript, fri.remainder);
  return fri;
}

std::vector<FriLayerOpening> open(const Commitment& fri, std::size_t position) {
  std::vector<FriLayerOpening> openings(fri.layers.size());
  std::size_t p = position;
  for (std::size_t layer = 0; layer < fri.layers.size(); ++layer) {
    const auto& values = fri.layers[layer];
    const auto [leaf, member] = locate(p, values.size());
    openings[layer].values = coset_values(values, leaf);
    const std::size_t sibling = values.size() > kFoldingFactor ? (leaf ^ 1) : leaf;  // a one-leaf tree has none
    const auto sibling_values = coset_values(values, sibling);
    openings[layer].path =
        fri.trees[layer].path(leaf, hash_leaf(std::span<const Ext2>(sibling_values)));
    p = leaf;
  }
  return openings;
}

std::vector<Ext2> replay_challenges(Transcript& transcript, std::span<const Digest> roots,
                                    std::span<const Ext2> remainder) {
  std::vector<Ext2> betas(roots.size());
  for (std::size_t i = 0; i < roots.size(); ++i) betas[i] = proto::draw_fri_fold(transcript, roots[i]);
  proto::absorb_fri_remainder(transcript, remainder);
  return betas;
}

std::optional<Rejected> verify_query(const Claim& claim, const LayerDomain& domain,
                                     std::size_t position, Ext2 expected,
                                     std::span<const FriLayerOpening> openings) {
  auto at = [](unsigned layer) { return "FRI layer " + std::to_string(layer); };
  std::size_t p = position;
  LayerDomain dom = domain;
  for (unsigned i = 0; i < claim.roots.size(); ++i) {
    const auto [leaf, member] = locate(p, dom.size);
    const FriLayerOpening& layer = openings[i];
    if (layer.values[member] != expected)
      return i == 0 ? Rejected{Rejection::deep_mismatch,
                               at(i) + " disagrees with the DEEP composition"}
                    : Rejected{Rejection::fri_fold_mismatch,
                               at(i) + " disagrees with the previous layer's fold"};
    if (!verify_path(claim.roots[i], leaf, hash_leaf(std::span<const Ext2>(layer.values)),
                     layer.path))
      return Rejected{Rejection::fri_root_mismatch,
                      at(i) + " opening does not match its commitment"};
    expected = fold_coset(layer.values, claim.betas[i], dom.point(leaf).inverse());
    p = leaf;
    dom = dom.folded();
  }
  if (field::evaluate_polynomial(claim.remainder, Ext2(dom.point(p))) != expected)
    return Rejected{Rejection::fri_remainder_mismatch,
                    std::string(claim.roots.empty() ? "DEEP composition" : "last FRI layer") +
                        " disagrees with the remainder polynomial"};
  return std::nullopt;
}

}  // namespace rollup::stark::fri
