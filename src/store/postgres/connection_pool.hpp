#pragma once
// Up to `size` connections to one PostgreSQL database, lent to one thread at a time.
//
// Connections are made when needed (none at first) and kept for reuse. A borrower that finds all
// `size` lent waits until one comes back, up to `wait`. A connection the server closed (restart,
// terminated backend) is noticed when it is lent or when a statement fails on it; it is then
// closed rather than returned, and the next borrow connects afresh — so after a database restart
// at most the calls in flight fail (retryably), never the process.
//
// Thread safety: borrow() may be called from any thread; a Lease belongs to its thread.
// Failure: borrow() throws DbError (retryable) when it cannot connect or waited too long.

#include "store/postgres/connection.hpp"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace callscribe::store::postgres {

class ConnectionPool {
  public:
    // A borrowed connection: returned to the pool when the Lease goes, unless drop()ped.
    class Lease {
      public:
        Lease(ConnectionPool& pool, std::unique_ptr<Connection> connection)
            : m_pool(pool), m_connection(std::move(connection)) {}
        ~Lease();
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Connection& operator*() const { return *m_connection; }
        Connection* operator->() const { return m_connection.get(); }
        // The connection is broken: close it instead of returning it.
        void drop() { m_drop = true; }

      private:
        ConnectionPool& m_pool;
        std::unique_ptr<Connection> m_connection;
        bool m_drop = false;
    };

    ConnectionPool(std::string url, int size, std::chrono::milliseconds wait);

    Lease borrow();
    int size() const { return m_size; }

  private:
    void give_back(std::unique_ptr<Connection> connection, bool drop);

    const std::string m_url;
    const int m_size;
    const std::chrono::milliseconds m_wait;
    std::mutex m_mutex;
    std::condition_variable m_returned;
    std::vector<std::unique_ptr<Connection>> m_idle;
    int m_lent = 0;
};

} // namespace callscribe::store::postgres
