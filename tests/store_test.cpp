#include <sqlite3.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/db.hpp"

namespace fs = std::filesystem;
using rollup::Bytes;
using rollup::Errc;
using rollup::store::Db;
using rollup::store::kSchemaVersion;
using rollup::store::OpenMode;
using rollup::store::Stmt;

namespace {

/// A fresh directory per test case, removed afterwards, so state files never leak between cases.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "rollup-store-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

Db open_ok(const std::string& path, OpenMode mode = OpenMode::create_if_missing) {
  auto db = Db::open(path, mode);
  INFO((db ? std::string() : db.error().message));
  REQUIRE(db);
  return std::move(*db);
}

Stmt prepare_ok(Db& db, std::string_view sql) {
  auto stmt = db.prepare(sql);
  INFO((stmt ? std::string() : stmt.error().message));
  REQUIRE(stmt);
  return std::move(*stmt);
}

void exec_ok(Db& db, std::string_view sql) {
  auto done = db.exec(sql);
  INFO((done ? std::string() : done.error().message));
  REQUIRE(done);
}

std::int64_t query_int(Db& db, std::string_view sql) {
  Stmt stmt = prepare_ok(db, sql);
  auto row = stmt.step();
  REQUIRE(row);
  REQUIRE(*row);
  return stmt.column_int64(0);
}

std::string query_text(Db& db, std::string_view sql) {
  Stmt stmt = prepare_ok(db, sql);
  auto row = stmt.step();
  REQUIRE(row);
  REQUIRE(*row);
  return stmt.column_text(0);
}

/// Writes with the raw SQLite API, for files this build's Db would refuse or migrate on open.
void raw_exec(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                          nullptr) == SQLITE_OK);
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
  INFO((message ? message : ""));
  sqlite3_free(message);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

constexpr const char* kTablesOfReleaseOne =
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('schema_version', "
    "'l1_config', 'l1_genesis', 'l1_blocks', 'l1_equivocations', 'l1_deposits', 'l1_accounts', "
    "'l1_roots', 'seq_log', 'state_accounts', 'state_nodes', 'state_blocks')";

}  // namespace

TEST_CASE("a new state file records its schema version and runs in WAL mode", "[store]") {
  TempDir dir;
  Db db = open_ok(dir.file("rollup.db"));
  auto version = db.schema_version();
  REQUIRE(version);
  CHECK(*version == kSchemaVersion);
  CHECK(query_int(db, "SELECT count(*) FROM schema_version") == kSchemaVersion);
  CHECK_FALSE(query_text(db, "SELECT applied_at FROM schema_version").empty());
  CHECK(query_int(db, kTablesOfReleaseOne) == 12);
  CHECK(query_text(db, "PRAGMA journal_mode") == "wal");
  CHECK(query_int(db, "PRAGMA foreign_keys") == 1);
  CHECK(query_int(db, "PRAGMA synchronous") == 2);  // FULL
  CHECK_FALSE(db.read_only());
  CHECK(db.path() == dir.file("rollup.db"));
}

TEST_CASE("reopening a state file keeps its data; read-only refuses writes", "[store]") {
  TempDir dir;
  const std::string path = dir.file("rollup.db");
  rollup::PublicKey key{};
  key[0] = 0xab;
  key[31] = 0xcd;
  {
    Db db = open_ok(path);
    Stmt insert = prepare_ok(db, "INSERT INTO l1_genesis(idx, pubkey, balance) VALUES (?, ?, ?)");
    REQUIRE(insert.bind(1, 0).bind(2, key).bind(3, std::uint64_t{1} << 52).run());
    CHECK(db.changes() == 1);
  }
  for (OpenMode mode : {OpenMode::must_exist, OpenMode::read_only}) {
    Db db = open_ok(path, mode);
    CHECK(db.read_only() == (mode == OpenMode::read_only));
    Stmt select = prepare_ok(db, "SELECT pubkey, balance FROM l1_genesis WHERE idx = ?");
    auto row = select.bind(1, 0).step();
    REQUIRE(row);
    REQUIRE(*row);
    auto stored = select.column_array<32>(0);
    REQUIRE(stored);
    CHECK(*stored == key);
    auto balance = select.column_uint64(1);
    REQUIRE(balance);
    CHECK(*balance == std::uint64_t{1} << 52);
  }
  Db reader = open_ok(path, OpenMode::read_only);
  auto write = reader.exec("DELETE FROM l1_genesis");
  REQUIRE_FALSE(write);
  CHECK(write.error().code == Errc::io);
}

TEST_CASE("opening a missing state file without create fails with an I/O error", "[store]") {
  TempDir dir;
  const std::string path = dir.file("missing.db");
  for (OpenMode mode : {OpenMode::read_only, OpenMode::must_exist}) {
    auto db = Db::open(path, mode);
    REQUIRE_FALSE(db);
    CHECK(db.error().code == Errc::io);
    CHECK(db.error().message.find(path) != std::string::npos);
  }
  CHECK_FALSE(fs::exists(path));
  auto empty = Db::open("", OpenMode::create_if_missing);
  REQUIRE_FALSE(empty);
  CHECK(empty.error().code == Errc::usage);
}

TEST_CASE("a transaction not committed is rolled back on destruction", "[store]") {
  TempDir dir;
  Db db = open_ok(dir.file("rollup.db"));
  const char* insert = "INSERT INTO l1_accounts(pubkey, balance) VALUES (?, ?)";
  {
    auto tx = db.begin_immediate();
    REQUIRE(tx);
    REQUIRE(prepare_ok(db, insert).bind(1, rollup::PublicKey(std::array<std::uint8_t, 32>{1})).bind(2, 5).run());
  }
  CHECK(query_int(db, "SELECT count(*) FROM l1_accounts") == 0);

  auto tx = db.begin_immediate();
  REQUIRE(tx);
  REQUIRE(prepare_ok(db, insert).bind(1, rollup::PublicKey(std::array<std::uint8_t, 32>{2})).bind(2, 7).run());
  REQUIRE(tx->commit());
  CHECK(query_int(db, "SELECT count(*) FROM l1_accounts") == 1);
  auto again = tx->commit();
  REQUIRE_FALSE(again);
  CHECK(again.error().code == Errc::internal);

  // A read transaction sees one snapshot and leaves nothing behind.
  auto read = db.begin_read();
  REQUIRE(read);
  CHECK(query_int(db, "SELECT sum(balance) FROM l1_accounts") == 7);
  REQUIRE(read->commit());
}

TEST_CASE("two connections writing in two threads lose no update", "[store]") {
  TempDir dir;
  const std::string path = dir.file("rollup.db");
  {
    Db db = open_ok(path);
    exec_ok(db, "CREATE TABLE counter(id INTEGER PRIMARY KEY, n INTEGER NOT NULL);"
                "INSERT INTO counter VALUES (1, 0)");
  }
  constexpr int kIncrements = 200;
  // Catch2 assertions are not thread-safe: the workers note failures, the test thread checks.
  std::mutex failures_mutex;
  std::vector<std::string> failures;

  auto worker = [&] {
    auto note = [&](const rollup::Error& error) {
      std::lock_guard lock(failures_mutex);
      failures.push_back(error.message);
    };
    auto db = Db::open(path, OpenMode::must_exist);
    if (!db) return note(db.error());
    for (int i = 0; i < kIncrements; ++i) {
      // Read then write inside one IMMEDIATE transaction: the read-modify-write a lost update
      // would break.
      auto tx = db->begin_immediate();
      if (!tx) return note(tx.error());
      auto select = db->prepare("SELECT n FROM counter WHERE id = 1");
      if (!select) return note(select.error());
      auto row = select->step();
      if (!row) return note(row.error());
      const std::int64_t n = select->column_int64(0);
      auto update = db->prepare("UPDATE counter SET n = ? WHERE id = 1");
      if (!update) return note(update.error());
      if (auto done = update->bind(1, n + 1).run(); !done) return note(done.error());
      if (auto done = tx->commit(); !done) return note(done.error());
    }
  };
  std::thread a(worker), b(worker);
  a.join();
  b.join();
  INFO((failures.empty() ? std::string() : failures.front()));
  REQUIRE(failures.empty());
  Db db = open_ok(path, OpenMode::read_only);
  CHECK(query_int(db, "SELECT n FROM counter") == 2 * kIncrements);
}

TEST_CASE("stages starting at once on a new file create and migrate it once", "[store]") {
  TempDir dir;
  const std::string path = dir.file("rollup.db");
  std::mutex failures_mutex;
  std::vector<std::string> failures;
  std::vector<std::thread> stages;
  for (int i = 0; i < 4; ++i) {
    stages.emplace_back([&] {
      auto db = Db::open(path, OpenMode::create_if_missing);
      if (db) return;
      std::lock_guard lock(failures_mutex);
      failures.push_back(db.error().message);
    });
  }
  for (auto& stage : stages) stage.join();
  INFO((failures.empty() ? std::string() : failures.front()));
  REQUIRE(failures.empty());
  Db db = open_ok(path, OpenMode::read_only);
  CHECK(query_int(db, "SELECT count(*) FROM schema_version") == kSchemaVersion);
}

TEST_CASE("a write lock held past the busy timeout is an I/O error", "[store]") {
  TempDir dir;
  const std::string path = dir.file("rollup.db");
  Db holder = open_ok(path);
  Db waiter = open_ok(path, OpenMode::must_exist);
  waiter.set_busy_timeout(std::chrono::milliseconds(50));

  auto held = holder.begin_immediate();
  REQUIRE(held);
  auto blocked = waiter.begin_immediate();
  REQUIRE_FALSE(blocked);
  CHECK(blocked.error().code == Errc::io);
  CHECK(blocked.error().message.find("state file busy") != std::string::npos);
  // WAL readers are not blocked by the writer.
  CHECK(query_int(waiter, "SELECT count(*) FROM l1_blocks") == 0);
  REQUIRE(held->commit());
  auto free_now = waiter.begin_immediate();
  CHECK(free_now);
}

TEST_CASE("prepared statements are cached per SQL text", "[store]") {
  TempDir dir;
  Db db = open_ok(dir.file("rollup.db"));
  exec_ok(db, "CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)");
  const std::string_view insert = "INSERT INTO t(k, v) VALUES (?, ?)";
  const std::size_t before = db.statements_prepared();
  for (int k = 0; k < 100; ++k) {
    REQUIRE(prepare_ok(db, insert).bind(1, k).bind(2, "x").run());
  }
  CHECK(db.statements_prepared() == before + 1);

  // run() resets, so a hot loop can also keep one Stmt and re-bind it.
  Stmt update = prepare_ok(db, "UPDATE t SET v = ? WHERE k = ?");
  for (int k = 0; k < 10; ++k) REQUIRE(update.bind(1, "y").bind(2, k).run());
  CHECK(query_int(db, "SELECT count(*) FROM t WHERE v = 'y'") == 10);

  // The same text used while its cached statement is lent out gets a second statement.
  const std::string_view select = "SELECT v FROM t WHERE k = ?";
  {
    Stmt outer = prepare_ok(db, select);
    REQUIRE(*outer.bind(1, 1).step());
    const std::size_t with_outer = db.statements_prepared();
    Stmt inner = prepare_ok(db, select);
    CHECK(db.statements_prepared() == with_outer + 1);
    REQUIRE(*inner.bind(1, 50).step());
    CHECK(inner.column_text(0) == "x");
    CHECK(outer.column_text(0) == "y");
  }
  const std::size_t settled = db.statements_prepared();
  REQUIRE(prepare_ok(db, select).bind(1, 2).step());
  CHECK(db.statements_prepared() == settled);

  // reset() clears the bindings: an unbound parameter is NULL.
  Stmt reused = prepare_ok(db, "SELECT ? IS NULL");
  REQUIRE(*reused.bind(1, 3).step());
  CHECK(reused.column_int64(0) == 0);
  reused.reset();
  REQUIRE(*reused.step());
  CHECK(reused.column_int64(0) == 1);
}

TEST_CASE("misuse of statements is an internal error", "[store]") {
  TempDir dir;
  Db db = open_ok(dir.file("rollup.db"));
  auto two = db.prepare("SELECT 1; SELECT 2");
  REQUIRE_FALSE(two);
  CHECK(two.error().code == Errc::internal);
  auto bad = db.prepare("SELEKT 1");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Errc::internal);

  Stmt one_param = prepare_ok(db, "SELECT ?");
  auto out_of_range = one_param.bind(1, 1).bind(2, 2).step();
  REQUIRE_FALSE(out_of_range);
  CHECK(out_of_range.error().code == Errc::internal);
  one_param.reset();
  auto too_big = one_param.bind(1, std::uint64_t{1} << 63).step();
  REQUIRE_FALSE(too_big);
  CHECK(too_big.error().code == Errc::internal);
  one_param.reset();
  REQUIRE(*one_param.bind(1, std::uint64_t{1} << 62).step());

  auto duplicate = db.exec(
      "INSERT INTO l1_roots VALUES (1, x'00', 'claimed', 'now');"
      "INSERT INTO l1_roots VALUES (1, x'00', 'claimed', 'now')");
  REQUIRE_FALSE(duplicate);
  CHECK(duplicate.error().code == Errc::internal);
}

TEST_CASE("column getters check sizes and signs", "[store]") {
  TempDir dir;
  Db db = open_ok(dir.file("rollup.db"));
  exec_ok(db, "CREATE TABLE t(k INTEGER PRIMARY KEY, b BLOB, s TEXT, n INTEGER, d REAL)");
  Bytes short_hash(31, 0x11);
  REQUIRE(prepare_ok(db, "INSERT INTO t VALUES (1, ?, ?, ?, ?)")
              .bind(1, short_hash)
              .bind(2, "text")
              .bind(3, -1)
              .bind(4, 0.5)
              .run());
  REQUIRE(prepare_ok(db, "INSERT INTO t VALUES (2, ?, ?, ?, ?)")
              .bind(1, Bytes{})
              .bind(2, std::string_view{})
              .bind(3, nullptr)
              .bind(4, nullptr)
              .run());

  Stmt row1 = prepare_ok(db, "SELECT b, s, n, d FROM t WHERE k = 1");
  REQUIRE(*row1.step());
  auto wrong_size = row1.column_array<32>(0);
  REQUIRE_FALSE(wrong_size);
  CHECK(wrong_size.error().code == Errc::internal);
  CHECK(wrong_size.error().message.find("31 bytes, expected 32") != std::string::npos);
  auto right_size = row1.column_array<31>(0);
  REQUIRE(right_size);
  CHECK((*right_size)[30] == 0x11);
  CHECK(row1.column_blob(0) == short_hash);
  CHECK(row1.column_text(1) == "text");
  CHECK(row1.column_int64(2) == -1);
  auto negative = row1.column_uint64(2);
  REQUIRE_FALSE(negative);
  CHECK(negative.error().code == Errc::internal);
  CHECK(row1.column_double(3) == 0.5);

  // Empty blobs and strings are stored as such, not as NULL.
  Stmt row2 = prepare_ok(db, "SELECT b, s, n, typeof(b), typeof(s) FROM t WHERE k = 2");
  REQUIRE(*row2.step());
  CHECK(row2.column_text(3) == "blob");
  CHECK(row2.column_text(4) == "text");
  CHECK_FALSE(row2.column_is_null(0));
  CHECK(row2.column_blob(0).empty());
  CHECK(row2.column_is_null(2));
  REQUIRE_FALSE(row2.column_array<32>(0));
  REQUIRE_FALSE(*row2.step());
}

TEST_CASE("a file at schema version 0 is migrated to the current version", "[store]") {
  TempDir dir;
  const std::string path = dir.file("old.db");
  raw_exec(path, "PRAGMA user_version = 0");  // a valid database with no tables

  auto reader = Db::open(path, OpenMode::read_only);
  REQUIRE_FALSE(reader);
  CHECK(reader.error().code == Errc::io);
  CHECK(reader.error().message.find("without --read-only") != std::string::npos);

  Db db = open_ok(path, OpenMode::must_exist);
  auto version = db.schema_version();
  REQUIRE(version);
  CHECK(*version == kSchemaVersion);
  CHECK(query_int(db, kTablesOfReleaseOne) == 12);
  CHECK(query_text(db, "PRAGMA journal_mode") == "wal");
  CHECK(open_ok(path, OpenMode::read_only).schema_version() == kSchemaVersion);
  // Opening again applies nothing twice.
  Db again = open_ok(path, OpenMode::must_exist);
  CHECK(query_int(again, "SELECT count(*) FROM schema_version") == kSchemaVersion);
}

TEST_CASE("a file with a newer schema version is refused", "[store]") {
  TempDir dir;
  const std::string path = dir.file("future.db");
  {
    Db db = open_ok(path);
    Stmt insert = prepare_ok(db, "INSERT INTO schema_version VALUES (?, 'later')");
    REQUIRE(insert.bind(1, kSchemaVersion + 1).run());
  }
  for (OpenMode mode : {OpenMode::must_exist, OpenMode::read_only}) {
    auto db = Db::open(path, mode);
    REQUIRE_FALSE(db);
    CHECK(db.error().code == Errc::io);
    CHECK(db.error().message.find("newer") != std::string::npos);
  }
}

TEST_CASE("another program's database is not taken over", "[store]") {
  TempDir dir;
  const std::string path = dir.file("other.db");
  raw_exec(path, "CREATE TABLE notes(body TEXT)");
  auto db = Db::open(path, OpenMode::must_exist);
  REQUIRE_FALSE(db);
  CHECK(db.error().code == Errc::io);
  CHECK(db.error().message.find("not a rollup state file") != std::string::npos);

  const std::string junk = dir.file("junk.db");
  {
    std::FILE* f = std::fopen(junk.c_str(), "wb");
    REQUIRE(f != nullptr);
    std::fputs("this is not an SQLite database, just some text long enough to look like one....",
               f);
    std::fclose(f);
  }
  auto not_sqlite = Db::open(junk, OpenMode::must_exist);
  REQUIRE_FALSE(not_sqlite);
  CHECK(not_sqlite.error().code == Errc::io);
}

TEST_CASE("backup_to copies committed data, WAL included", "[store]") {
  TempDir dir;
  Db db = open_ok(dir.file("rollup.db"));
  exec_ok(db, "INSERT INTO l1_roots(height, root, status, key_root, key_count, submitted_at) VALUES (1, x'aa', 'verified', x'bb', 0, 'now')");
  const std::string copy = dir.file("copy.db");
  REQUIRE(db.backup_to(copy));
  Db restored = open_ok(copy, OpenMode::read_only);
  CHECK(query_text(restored, "SELECT status FROM l1_roots WHERE height = 1") == "verified");
  auto exists = db.backup_to(copy);
  REQUIRE_FALSE(exists);
  CHECK(exists.error().code == Errc::io);
}

TEST_CASE("an in-memory database works for tests", "[store]") {
  Db db = open_ok(":memory:");
  auto version = db.schema_version();
  REQUIRE(version);
  CHECK(*version == kSchemaVersion);
  exec_ok(db, "INSERT INTO l1_equivocations(height, hash, body, seen_at) VALUES (3, x'01', '{}', 'now')");
  CHECK(db.last_insert_rowid() == 1);
}

TEST_CASE("Db moves keep lent-out statements valid", "[store]") {
  Db first = open_ok(":memory:");
  Stmt stmt = prepare_ok(first, "SELECT 42");
  Db moved = std::move(first);
  REQUIRE(*stmt.step());
  CHECK(stmt.column_int64(0) == 42);
  const std::size_t compiled = moved.statements_prepared();
  { Stmt dropped = std::move(stmt); }
  REQUIRE(prepare_ok(moved, "SELECT 42").step());
  CHECK(moved.statements_prepared() == compiled);
}

TEST_CASE("resolve_db_path prefers the flag, then ROLLUP_DB, then ./rollup.db", "[store]") {
  using rollup::store::resolve_db_path;
  const char* saved = std::getenv("ROLLUP_DB");
  const std::optional<std::string> restore = saved ? std::optional<std::string>(saved) : std::nullopt;

  ::unsetenv("ROLLUP_DB");
  CHECK(resolve_db_path(std::nullopt) == "./rollup.db");
  ::setenv("ROLLUP_DB", "", 1);
  CHECK(resolve_db_path(std::nullopt) == "./rollup.db");
  ::setenv("ROLLUP_DB", "/tmp/env.db", 1);
  CHECK(resolve_db_path(std::nullopt) == "/tmp/env.db");
  CHECK(resolve_db_path(std::string("flag.db")) == "flag.db");

  if (restore)
    ::setenv("ROLLUP_DB", restore->c_str(), 1);
  else
    ::unsetenv("ROLLUP_DB");
}
