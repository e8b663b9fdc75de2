#pragma once
// The state file: one SQLite database shared by every stage of a pipeline (docs/design.md §8).
//
// Several processes open the same file at once, so every connection runs in WAL mode with a busy
// timeout: a stage that finds the file locked waits for the holder instead of failing. WAL needs
// all of those processes on one host (its index lives in shared memory), so the file must not be
// on a network file system.
//
// Rules for callers:
// - Every transaction that may write starts with begin_immediate(). A deferred transaction that
//   reads and then writes gets SQLITE_BUSY at once when another writer got in between, without
//   waiting for the busy timeout.
// - Never keep a transaction open while reading stdin (or waiting on anything slow): it blocks
//   every other writer, and an open read snapshot keeps the WAL from being checkpointed. Read a
//   line, then open, fill and commit its transaction. The same goes for a Stmt that has returned
//   a row: until it is reset or destroyed it keeps a read snapshot open.
// - A Db, and the Stmt and Transaction objects it hands out, belong to one thread at a time. Give
//   each thread its own Db. Stmt and Transaction objects must not outlive their Db.
#include <array>
#include <algorithm>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/bytes.hpp"
#include "core/error.hpp"
#include "store/schema.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace rollup::store {

enum class OpenMode {
  create_if_missing,  ///< create and migrate a new file; migrate an old one
  must_exist,         ///< as create_if_missing, but a missing file is an error
  read_only,          ///< no writes, no migration; the file must be at kSchemaVersion
};

/// Long enough for any stage to finish the one block it holds the write lock for.
inline constexpr std::chrono::milliseconds kBusyTimeout{30'000};

/// The state file to use: `flag` (from --db) when given, else $ROLLUP_DB when set and not empty,
/// else "./rollup.db".
std::string resolve_db_path(std::optional<std::string> flag);
/// A state file named by a user is a path: an empty name and ":memory:" (SQLite's private
/// database, which would "succeed" and keep nothing) are usage errors. Names such as
/// "file:x.db" are paths too; Db::open never lets SQLite read them as URIs.
Status check_db_path(const std::string& path);

namespace detail {
struct StmtCache;
}

/// A prepared statement lent out by Db::prepare. It goes back to its Db's cache when destroyed,
/// reset and with its bindings cleared, so a finished query never pins a read snapshot.
///
/// bind() calls chain; the first one that fails is reported by the next step() or run(), which
/// keeps call sites to one error check per execution.
class Stmt {
 public:
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&& other) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  /// Parameters are numbered from 1, as in SQLite.
  Stmt& bind(int idx, std::int64_t value);
  /// Values above INT64_MAX have no SQLite INTEGER form and are an error.
  Stmt& bind(int idx, std::uint64_t value);
  template <std::integral T>
  Stmt& bind(int idx, T value) {
    if constexpr (std::is_signed_v<T>)
      return bind(idx, static_cast<std::int64_t>(value));
    else
      return bind(idx, static_cast<std::uint64_t>(value));
  }
  Stmt& bind(int idx, double value);
  /// Binds TEXT; the text is copied.
  Stmt& bind(int idx, std::string_view text);
  Stmt& bind(int idx, const char* text) { return bind(idx, std::string_view(text)); }
  /// Binds a BLOB (an empty span is an empty blob, not NULL); the bytes are copied.
  Stmt& bind(int idx, std::span<const std::uint8_t> blob);
  Stmt& bind(int idx, std::nullptr_t);

  /// Advances to the next row: true when a row is ready, false when the statement is done.
  Result<bool> step();
  /// Steps to completion, ignoring rows, then resets (keeping the bindings) for the next run.
  Status run();
  /// Rewinds to before the first row and clears the bindings and any pending bind error.
  void reset();

  /// Column getters read the current row; columns are numbered from 0. NULL reads as 0 or empty.
  std::int64_t column_int64(int col) const;
  /// A negative value is an error: the column holds something this program never wrote.
  Result<std::uint64_t> column_uint64(int col) const;
  double column_double(int col) const;
  std::string column_text(int col) const;
  Bytes column_blob(int col) const;
  /// A blob of exactly N bytes (a hash, a key); any other size is an error.
  template <std::size_t N>
  Result<std::array<std::uint8_t, N>> column_array(int col) const {
    auto blob = blob_view(col);
    if (blob.size() != N) return std::unexpected(size_error(col, N, blob.size()));
    std::array<std::uint8_t, N> out;
    std::copy(blob.begin(), blob.end(), out.begin());
    return out;
  }
  /// An account key: a blob of one of kAccountKeySizes bytes.
  Result<PublicKey> column_key(int col) const;
  bool column_is_null(int col) const;

 private:
  friend class Db;
  Stmt(sqlite3_stmt* stmt, sqlite3_stmt** home);
  Stmt& record_bind(int rc, int idx);
  std::span<const std::uint8_t> blob_view(int col) const;
  Error size_error(int col, std::size_t want, std::size_t got) const;
  void release() noexcept;

  sqlite3_stmt* stmt_ = nullptr;
  /// The cache slot for this SQL text. A statement compiled while the cached one was lent out
  /// finds the slot taken when it comes back, and is finalized instead.
  sqlite3_stmt** home_ = nullptr;
  std::optional<Error> bind_error_;
};

/// An open transaction; rolled back on destruction unless commit() succeeded.
class Transaction {
 public:
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Status commit();

 private:
  friend class Db;
  explicit Transaction(sqlite3* db) : db_(db) {}

  sqlite3* db_;  ///< nullptr once committed, rolled back or moved from
};

/// One connection to the state file (move-only).
class Db {
 public:
  /// Opens `path` (":memory:" gives a private in-memory database, for tests; every other name
  /// is a file path, even "file:…", which SQLite would take as a URI) and, unless
  /// read-only, migrates it to kSchemaVersion. A file with a newer schema than this build knows
  /// is refused, as is a database that has tables but was never a state file.
  static Result<Db> open(const std::string& path, OpenMode mode);

  Db(Db&& other) noexcept;
  Db& operator=(Db&& other) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  /// A statement for one SQL text, from a cache keyed by that text: the hot loops of a stage
  /// prepare each statement once per connection. Meant for the fixed SQL texts of the code; SQL
  /// built from data would grow the cache without bound.
  Result<Stmt> prepare(std::string_view sql);
  /// Runs a script of one or more statements (DDL, PRAGMAs), uncached, ignoring any rows.
  Status exec(std::string_view sql);

  /// BEGIN IMMEDIATE: takes the write lock now, waiting up to the busy timeout for it.
  Result<Transaction> begin_immediate();
  /// BEGIN DEFERRED, for several reads from one snapshot (taken at the first read). Do not write
  /// in it: that would need the write lock without waiting, see the rules above.
  Result<Transaction> begin_read();

  /// Writes a consistent copy of the database to a new file `path` (VACUUM INTO), which unlike a
  /// file copy includes the commits still in the WAL. Fails if `path` exists.
  Status backup_to(const std::string& path);

  /// The highest migration recorded in the file.
  Result<int> schema_version();

  /// Rows changed by the last INSERT, UPDATE or DELETE (telling an INSERT OR IGNORE that did
  /// nothing from one that inserted).
  std::int64_t changes() const;
  std::int64_t last_insert_rowid() const;

  /// synchronous=NORMAL for this connection: a commit survives the process crashing but not a
  /// power loss. For stages whose tables can be rebuilt from the contract (docs/design.md §8); the
  /// contract's own writes stay at FULL.
  Status relax_durability();

  /// Overrides kBusyTimeout for this connection.
  void set_busy_timeout(std::chrono::milliseconds timeout);

  const std::string& path() const { return path_; }
  bool read_only() const { return read_only_; }
  /// How many statements this connection has compiled; prepare() of a cached text adds none.
  std::size_t statements_prepared() const;

 private:
  Db(sqlite3* db, std::string path, bool read_only);
  Status configure();
  Status migrate();
  void close() noexcept;

  sqlite3* db_ = nullptr;
  /// Behind a pointer so that a moved Db keeps the cache slots its lent-out Stmts point into.
  std::unique_ptr<detail::StmtCache> cache_;
  std::string path_;
  bool read_only_ = false;
  std::chrono::milliseconds busy_timeout_ = kBusyTimeout;
};

}  // namespace rollup::store
