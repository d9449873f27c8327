#pragma once
// The schema of the PostgreSQL store, as numbered migrations applied in order.
//
// The versions a database has reached are the rows of its `schema_version` table. migrate()
// runs in one transaction that first takes a transaction-scoped advisory lock
// (pg_advisory_xact_lock), so processes that start at once apply each migration exactly once:
// the others wait for the lock, then find the versions already recorded. A migration never
// changes once released; a schema change is a new migration at the end of the list.
//
// The tables and columns are those of the SQLite store (store/records.hpp reads both).

#include "store/postgres/connection.hpp"

#include <span>
#include <string_view>

namespace callscribe::store::postgres {

struct Migration {
    int version; // 1, 2, 3, … in list order
    std::string_view description;
    std::string_view sql; // one or more statements
};

std::span<const Migration> builtin_migrations();

// Brings the database up to the last of `migrations`. Throws DbError (not retryable) when the
// database is at a version newer than the last one: it was written by a newer binary.
void migrate(Connection& connection, std::span<const Migration> migrations);

} // namespace callscribe::store::postgres
