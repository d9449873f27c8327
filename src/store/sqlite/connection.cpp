#include "store/sqlite/connection.hpp"

#include "core/result.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <thread>

namespace callscribe::store::sqlite {

namespace {

bool is_retryable(int code) {
    const int primary = code & 0xff;
    return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

} // namespace

void Connection::Closer::operator()(sqlite3* db) const {
    // Every Statement is finalized before its Connection goes, so close cannot find one open.
    sqlite3_close(db);
}

Connection::Connection(const std::filesystem::path& file, std::chrono::milliseconds busy_timeout) {
    sqlite3* raw = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int code = sqlite3_open_v2(file.c_str(), &raw, flags, nullptr);
    m_db.reset(raw); // owned even when opening failed: SQLite hands out a handle to close
    if (raw == nullptr) throw DbError("out of memory", false);
    if (code != SQLITE_OK) raise(code);
    sqlite3_extended_result_codes(raw, 1);
    check(sqlite3_busy_timeout(raw, static_cast<int>(busy_timeout.count())));

    const std::string mode = switch_to_wal(busy_timeout);
    if (mode != "wal") {
        throw DbError(fmt::format("cannot switch to the WAL journal (mode is \"{}\")", mode),
                      false);
    }
    // WAL with synchronous=NORMAL may lose the last commits on power loss; FULL syncs each one.
    exec("PRAGMA synchronous=FULL");
    exec("PRAGMA foreign_keys=ON");
}

Connection::~Connection() = default;

std::string Connection::switch_to_wal(std::chrono::milliseconds busy_timeout) {
    // The first statement reads the file: a file that is not SQLite fails here. On a new file,
    // connections opened at once all try to switch it (which needs the file to themselves);
    // SQLite gives the losers SQLITE_BUSY at once, without waiting in the busy handler (that
    // could deadlock), so they wait here instead, within the same timeout. Once a file is in
    // WAL mode it stays so and the switch is a no-op.
    const auto deadline = std::chrono::steady_clock::now() + busy_timeout;
    auto pause = std::chrono::milliseconds(1);
    for (;;) {
        try {
            Statement journal(*this, "PRAGMA journal_mode=WAL");
            return journal.step() ? journal.text_at(0) : std::string();
        } catch (const DbError& e) {
            if (!e.retryable() || std::chrono::steady_clock::now() + pause > deadline) throw;
        }
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(50));
    }
}

void Connection::exec(std::string_view sql) {
    const std::string text(sql);
    check(sqlite3_exec(m_db.get(), text.c_str(), nullptr, nullptr, nullptr));
}

int Connection::changes() const {
    return sqlite3_changes(m_db.get());
}

void Connection::check(int code) const {
    if (code == SQLITE_OK || code == SQLITE_ROW || code == SQLITE_DONE) return;
    raise(code);
}

void Connection::raise(int code) const {
    // The connection's message is the most specific one ("UNIQUE constraint failed: …") when it
    // belongs to this code; otherwise the code's generic text.
    const bool same = m_db && (sqlite3_extended_errcode(m_db.get()) & 0xff) == (code & 0xff);
    std::string message = same ? sqlite3_errmsg(m_db.get()) : sqlite3_errstr(code);
    const int primary = code & 0xff;
    throw DbError(std::move(message), is_retryable(code),
                  primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB);
}

void Statement::Finalizer::operator()(sqlite3_stmt* statement) const {
    sqlite3_finalize(statement);
}

Statement::Statement(Connection& connection, std::string_view sql) : m_connection(connection) {
    sqlite3_stmt* raw = nullptr;
    const int code = sqlite3_prepare_v2(connection.handle(), sql.data(),
                                        static_cast<int>(sql.size()), &raw, nullptr);
    m_statement.reset(raw);
    connection.check(code);
    CALLSCRIBE_ASSERT(raw != nullptr); // an empty statement is a bug in this adapter
}

void Statement::bind_at(int index, std::nullptr_t) {
    m_connection.check(sqlite3_bind_null(m_statement.get(), index));
}

void Statement::bind_at(int index, std::int64_t value) {
    m_connection.check(sqlite3_bind_int64(m_statement.get(), index, value));
}

void Statement::bind_at(int index, double value) {
    m_connection.check(sqlite3_bind_double(m_statement.get(), index, value));
}

void Statement::bind_at(int index, std::string_view text) {
    m_connection.check(sqlite3_bind_text64(m_statement.get(), index, text.data(), text.size(),
                                           SQLITE_TRANSIENT, SQLITE_UTF8));
}

bool Statement::step() {
    const int code = sqlite3_step(m_statement.get());
    if (code == SQLITE_ROW) return true;
    if (code == SQLITE_DONE) return false;
    m_connection.raise(code);
}

void Statement::run() {
    while (step()) {
    }
}

bool Statement::is_null(int column) const {
    return sqlite3_column_type(m_statement.get(), column) == SQLITE_NULL;
}

std::int64_t Statement::int64_at(int column) const {
    return sqlite3_column_int64(m_statement.get(), column);
}

double Statement::double_at(int column) const {
    return sqlite3_column_double(m_statement.get(), column);
}

std::string Statement::text_at(int column) const {
    const auto* text = sqlite3_column_text(m_statement.get(), column);
    if (text == nullptr) return {};
    const int size = sqlite3_column_bytes(m_statement.get(), column);
    return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

Transaction::Transaction(Connection& connection) : m_connection(connection) {
    connection.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
    // Some errors (a full disk, an I/O error) already rolled the transaction back.
    if (m_open && sqlite3_get_autocommit(m_connection.handle()) == 0) {
        sqlite3_exec(m_connection.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

void Transaction::commit() {
    m_connection.exec("COMMIT");
    m_open = false;
}

} // namespace callscribe::store::sqlite
