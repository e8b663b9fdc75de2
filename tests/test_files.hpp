#pragma once
// What the unit tests that need real state files share: a temporary directory removed afterwards,
// unwrapping a Result under REQUIRE, and a state file as an older build left it (for migrations).
#include <sqlite3.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "core/error.hpp"
#include "store/schema.hpp"

namespace rollup::test {

/// A fresh directory, removed with everything in it when the object goes.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "rollup-test") {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

 private:
  std::filesystem::path dir_;
};

/// The value of a Result that must hold (the test fails with its error message otherwise).
template <typename T>
T must(Result<T> r) {
  INFO((r ? std::string() : r.error().message));
  REQUIRE(r);
  return std::move(*r);
}
inline void must(Status s) {
  INFO((s ? std::string() : s.error().message));
  REQUIRE(s);
}

/// Writes at `path` the state file a build of schema `version` would have left: its migrations,
/// recorded as applied, then `rows` (SQL statements).
inline void write_state_file_of_version(const std::string& path, int version, const std::string& rows) {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  std::string script;
  for (const auto& m : store::migrations().first(static_cast<std::size_t>(version))) script += std::string(m.sql);
  for (int v = 1; v <= version; ++v) script += "INSERT INTO schema_version VALUES (" + std::to_string(v) + ", 'x');";
  script += rows;
  char* error = nullptr;
  const int rc = sqlite3_exec(raw, script.c_str(), nullptr, nullptr, &error);
  INFO((error ? error : ""));
  sqlite3_free(error);
  sqlite3_close(raw);
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace rollup::test
