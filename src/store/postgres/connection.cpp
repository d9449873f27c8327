#include "store/postgres/connection.hpp"

#include "net/http_client.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <poll.h>

#include <array>
#include <cctype>
#include <charconv>
#include <sstream>

namespace callscribe::store::postgres {

namespace {

// libpq's messages run over several lines ("…failed: Connection refused\n\tIs the server
// running…", or one sentence wrapped); errors here are one line.
std::string one_line(std::string_view text) {
    std::string out;
    std::istringstream lines{std::string(text)};
    std::string line;
    while (std::getline(lines, line)) {
        const auto begin = line.find_first_not_of(" \t\r");
        if (begin == std::string::npos) continue;
        const auto end = line.find_last_not_of(" \t\r");
        const bool sentence = std::isupper(static_cast<unsigned char>(line[begin])) != 0;
        out.append(out.empty() ? "" : sentence ? "; " : " ").append(line, begin, end - begin + 1);
    }
    return out.empty() ? "unknown error" : out;
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
    if (from.empty()) return;
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
}

// libpq quotes the URL, or the piece it cannot parse, in some of its messages: never the
// password (from user:password@ or a password= option).
std::string without_secrets(std::string message, std::string_view url) {
    replace_all(message, url, net::redact_url(url));
    const auto scheme_end = url.find("://");
    const auto authority = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
    const auto authority_end = std::min(url.find_first_of("/?", authority), url.size());
    const auto at = url.substr(0, authority_end).rfind('@');
    if (at != std::string_view::npos && at > authority) {
        const auto userinfo = url.substr(authority, at - authority);
        const auto colon = userinfo.find(':');
        if (colon != std::string_view::npos)
            replace_all(message, userinfo.substr(colon + 1), "***");
    }
    for (auto key = url.find("password="); key != std::string_view::npos;
         key = url.find("password=", key + 1)) {
        const auto value = url.substr(key + 9, url.find_first_of("& ", key + 9) - (key + 9));
        replace_all(message, value, "***");
    }
    return message;
}

// Which SQLSTATEs a retry may help with, and which mean the connection is gone.
struct Classified {
    bool retryable;
    bool connection_lost;
};
Classified classify(std::string_view sqlstate) {
    const auto cls = sqlstate.substr(0, 2);
    if (cls == "08") return {true, true};                                 // connection exception
    if (sqlstate == "57P01" || sqlstate == "57P02") return {true, true};  // shutdown, terminated
    if (sqlstate == "57P03") return {true, false};                        // cannot connect now
    if (sqlstate == "40001" || sqlstate == "40P01") return {true, false}; // serialization, deadlock
    if (sqlstate == "55P03") return {true, false};                        // lock not available
    if (cls == "53" && sqlstate != "53100") return {true, false}; // resources, not disk full
    return {false, false};
}

void ignore_notice(void*, const char*) {
    // NOTICEs ("relation already exists, skipping") are not errors; library code never prints.
}

} // namespace

void Params::add(double value) {
    m_values.emplace_back(fmt::format("{}", value)); // shortest text that reads back exactly
}

std::vector<const char*> Params::pointers() const {
    std::vector<const char*> out;
    out.reserve(m_values.size());
    for (const auto& value : m_values) {
        out.push_back(value ? value->c_str() : nullptr);
    }
    return out;
}

void Rows::Clearer::operator()(pg_result* result) const {
    PQclear(result);
}

Rows::Rows(pg_result* result) : m_result(result) {}

int Rows::size() const {
    return PQntuples(m_result.get());
}

std::int64_t Rows::changed() const {
    const char* text = PQcmdTuples(m_result.get());
    std::int64_t count = 0;
    std::from_chars(text, text + std::char_traits<char>::length(text), count);
    return count;
}

bool Rows::Row::is_null(int column) const {
    return PQgetisnull(rows.m_result.get(), index, column) != 0;
}

std::string Rows::Row::text_at(int column) const {
    const pg_result* r = rows.m_result.get();
    return std::string(PQgetvalue(r, index, column),
                       static_cast<std::size_t>(PQgetlength(r, index, column)));
}

std::int64_t Rows::Row::int64_at(int column) const {
    const std::string text = text_at(column);
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
        throw DbError(fmt::format("\"{}\" in column {} is not an integer", text, column), false);
    }
    return value;
}

double Rows::Row::double_at(int column) const {
    const std::string text = text_at(column);
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
        throw DbError(fmt::format("\"{}\" in column {} is not a number", text, column), false);
    }
    return value;
}

void Connection::Closer::operator()(pg_conn* connection) const {
    PQfinish(connection);
}

Connection::Connection(const std::string& url) {
    char* parse_error = nullptr;
    PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &parse_error);
    if (parsed == nullptr) {
        std::string message = parse_error != nullptr ? one_line(parse_error) : "out of memory";
        PQfreemem(parse_error);
        throw DbError("invalid connection URL: " + without_secrets(message, url), false);
    }
    PQconninfoFree(parsed);

    // Defaults first: the URL, expanded from "dbname", overrides any of them it sets.
    constexpr std::array<const char*, 8> keywords{"connect_timeout",
                                                  "keepalives_idle",
                                                  "keepalives_interval",
                                                  "keepalives_count",
                                                  "application_name",
                                                  "client_encoding",
                                                  "dbname",
                                                  nullptr};
    const std::array<const char*, 8> values{"10",         "30",   "10",        "3",
                                            "callscribe", "UTF8", url.c_str(), nullptr};
    m_connection.reset(PQconnectdbParams(keywords.data(), values.data(), 1));
    if (!m_connection) throw DbError("out of memory", false);
    if (PQstatus(m_connection.get()) != CONNECTION_OK) {
        // Refused, unreachable, starting up, out of connections, or credentials: the server
        // (or its operator) may change any of them, so a later attempt may succeed.
        throw DbError(without_secrets(one_line(PQerrorMessage(m_connection.get())), url), true,
                      true);
    }
    PQsetNoticeProcessor(m_connection.get(), ignore_notice, nullptr);
}

Connection::~Connection() = default;

Rows Connection::exec(std::string_view sql, const Params& params) {
    const auto values = params.pointers();
    const int count = static_cast<int>(values.size());
    std::string text(sql);
    auto prepared = m_prepared.find(text);
    if (prepared == m_prepared.end()) {
        std::string name = fmt::format("callscribe_{}", m_prepared.size());
        checked(PQprepare(m_connection.get(), name.c_str(), text.c_str(), count, nullptr));
        prepared = m_prepared.emplace(std::move(text), std::move(name)).first;
    }
    return checked(PQexecPrepared(m_connection.get(), prepared->second.c_str(), count,
                                  values.data(), nullptr, nullptr, 0));
}

void Connection::exec_script(std::string_view sql) {
    const std::string text(sql);
    checked(PQexec(m_connection.get(), text.c_str()));
}

Rows Connection::checked(pg_result* result) {
    const auto status = PQresultStatus(result);
    if (result != nullptr && (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)) {
        return Rows(result);
    }
    raise(result);
}

void Connection::raise(pg_result* result) {
    Rows owned(result); // cleared on the way out
    const bool lost = PQstatus(m_connection.get()) != CONNECTION_OK;
    const char* sqlstate =
        result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary =
        result != nullptr ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    std::string message =
        one_line(primary != nullptr ? primary : PQerrorMessage(m_connection.get()));
    if (lost) throw DbError(message, true, true);
    const auto kind = classify(sqlstate != nullptr ? sqlstate : "");
    if (sqlstate != nullptr) message += fmt::format(" (SQLSTATE {})", sqlstate);
    throw DbError(message, kind.retryable, kind.connection_lost);
}

bool Connection::healthy() {
    pg_conn* c = m_connection.get();
    if (PQstatus(c) != CONNECTION_OK || PQtransactionStatus(c) != PQTRANS_IDLE) return false;
    // An idle connection has nothing to read unless the server went away: it then sent its FATAL
    // message and closed the socket. Read (without waiting) until nothing is left; reading the
    // end of the stream turns the status to CONNECTION_BAD.
    for (int reads = 0; reads < 4; ++reads) {
        pollfd socket{.fd = PQsocket(c), .events = POLLIN, .revents = 0};
        if (poll(&socket, 1, 0) <= 0) break;
        if (PQconsumeInput(c) == 0) return false;
    }
    return PQstatus(c) == CONNECTION_OK;
}

int Connection::wait_for_notifications(int wake_fd, std::chrono::milliseconds limit) {
    pg_conn* c = m_connection.get();
    const auto take = [c] {
        int count = 0;
        while (PGnotify* notification = PQnotifies(c)) {
            PQfreemem(notification);
            ++count;
        }
        return count;
    };
    // LISTEN's own reply may have carried some already.
    if (const int buffered = take(); buffered > 0) return buffered;
    std::array<pollfd, 2> fds{pollfd{.fd = PQsocket(c), .events = POLLIN, .revents = 0},
                              pollfd{.fd = wake_fd, .events = POLLIN, .revents = 0}};
    if (poll(fds.data(), fds.size(), static_cast<int>(limit.count())) <= 0 ||
        (fds[0].revents & (POLLIN | POLLERR | POLLHUP)) == 0) {
        return 0;
    }
    if (PQconsumeInput(c) == 0 || PQstatus(c) != CONNECTION_OK)
        throw DbError(one_line(PQerrorMessage(c)), true, true);
    return take();
}

Transaction::Transaction(Connection& connection) : m_connection(connection) {
    m_connection.exec("BEGIN");
}

Transaction::~Transaction() {
    if (!m_open) return;
    try {
        m_connection.exec("ROLLBACK");
    } catch (const DbError&) {
        // The connection is gone or broken; the pool drops it, and the server rolls back.
    }
}

void Transaction::commit() {
    m_connection.exec("COMMIT");
    m_open = false;
}

} // namespace callscribe::store::postgres
