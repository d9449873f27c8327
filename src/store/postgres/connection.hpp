#pragma once
// A thin RAII layer over one libpq connection, for the postgres adapter only.
//
// Ownership: a Connection owns its `PGconn*`; Rows own their `PGresult*` and stay readable after
// the connection goes. A Connection is not thread-safe: ConnectionPool lends each one to one
// thread at a time.
//
// Queries are always parameterised (PQexecParams, values sent apart from the SQL text, in text
// format); the SQL text itself only ever holds constants of this adapter.
//
// Failure: a statement or connection that PostgreSQL or libpq refuses throws DbError: the message
// in one line, whether a retry may help (a lost connection, a serialization failure or deadlock,
// the server shutting down or out of connections) and whether the connection is lost (then it
// must be dropped, not reused). DbError never leaves the adapter: PostgresStore turns it into a
// Result error naming the database and the operation.

#include "core/clock.hpp"
#include "core/sid.hpp"
#include "store/records.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct pg_conn;
struct pg_result;

namespace callscribe::store::postgres {

class DbError : public std::runtime_error {
  public:
    DbError(const std::string& message, bool retryable, bool connection_lost = false)
        : std::runtime_error(message), m_retryable(retryable), m_connection_lost(connection_lost) {}
    bool retryable() const { return m_retryable; }
    bool connection_lost() const { return m_connection_lost; }

  private:
    bool m_retryable;
    bool m_connection_lost;
};

// Statement parameters $1, $2, … in the order added; every value travels as text.
class Params {
  public:
    template <class... Values> explicit Params(const Values&... values) { (add(values), ...); }

    void add(std::nullptr_t) { m_values.emplace_back(std::nullopt); }
    void add(std::int64_t value) { m_values.emplace_back(std::to_string(value)); }
    void add(int value) { add(static_cast<std::int64_t>(value)); }
    void add(double value);
    void add(std::string_view text) { m_values.emplace_back(std::string(text)); }
    void add(const std::string& text) { add(std::string_view(text)); }
    void add(const char* text) { add(std::string_view(text)); }
    void add(TimePoint time) { add(to_micros(time)); }
    template <char A, char B> void add(const Sid<A, B>& sid) { add(std::string_view(sid.str())); }
    template <class T> void add(const std::optional<T>& value) {
        if (value) {
            add(*value);
        } else {
            add(nullptr);
        }
    }

    std::size_t size() const { return m_values.size(); }
    // NULL for a SQL NULL, as PQexecParams takes them.
    std::vector<const char*> pointers() const;

  private:
    std::vector<std::optional<std::string>> m_values;
};

// The rows a statement returned (or none), read by row and column index from 0.
class Rows {
  public:
    struct Row {
        const Rows& rows;
        int index;
        bool is_null(int column) const;
        std::string text_at(int column) const;
        std::int64_t int64_at(int column) const;
        int int_at(int column) const { return static_cast<int>(int64_at(column)); }
        double double_at(int column) const;
        TimePoint time_at(int column) const { return from_micros(int64_at(column)); }
    };

    explicit Rows(pg_result* result);
    int size() const;
    bool empty() const { return size() == 0; }
    Row operator[](int index) const { return Row{*this, index}; }
    // Rows changed by an INSERT, UPDATE or DELETE.
    std::int64_t changed() const;

  private:
    struct Clearer {
        void operator()(pg_result* result) const;
    };
    std::unique_ptr<pg_result, Clearer> m_result;
};

class Connection {
  public:
    // Connects to `url` (a libpq URI or connection string); connection options the URL does not
    // set get this adapter's defaults (a connect timeout, TCP keepalives). Throws DbError.
    explicit Connection(const std::string& url);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Runs one statement with its parameters. Each distinct SQL text is prepared once per
    // connection (parsed and planned by the server the first time only). Throws DbError.
    Rows exec(std::string_view sql, const Params& params = Params());
    // Runs several statements without parameters (the schema migrations). Throws DbError.
    void exec_script(std::string_view sql);
    // False when the server is known to have closed the connection (restarted, or the backend
    // was terminated): reads what the server sent meanwhile without waiting.
    bool healthy();
    // Waits at most `limit` for NOTIFY messages on the channels this connection LISTENs to, or
    // until `wake_fd` is readable; returns how many arrived (0: timed out or woken). Throws
    // DbError (connection lost) when the server went away.
    int wait_for_notifications(int wake_fd, std::chrono::milliseconds limit);

  private:
    Rows checked(pg_result* result);
    [[noreturn]] void raise(pg_result* result);

    struct Closer {
        void operator()(pg_conn* connection) const;
    };
    std::unique_ptr<pg_conn, Closer> m_connection;
    std::unordered_map<std::string, std::string> m_prepared; // SQL text → statement name
};

// BEGIN on construction; ROLLBACK on destruction unless commit() succeeded (and the connection
// still works).
class Transaction {
  public:
    explicit Transaction(Connection& connection);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

  private:
    Connection& m_connection;
    bool m_open = true;
};

} // namespace callscribe::store::postgres
