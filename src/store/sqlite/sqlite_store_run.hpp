#pragma once
// Internal to src/store/sqlite: what the files that implement SqliteStore's calls share
// (sqlite_store.cpp, sqlite_store_calls.cpp, sqlite_store_search.cpp): the body of
// SqliteStore::run, and reading back a call row written in the same transaction.
#include "store/records.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/sqlite_store.hpp"

#include <fmt/format.h>

namespace callscribe::store::sqlite {

template <class T, class Body>
Result<T> SqliteStore::run(bool write, std::string_view what, Body&& body) {
    try {
        std::lock_guard lock(m_mutex);
        if (!write) return body();
        Transaction transaction(*m_connection);
        T value = body();
        transaction.commit();
        return value;
    } catch (const DbError& e) {
        if (e.damaged()) {
            std::lock_guard lock(m_damage_mutex);
            if (m_damage.empty()) m_damage = fmt::format("{} while {}", e.what(), what);
        }
        return error(what, e.what(), e.retryable());
    } catch (const std::exception& e) {
        return error(what, e.what(), false);
    }
}

// The call as the transaction just wrote it (it exists: aborts otherwise).
inline CallLog written_call(Connection& connection, const CallSid& call) {
    Statement select(connection,
                     fmt::format("SELECT {} FROM calls WHERE call_sid = ?1", k_call_columns));
    select.bind(call);
    const bool found = select.step();
    CALLSCRIBE_ASSERT(found);
    return read_call(select);
}

} // namespace callscribe::store::sqlite
