#pragma once
// The schema of the SQLite store, as numbered migrations applied in order.
//
// The version a database has reached is its `PRAGMA user_version` (0 for a new file). Each
// migration runs in its own BEGIN IMMEDIATE transaction together with the version bump, so
// processes that start at once apply each migration exactly once: the second one to get the
// write lock finds the version already raised and skips it. A migration never changes once
// released; a schema change is a new migration at the end of the list.

#include "store/sqlite/connection.hpp"

#include <span>
#include <string_view>

namespace callscribe::store::sqlite {

struct Migration {
    int version; // 1, 2, 3, … in list order
    std::string_view description;
    std::string_view sql;
};

// The migrations this binary knows.
std::span<const Migration> builtin_migrations();

// Brings the database up to the last of `migrations`. Throws DbError (not retryable) when the
// database is at a version newer than the last one: it was written by a newer binary.
void migrate(Connection& connection, std::span<const Migration> migrations);

} // namespace callscribe::store::sqlite
