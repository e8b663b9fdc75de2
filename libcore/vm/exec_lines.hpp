#pragma once
// The executor's exec lines read back by height (state_blocks), for readers outside the
// executor: rollup-serve's receipts, tx statuses and its /v1/exec stream.
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace rollup::store {
class Db;
}

namespace rollup::vm {

/// The exec line stored for `height`, or nullopt when the executor has not applied it (or it is
/// at or below the snapshot the file started from, which has no exec lines).
Result<std::optional<std::string>> exec_line_at(store::Db& db, std::uint64_t height);
/// The exec lines of heights `from` and above, in height order, at most `max`, with their heights.
Result<std::vector<std::pair<std::uint64_t, std::string>>> exec_lines_from(store::Db& db,
                                                                           std::uint64_t from,
                                                                           std::size_t max);
}  // namespace rollup::vm
