#include "store/db.hpp"

#include <sqlite3.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <limits>
#include <thread>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

namespace rollup::store {

namespace detail {

struct SqlHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
};

/// One slot per SQL text; it holds the compiled statement while no Stmt has it, nullptr while
/// one does. unordered_map never moves its values, so Stmt can keep a pointer to its slot.
struct StmtCache {
  std::unordered_map<std::string, sqlite3_stmt*, SqlHash, std::equal_to<>> slots;
  std::size_t compiled = 0;
};

}  // namespace detail

namespace {

/// SQL for an error message: one line, cut short, so a failing script stays readable.
std::string brief_sql(std::string_view sql) {
  constexpr std::size_t kMax = 80;
  std::string out;
  bool space = false;
  for (char c : sql) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
    if (out.size() >= kMax) {
      out += "...";
      break;
    }
  }
  return out;
}

std::string db_label(sqlite3* db) {
  const char* file = db ? sqlite3_db_filename(db, "main") : nullptr;
  return file && *file ? file : ":memory:";
}

/// Maps an SQLite result code to the exit-status classes of docs/design.md §10: contention and
/// trouble with the file or the system are io; anything else means this program used SQLite
/// wrongly (bad SQL, a violated constraint, misuse), a bug.
Error sqlite_error(int rc, sqlite3* db, std::string_view context) {
  const std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const std::string where = db_label(db);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return {Errc::io, fmt::format("{}: state file busy: {} (in {})", where, detail, context)};
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_NOMEM:
    case SQLITE_PROTOCOL:
    case SQLITE_NOLFS:
      return {Errc::io, fmt::format("{}: {} (in {})", where, detail, context)};
    default:
      return {Errc::internal, fmt::format("{}: sqlite: {} (in {})", where, detail, context)};
  }
}

/// Runs every statement of `script`, discarding rows. Shared by Db and Transaction, which only
/// keeps the raw handle so that it survives a move of its Db.
Status exec_script(sqlite3* db, std::string_view script) {
  const char* at = script.data();
  const char* const end = at + script.size();
  while (at < end) {
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(db, at, static_cast<int>(end - at), &stmt, &tail);
    if (rc != SQLITE_OK) return std::unexpected(sqlite_error(rc, db, brief_sql({at, end})));
    if (stmt == nullptr) break;  // only whitespace or comments were left
    do rc = sqlite3_step(stmt);
    while (rc == SQLITE_ROW);
    if (rc != SQLITE_DONE) {
      Error error = sqlite_error(rc, db, brief_sql({at, tail}));
      sqlite3_finalize(stmt);
      return std::unexpected(std::move(error));
    }
    sqlite3_finalize(stmt);
    at = tail;
  }
  return {};
}

bool is_in_memory(sqlite3* db) {
  const char* file = sqlite3_db_filename(db, "main");
  return file == nullptr || *file == '\0';
}

}  // namespace

std::string resolve_db_path(std::optional<std::string> flag) {
  if (flag) return std::move(*flag);
  if (const char* env = std::getenv("ROLLUP_DB"); env != nullptr && *env != '\0') return env;
  return "./rollup.db";
}

Status check_db_path(const std::string& path) {
  if (path.empty()) return fail(Errc::usage, "the state file name is empty");
  if (path == ":memory:")
    return fail(Errc::usage, ":memory: is not a state file (it would keep nothing); give a path");
  return {};
}

// ---- Stmt ----

Stmt::Stmt(sqlite3_stmt* stmt, sqlite3_stmt** home) : stmt_(stmt), home_(home) {}

Stmt::Stmt(Stmt&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      home_(std::exchange(other.home_, nullptr)),
      bind_error_(std::move(other.bind_error_)) {}

Stmt& Stmt::operator=(Stmt&& other) noexcept {
  if (this != &other) {
    release();
    stmt_ = std::exchange(other.stmt_, nullptr);
    home_ = std::exchange(other.home_, nullptr);
    bind_error_ = std::move(other.bind_error_);
  }
  return *this;
}

Stmt::~Stmt() { release(); }

void Stmt::release() noexcept {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  if (*home_ == nullptr)
    *home_ = stmt_;
  else
    sqlite3_finalize(stmt_);
  stmt_ = nullptr;
}

Stmt& Stmt::record_bind(int rc, int idx) {
  if (rc != SQLITE_OK && !bind_error_) {
    bind_error_ = sqlite_error(rc, sqlite3_db_handle(stmt_),
                               fmt::format("binding ?{} of {}", idx, brief_sql(sqlite3_sql(stmt_))));
  }
  return *this;
}

Stmt& Stmt::bind(int idx, std::int64_t value) {
  return record_bind(sqlite3_bind_int64(stmt_, idx, value), idx);
}

Stmt& Stmt::bind(int idx, std::uint64_t value) {
  if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    if (!bind_error_) {
      bind_error_ = Error{Errc::internal,
                          fmt::format("binding ?{} of {}: {} does not fit an SQLite integer", idx,
                                      brief_sql(sqlite3_sql(stmt_)), value)};
    }
    return *this;
  }
  return bind(idx, static_cast<std::int64_t>(value));
}

Stmt& Stmt::bind(int idx, double value) {
  return record_bind(sqlite3_bind_double(stmt_, idx, value), idx);
}

Stmt& Stmt::bind(int idx, std::string_view text) {
  // A null data pointer would bind NULL, not the empty string.
  const char* data = text.empty() ? "" : text.data();
  return record_bind(
      sqlite3_bind_text64(stmt_, idx, data, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8), idx);
}

Stmt& Stmt::bind(int idx, std::span<const std::uint8_t> blob) {
  // Likewise an empty blob needs zeroblob(0): a null pointer would bind NULL.
  if (blob.empty()) return record_bind(sqlite3_bind_zeroblob(stmt_, idx, 0), idx);
  return record_bind(sqlite3_bind_blob64(stmt_, idx, blob.data(), blob.size(), SQLITE_TRANSIENT),
                     idx);
}

Stmt& Stmt::bind(int idx, std::nullptr_t) { return record_bind(sqlite3_bind_null(stmt_, idx), idx); }

Result<bool> Stmt::step() {
  if (bind_error_) return std::unexpected(*bind_error_);
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return std::unexpected(sqlite_error(rc, sqlite3_db_handle(stmt_), brief_sql(sqlite3_sql(stmt_))));
}

Status Stmt::run() {
  Result<bool> row;
  do row = step();
  while (row && *row);
  sqlite3_reset(stmt_);
  if (!row) return std::unexpected(std::move(row.error()));
  return {};
}

void Stmt::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_.reset();
}

std::int64_t Stmt::column_int64(int col) const { return sqlite3_column_int64(stmt_, col); }

Result<std::uint64_t> Stmt::column_uint64(int col) const {
  const std::int64_t value = sqlite3_column_int64(stmt_, col);
  if (value < 0) {
    const char* name = sqlite3_column_name(stmt_, col);
    return fail(Errc::internal, fmt::format("column {} of {} holds {}, expected no sign",
                                            name ? name : "?", brief_sql(sqlite3_sql(stmt_)),
                                            value));
  }
  return static_cast<std::uint64_t>(value);
}

double Stmt::column_double(int col) const { return sqlite3_column_double(stmt_, col); }

std::string Stmt::column_text(int col) const {
  const unsigned char* text = sqlite3_column_text(stmt_, col);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::span<const std::uint8_t> Stmt::blob_view(int col) const {
  // column_blob before column_bytes: the order SQLite documents for a stable size.
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, col));
  const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col));
  if (data == nullptr) return {};
  return {data, size};
}

Bytes Stmt::column_blob(int col) const {
  auto blob = blob_view(col);
  return Bytes(blob.begin(), blob.end());
}

Result<PublicKey> Stmt::column_key(int col) const {
  auto blob = blob_view(col);
  if (std::find(kAccountKeySizes.begin(), kAccountKeySizes.end(), blob.size()) == kAccountKeySizes.end())
    return std::unexpected(size_error(col, kAccountKeySizes.front(), blob.size()));
  PublicKey key;
  key.assign(blob);
  return key;
}

bool Stmt::column_is_null(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

Error Stmt::size_error(int col, std::size_t want, std::size_t got) const {
  const char* name = sqlite3_column_name(stmt_, col);
  return Error{Errc::internal,
               fmt::format("column {} of {} holds {} bytes, expected {}", name ? name : "?",
                           brief_sql(sqlite3_sql(stmt_)), got, want)};
}

// ---- Transaction ----

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  // An error such as SQLITE_FULL may already have rolled the transaction back; then there is
  // nothing left to undo.
  if (db_ != nullptr && sqlite3_get_autocommit(db_) == 0) (void)exec_script(db_, "ROLLBACK");
}

Status Transaction::commit() {
  if (db_ == nullptr) return fail(Errc::internal, "commit of a finished transaction");
  // On failure db_ stays set, so the destructor rolls back whatever COMMIT left open.
  if (auto done = exec_script(db_, "COMMIT"); !done) return done;
  db_ = nullptr;
  return {};
}

// ---- Db ----

Db::Db(sqlite3* db, std::string path, bool read_only)
    : db_(db),
      cache_(std::make_unique<detail::StmtCache>()),
      path_(std::move(path)),
      read_only_(read_only) {}

Db::Db(Db&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      cache_(std::move(other.cache_)),
      path_(std::move(other.path_)),
      read_only_(other.read_only_),
      busy_timeout_(other.busy_timeout_) {}

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    close();
    db_ = std::exchange(other.db_, nullptr);
    cache_ = std::move(other.cache_);
    path_ = std::move(other.path_);
    read_only_ = other.read_only_;
    busy_timeout_ = other.busy_timeout_;
  }
  return *this;
}

Db::~Db() { close(); }

void Db::close() noexcept {
  if (cache_) {
    for (auto& [sql, stmt] : cache_->slots)
      if (stmt != nullptr) sqlite3_finalize(stmt);
    cache_.reset();
  }
  // close_v2 rather than close: a statement still lent out (a caller bug) then delays the close
  // instead of leaking the connection.
  if (db_ != nullptr) sqlite3_close_v2(std::exchange(db_, nullptr));
}

Result<Db> Db::open(const std::string& path, OpenMode mode) {
  if (path.empty()) return fail(Errc::usage, "empty state file path");
  const bool read_only = mode == OpenMode::read_only;
  if (mode != OpenMode::create_if_missing && path != ":memory:") {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
      return fail(Errc::io, fmt::format("{}: no such state file", path));
  }

  // NOMUTEX: a Db is used by one thread at a time, so SQLite's per-call locking is wasted.
  int flags = SQLITE_OPEN_NOMUTEX;
  if (read_only)
    flags |= SQLITE_OPEN_READONLY;
  else
    flags |= SQLITE_OPEN_READWRITE | (mode == OpenMode::create_if_missing ? SQLITE_OPEN_CREATE : 0);
  sqlite3* raw = nullptr;
  // SQLite reads a name that starts with "file:" as a URI (it is built with URI names on), so
  // "--db file:u.db" would open u.db and a later plain open of "file:u.db" would miss it. A
  // name that starts with "/" or "./" is always a plain path.
  const std::string sqlite_name =
      path == ":memory:" || path.starts_with('/') ? path : "./" + path;
  const int rc = sqlite3_open_v2(sqlite_name.c_str(), &raw, flags, nullptr);
  Db db(raw, path, read_only);  // owns the handle even when the open failed
  if (rc != SQLITE_OK) {
    Error error = sqlite_error(rc, raw, "open");
    error.message = fmt::format("{}: cannot open state file: {}", path,
                                raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
    return std::unexpected(std::move(error));
  }
  if (auto configured = db.configure(); !configured) return std::unexpected(configured.error());

  if (read_only) {
    auto version = db.schema_version();
    if (!version) return std::unexpected(version.error());
    if (*version > kSchemaVersion) {
      return fail(Errc::io, fmt::format("{}: schema version {} is newer than this build's {}: "
                                        "use a newer rollup-tools",
                                        path, *version, kSchemaVersion));
    }
    if (*version < kSchemaVersion) {
      return fail(Errc::io, fmt::format("{}: schema version {} is older than this build's {}: "
                                        "run any rollup tool without --read-only to migrate",
                                        path, *version, kSchemaVersion));
    }
  } else if (auto migrated = db.migrate(); !migrated) {
    return std::unexpected(migrated.error());
  }
  return db;
}

Status Db::configure() {
  set_busy_timeout(kBusyTimeout);
  // Per connection, not stored in the file. FULL: the contract's ledger lives here too, and WAL
  // with NORMAL may lose the last commits on power loss.
  if (auto set = exec("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL"); !set) return set;
  if (read_only_ || is_in_memory(db_)) return {};

  // WAL persists in the file, so this switches a file once, when it is created (or when it was
  // made by other means, such as the sqlite3 shell).
  auto current = prepare("PRAGMA journal_mode");
  if (!current) return std::unexpected(current.error());
  auto row = current->step();
  if (!row) return std::unexpected(row.error());
  if (*row && current->column_text(0) == "wal") return {};
  current->reset();  // SQLite keeps the old journal mode while any statement is active

  // The switch needs an exclusive lock, and SQLite may report busy at once instead of calling
  // the busy handler (waiting while holding a shared lock could deadlock), so stages that create
  // the file at the same moment would fail here. Retry for as long as the busy handler would.
  const auto deadline = std::chrono::steady_clock::now() + busy_timeout_;
  std::string mode;
  for (;;) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, "PRAGMA journal_mode = WAL", -1, &stmt, nullptr);
    if (rc == SQLITE_OK) {
      rc = sqlite3_step(stmt);
      if (rc == SQLITE_ROW) {
        const unsigned char* text = sqlite3_column_text(stmt, 0);
        mode = text ? reinterpret_cast<const char*>(text) : "";
        rc = SQLITE_OK;
      }
    }
    Error error = sqlite_error(rc, db_, "PRAGMA journal_mode = WAL");
    sqlite3_finalize(stmt);
    if (rc == SQLITE_OK) break;
    if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline)
      return std::unexpected(std::move(error));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (mode != "wal")
    return fail(Errc::io, fmt::format("{}: cannot switch to WAL mode (journal mode is {})", path_,
                                      mode.empty() ? "unknown" : mode));
  return {};
}

Result<int> Db::schema_version() {
  auto table = prepare(
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
  if (!table) return std::unexpected(table.error());
  auto row = table->step();
  if (!row) return std::unexpected(row.error());
  if (!*row || table->column_int64(0) == 0) return 0;

  auto latest = prepare("SELECT coalesce(max(version), 0) FROM schema_version");
  if (!latest) return std::unexpected(latest.error());
  row = latest->step();
  if (!row) return std::unexpected(row.error());
  return static_cast<int>(latest->column_int64(0));
}

Status Db::migrate() {
  // Most opens find the file current: check without the write lock, so that the stages of a
  // running pipeline do not queue behind each other just to open the file.
  auto version = schema_version();
  if (!version) return std::unexpected(version.error());
  if (*version == kSchemaVersion) return {};

  for (;;) {
    // Re-read under the write lock: another process may have migrated in the meantime.
    auto tx = begin_immediate();
    if (!tx) return std::unexpected(tx.error());
    version = schema_version();
    if (!version) return std::unexpected(version.error());
    if (*version > kSchemaVersion) {
      return fail(Errc::io, fmt::format("{}: schema version {} is newer than this build's {}: "
                                        "use a newer rollup-tools",
                                        path_, *version, kSchemaVersion));
    }
    if (*version == kSchemaVersion) return tx->commit();

    if (*version == 0) {
      // Tables without schema_version: --db names some other program's database. Adding ours
      // to it would only hide the mistake.
      auto objects = prepare(
          "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'");
      if (!objects) return std::unexpected(objects.error());
      auto row = objects->step();
      if (!row) return std::unexpected(row.error());
      if (*row && objects->column_int64(0) > 0)
        return fail(Errc::io, fmt::format("{}: not a rollup state file (it has tables but no "
                                          "schema_version)",
                                          path_));
    }

    const Migration& next = migrations()[static_cast<std::size_t>(*version)];
    if (auto applied = exec(next.sql); !applied) return applied;
    auto record = prepare(
        "INSERT INTO schema_version(version, applied_at) "
        "VALUES (?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))");
    if (!record) return std::unexpected(record.error());
    if (auto done = record->bind(1, next.version).run(); !done) return done;
    if (auto committed = tx->commit(); !committed) return committed;
  }
}

Result<Stmt> Db::prepare(std::string_view sql) {
  auto slot = cache_->slots.find(sql);
  if (slot != cache_->slots.end() && slot->second != nullptr)
    return Stmt(std::exchange(slot->second, nullptr), &slot->second);

  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK) return std::unexpected(sqlite_error(rc, db_, brief_sql(sql)));
  if (stmt == nullptr) return fail(Errc::internal, "prepare of an empty SQL text");
  const std::string_view rest(tail, sql.data() + sql.size() - tail);
  if (!std::all_of(rest.begin(), rest.end(),
                   [](char c) { return std::isspace(static_cast<unsigned char>(c)) || c == ';'; })) {
    sqlite3_finalize(stmt);
    return fail(Errc::internal,
                fmt::format("prepare takes one statement, got more: {}", brief_sql(sql)));
  }
  ++cache_->compiled;
  if (slot == cache_->slots.end()) slot = cache_->slots.emplace(std::string(sql), nullptr).first;
  return Stmt(stmt, &slot->second);
}

Status Db::exec(std::string_view sql) { return exec_script(db_, sql); }

Result<Transaction> Db::begin_immediate() {
  if (auto begun = exec_script(db_, "BEGIN IMMEDIATE"); !begun)
    return std::unexpected(begun.error());
  return Transaction(db_);
}

Result<Transaction> Db::begin_read() {
  if (auto begun = exec_script(db_, "BEGIN DEFERRED"); !begun)
    return std::unexpected(begun.error());
  return Transaction(db_);
}

Status Db::backup_to(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec))
    return fail(Errc::io, fmt::format("{}: backup target already exists", path));
  auto vacuum = prepare("VACUUM INTO ?");
  if (!vacuum) return std::unexpected(vacuum.error());
  return vacuum->bind(1, std::string_view(path)).run();
}

std::int64_t Db::changes() const { return sqlite3_changes64(db_); }

std::int64_t Db::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

Status Db::relax_durability() { return exec("PRAGMA synchronous = NORMAL"); }

void Db::set_busy_timeout(std::chrono::milliseconds timeout) {
  busy_timeout_ = timeout;
  sqlite3_busy_timeout(db_, static_cast<int>(timeout.count()));
}

std::size_t Db::statements_prepared() const { return cache_->compiled; }

}  // namespace rollup::store
