#pragma once
// A thin RAII layer over one SQLite connection, for the sqlite adapter only.
//
// Ownership: a Connection owns its `sqlite3*`; a Statement owns its `sqlite3_stmt*` and must not
// outlive the Connection it was prepared on. Neither is thread-safe: SqliteStore serialises all
// use of its connection behind a mutex.
//
// Failure: every call that SQLite refuses throws DbError (the SQLite message, e.g. "database is
// locked", and whether a retry may help: SQLITE_BUSY and SQLITE_LOCKED). DbError never leaves the
// adapter: SqliteStore turns it into a Result error naming the database file and the operation.

#include "core/clock.hpp"
#include "core/sid.hpp"
#include "store/records.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace callscribe::store::sqlite {

class DbError : public std::runtime_error {
  public:
    DbError(const std::string& message, bool retryable, bool damaged = false)
        : std::runtime_error(message), m_retryable(retryable), m_damaged(damaged) {}
    bool retryable() const { return m_retryable; }
    // SQLITE_CORRUPT or SQLITE_NOTADB: the file itself is broken, no retry will help.
    bool damaged() const { return m_damaged; }

  private:
    bool m_retryable;
    bool m_damaged;
};

class Connection {
  public:
    // Opens (creating if missing) the database file and configures the connection: WAL journal,
    // synchronous=FULL, foreign keys, a busy timeout. Throws DbError.
    Connection(const std::filesystem::path& file, std::chrono::milliseconds busy_timeout);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Runs one or more statements that return no rows.
    void exec(std::string_view sql);
    sqlite3* handle() const { return m_db.get(); }
    // Rows changed by the last INSERT, UPDATE or DELETE.
    int changes() const;

    // Throws DbError for a result code that is not OK, ROW or DONE.
    void check(int code) const;
    [[noreturn]] void raise(int code) const;

  private:
    std::string switch_to_wal(std::chrono::milliseconds busy_timeout);

    struct Closer {
        void operator()(sqlite3* db) const;
    };
    std::unique_ptr<sqlite3, Closer> m_db;
};

// A prepared statement. Parameters are bound by position from 1, in the order given to bind().
class Statement {
  public:
    Statement(Connection& connection, std::string_view sql);

    template <class... Values> Statement& bind(const Values&... values) {
        int index = 0;
        (bind_at(++index, values), ...);
        return *this;
    }
    void bind_at(int index, std::nullptr_t);
    void bind_at(int index, std::int64_t value);
    void bind_at(int index, int value) { bind_at(index, static_cast<std::int64_t>(value)); }
    void bind_at(int index, double value);
    void bind_at(int index, std::string_view text);
    void bind_at(int index, const std::string& text) { bind_at(index, std::string_view(text)); }
    void bind_at(int index, const char* text) { bind_at(index, std::string_view(text)); }
    void bind_at(int index, TimePoint time) { bind_at(index, to_micros(time)); }
    template <char A, char B> void bind_at(int index, const Sid<A, B>& sid) {
        bind_at(index, std::string_view(sid.str()));
    }
    template <class T> void bind_at(int index, const std::optional<T>& value) {
        if (value) {
            bind_at(index, *value);
        } else {
            bind_at(index, nullptr);
        }
    }

    // Runs the statement one row further: true when a row is ready to read, false when done.
    bool step();
    // Runs a statement that returns no rows (or whose rows do not matter) to its end.
    void run();

    bool is_null(int column) const;
    std::int64_t int64_at(int column) const;
    int int_at(int column) const { return static_cast<int>(int64_at(column)); }
    double double_at(int column) const;
    std::string text_at(int column) const;
    TimePoint time_at(int column) const { return from_micros(int64_at(column)); }

  private:
    struct Finalizer {
        void operator()(sqlite3_stmt* statement) const;
    };
    Connection& m_connection;
    std::unique_ptr<sqlite3_stmt, Finalizer> m_statement;
};

// BEGIN IMMEDIATE on construction (waiting up to the busy timeout for other writers, in this or
// another process); ROLLBACK on destruction unless commit() succeeded.
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

} // namespace callscribe::store::sqlite
