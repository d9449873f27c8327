#include "store/postgres/connection_pool.hpp"

#include "core/result.hpp"

#include <fmt/format.h>

namespace callscribe::store::postgres {

ConnectionPool::Lease::~Lease() {
    m_pool.give_back(std::move(m_connection), m_drop);
}

ConnectionPool::ConnectionPool(std::string url, int size, std::chrono::milliseconds wait)
    : m_url(std::move(url)), m_size(size), m_wait(wait) {
    CALLSCRIBE_ASSERT(size > 0);
}

ConnectionPool::Lease ConnectionPool::borrow() {
    std::unique_lock lock(m_mutex);
    const bool free =
        m_returned.wait_for(lock, m_wait, [&] { return !m_idle.empty() || m_lent < m_size; });
    if (!free) {
        throw DbError(
            fmt::format("all {} connections stayed busy for {} ms", m_size, m_wait.count()), true);
    }
    while (!m_idle.empty()) {
        std::unique_ptr<Connection> connection = std::move(m_idle.back());
        m_idle.pop_back();
        if (connection->healthy()) {
            ++m_lent;
            return Lease(*this, std::move(connection));
        }
        // Closed by the server while idle (a restart closes them all): try the next one.
    }
    ++m_lent; // reserved while connecting, outside the lock
    lock.unlock();
    try {
        return Lease(*this, std::make_unique<Connection>(m_url));
    } catch (...) {
        lock.lock();
        --m_lent;
        m_returned.notify_one();
        throw;
    }
}

void ConnectionPool::give_back(std::unique_ptr<Connection> connection, bool drop) {
    std::unique_ptr<Connection> closing; // closed outside the lock
    {
        std::lock_guard lock(m_mutex);
        --m_lent;
        if (drop) {
            closing = std::move(connection);
        } else {
            m_idle.push_back(std::move(connection));
        }
    }
    m_returned.notify_one();
}

} // namespace callscribe::store::postgres
