#include "seq/mempool.hpp"

#include "store/db.hpp"

namespace rollup::seq {

Result<std::vector<bool>> mempool_append(store::Db& db, std::span<const MempoolSubmission> txs) {
  auto ins = ROLLUP_TRY(
      db.prepare("INSERT OR IGNORE INTO seq_mempool(hash, sender, nonce, line, received_at) "
                 "VALUES (?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))"));
  std::vector<bool> added;
  added.reserve(txs.size());
  for (const auto& t : txs) {
    ins.bind(1, t.hash).bind(2, t.tx.from).bind(3, t.tx.nonce).bind(4, t.line);
    ROLLUP_TRY(ins.run());
    added.push_back(db.changes() > 0);
  }
  return added;
}

Result<std::vector<MempoolEntry>> mempool_pending(store::Db& db, std::uint64_t after_seq,
                                                  std::size_t max) {
  auto q =
      ROLLUP_TRY(db.prepare("SELECT seq, hash, line FROM seq_mempool WHERE height IS NULL AND seq "
                            "> ? ORDER BY seq LIMIT ?"));
  q.bind(1, after_seq).bind(2, static_cast<std::uint64_t>(max));
  std::vector<MempoolEntry> out;
  while (ROLLUP_TRY(q.step()))
    out.push_back(MempoolEntry{ROLLUP_TRY(q.column_uint64(0)), ROLLUP_TRY(q.column_array<32>(1)),
                               q.column_text(2)});
  return out;
}

Result<std::uint64_t> mempool_pending_count(store::Db& db) {
  auto q = ROLLUP_TRY(db.prepare("SELECT count(*) FROM seq_mempool WHERE height IS NULL"));
  ROLLUP_TRY(q.step());
  return q.column_uint64(0);
}

Result<std::optional<MempoolRecord>> mempool_find(store::Db& db, const Hash32& hash) {
  auto q = ROLLUP_TRY(
      db.prepare("SELECT seq, height, position, line IS NOT NULL FROM seq_mempool WHERE hash = ?"));
  q.bind(1, hash);
  if (!ROLLUP_TRY(q.step())) return std::optional<MempoolRecord>{};
  MempoolRecord r;
  r.seq = ROLLUP_TRY(q.column_uint64(0));
  if (!q.column_is_null(1)) r.height = ROLLUP_TRY(q.column_uint64(1));
  if (!q.column_is_null(2)) r.position = ROLLUP_TRY(q.column_uint64(2));
  r.in_mempool = q.column_int64(3) != 0;
  return std::optional<MempoolRecord>(r);
}

Result<std::uint64_t> logged_height(store::Db& db) {
  auto q = ROLLUP_TRY(db.prepare("SELECT coalesce(max(height), 0) FROM seq_log"));
  ROLLUP_TRY(q.step());
  return q.column_uint64(0);
}

Result<std::optional<Hash32>> logged_block_hash(store::Db& db, std::uint64_t height) {
  auto q = ROLLUP_TRY(db.prepare("SELECT hash FROM seq_log WHERE height = ?"));
  q.bind(1, height);
  if (!ROLLUP_TRY(q.step())) return std::optional<Hash32>{};
  return std::optional<Hash32>(ROLLUP_TRY(q.column_array<32>(0)));
}

}  // namespace rollup::seq
