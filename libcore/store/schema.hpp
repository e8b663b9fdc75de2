#pragma once
// The state file's schema as an ordered list of migrations. A file records in `schema_version`
// every migration applied to it; Db::open applies the missing ones, each in its own IMMEDIATE
// transaction, so several tools opening one old file at once migrate it exactly once.
//
// Released migrations are never edited: a file migrated by an older build must end up with the
// same schema as one created by this build. Change the schema by appending a migration.
#include <span>
#include <string_view>

namespace rollup::store {

/// The schema version this build creates and understands: the number of migrations.
inline constexpr int kSchemaVersion = 6;

struct Migration {
  int version;           ///< the schema version the file has once `sql` is applied
  std::string_view sql;  ///< a script of one or more statements, without BEGIN/COMMIT
};

/// Migrations in order: entry i takes a file from version i to version i + 1.
std::span<const Migration> migrations();

}  // namespace rollup::store
