#pragma once
// Internal to src/store/sqlite: the body of SqliteStore::run, for the files that implement
// SqliteStore's calls (sqlite_store.cpp, sqlite_store_calls.cpp).
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

} // namespace callscribe::store::sqlite
