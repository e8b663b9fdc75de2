#include "air/proof_cover.hpp"

#include "air/proof_store.hpp"

namespace rollup::air {

Result<std::optional<ProofLine>> proof_covering(store::Db& db, std::uint64_t height) {
  auto q = ROLLUP_TRY(
      db.prepare("SELECT height FROM proof_blocks WHERE height <= ? ORDER BY height DESC LIMIT 1"));
  q.bind(1, height);
  if (!ROLLUP_TRY(q.step())) return std::optional<ProofLine>{};
  const std::uint64_t first = ROLLUP_TRY(q.column_uint64(0));
  q.reset();
  auto proof = ROLLUP_TRY(ProofStore(db).get(first));
  if (!proof || proof->last_height < height) return std::optional<ProofLine>{};
  return proof;
}

Result<std::uint64_t> proven_height(store::Db& db) {
  auto q = ROLLUP_TRY(db.prepare("SELECT max(height) FROM proof_blocks"));
  if (!ROLLUP_TRY(q.step()) || q.column_is_null(0)) return std::uint64_t{0};
  const std::uint64_t first = ROLLUP_TRY(q.column_uint64(0));
  q.reset();
  auto proof = ROLLUP_TRY(ProofStore(db).get(first));
  return proof ? proof->last_height : first;
}

}  // namespace rollup::air
