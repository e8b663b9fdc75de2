#include "vm/exec_lines.hpp"

#include "store/db.hpp"

namespace rollup::vm {

Result<std::optional<std::string>> exec_line_at(store::Db& db, std::uint64_t height) {
  auto q = ROLLUP_TRY(db.prepare("SELECT exec FROM state_blocks WHERE height = ?"));
  q.bind(1, height);
  if (!ROLLUP_TRY(q.step()) || q.column_is_null(0)) return std::optional<std::string>{};
  std::string line = q.column_text(0);
  if (line.empty()) return std::optional<std::string>{};
  return std::optional<std::string>(std::move(line));
}

Result<std::vector<std::pair<std::uint64_t, std::string>>> exec_lines_from(store::Db& db,
                                                                           std::uint64_t from,
                                                                           std::size_t max) {
  auto q = ROLLUP_TRY(db.prepare(
      "SELECT height, exec FROM state_blocks WHERE height >= ? AND exec IS NOT NULL AND exec <> '' "
      "ORDER BY height LIMIT ?"));
  q.bind(1, from).bind(2, static_cast<std::uint64_t>(max));
  std::vector<std::pair<std::uint64_t, std::string>> out;
  while (ROLLUP_TRY(q.step())) out.emplace_back(ROLLUP_TRY(q.column_uint64(0)), q.column_text(1));
  return out;
}

}  // namespace rollup::vm
