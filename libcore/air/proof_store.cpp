#include "air/proof_store.hpp"

#include <fmt/format.h>

namespace rollup::air {

Result<std::optional<ProofLine>> ProofStore::get(std::uint64_t height) {
  auto q = ROLLUP_TRY(db_.prepare(
      "SELECT block_hash, pre_root, post_root, pre_key_root, pre_accounts, post_key_root, post_accounts, "
      "security_bits, proof, prove_ms FROM proof_blocks WHERE height = ?"));
  q.bind(1, height);
  if (!ROLLUP_TRY(q.step())) return std::optional<ProofLine>{};
  ProofLine p;
  p.height = height;
  p.block_hash = ROLLUP_TRY(q.column_array<32>(0));
  p.pre_root = ROLLUP_TRY(q.column_array<32>(1));
  p.post_root = ROLLUP_TRY(q.column_array<32>(2));
  p.pre_keys.root = ROLLUP_TRY(q.column_array<32>(3));
  p.pre_keys.count = ROLLUP_TRY(q.column_uint64(4));
  p.post_keys.root = ROLLUP_TRY(q.column_array<32>(5));
  p.post_keys.count = ROLLUP_TRY(q.column_uint64(6));
  p.security_bits = static_cast<unsigned>(ROLLUP_TRY(q.column_uint64(7)));
  p.proof = q.column_blob(8);
  p.prove_ms = ROLLUP_TRY(q.column_uint64(9));
  p.last_height = height + proof_block_count(p.proof) - 1;
  return std::optional<ProofLine>(std::move(p));
}

Result<std::optional<ProofLine>> ProofStore::get_ending(std::uint64_t height) {
  auto q = ROLLUP_TRY(db_.prepare("SELECT height FROM proof_blocks WHERE height <= ? ORDER BY height DESC LIMIT 1"));
  q.bind(1, height);
  if (!ROLLUP_TRY(q.step())) return std::optional<ProofLine>{};
  const std::uint64_t first = ROLLUP_TRY(q.column_uint64(0));
  q.reset();
  auto p = ROLLUP_TRY(get(first));
  if (!p || p->last_height != height) return std::optional<ProofLine>{};
  return p;
}

Status ProofStore::put(const ProofLine& p) {
  auto tx = ROLLUP_TRY(db_.begin_immediate());
  auto existing = ROLLUP_TRY(get(p.height));
  if (existing) {
    if (existing->block_hash != p.block_hash)
      return fail(Errc::rejected, fmt::format("a proof of another block at height {} is stored", p.height));
    return tx.commit();
  }
  auto q = ROLLUP_TRY(db_.prepare(
      "INSERT INTO proof_blocks(height, block_hash, pre_root, post_root, pre_key_root, pre_accounts, "
      "post_key_root, post_accounts, security_bits, proof, prove_ms, proven_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))"));
  q.bind(1, p.height)
      .bind(2, std::span<const std::uint8_t>(p.block_hash))
      .bind(3, std::span<const std::uint8_t>(p.pre_root))
      .bind(4, std::span<const std::uint8_t>(p.post_root))
      .bind(5, std::span<const std::uint8_t>(p.pre_keys.root))
      .bind(6, p.pre_keys.count)
      .bind(7, std::span<const std::uint8_t>(p.post_keys.root))
      .bind(8, p.post_keys.count)
      .bind(9, std::uint64_t{p.security_bits})
      .bind(10, std::span<const std::uint8_t>(p.proof))
      .bind(11, p.prove_ms);
  ROLLUP_TRY(q.run());
  return tx.commit();
}

}  // namespace rollup::air
