#pragma once
// Internal to src/store/postgres: what the files that implement PostgresStore's calls share
// (postgres_store.cpp, postgres_store_search.cpp): the body of PostgresStore::run.
#include "core/log.hpp"
#include "store/postgres/connection.hpp"
#include "store/postgres/connection_pool.hpp"
#include "store/postgres/postgres_store.hpp"

namespace callscribe::store::postgres {

template <class T, class Body>
Result<T> PostgresStore::run(bool transaction, std::string_view what, Body&& body) {
    try {
        auto lease = m_pool->borrow();
        try {
            if (!transaction) return body(*lease);
            Transaction transaction(*lease);
            T value = body(*lease);
            transaction.commit();
            return value;
        } catch (const DbError& e) {
            if (e.connection_lost()) {
                lease.drop();
                log().warn("database {}: connection lost ({}); the next call reconnects",
                           m_shown_url, e.what());
            }
            throw;
        }
    } catch (const DbError& e) {
        return error(what, e.what(), e.retryable());
    } catch (const std::exception& e) {
        return error(what, e.what(), false);
    }
}

} // namespace callscribe::store::postgres
