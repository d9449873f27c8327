#include "support/postgres_server.hpp"

#include "store/postgres/connection.hpp"
#include "support/temp_dir.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <stdexcept>

#ifndef CALLSCRIBE_TEST_POSTGRES_DIR
#error "CALLSCRIBE_TEST_POSTGRES_DIR: the folder where CTest's test server writes its URL"
#endif

namespace callscribe::test_support {

namespace {

using store::postgres::Connection;
using store::postgres::DbError;
using store::postgres::Params;

const std::filesystem::path k_script =
    std::filesystem::path(CALLSCRIBE_SOURCE_DIR) / "scripts/postgres-test-server.sh";

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    return text;
}

} // namespace

std::string postgres_server_url() {
    if (const char* url = std::getenv("CALLSCRIBE_TEST_POSTGRES_URL"); url && *url) return url;
    const auto file = std::filesystem::path(CALLSCRIBE_TEST_POSTGRES_DIR) / "url";
    if (std::filesystem::exists(file)) return trimmed(read_file(file));
    throw std::runtime_error(fmt::format(
        "no PostgreSQL server for the tests: set CALLSCRIBE_TEST_POSTGRES_URL, or run the tests "
        "with ctest (it starts one), or start one with `bash {} start {}`",
        k_script.string(), CALLSCRIBE_TEST_POSTGRES_DIR));
}

std::string with_database(std::string_view url, std::string_view database) {
    const auto scheme_end = url.find("://");
    const auto authority = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
    const auto path = std::min(url.find_first_of("/?", authority), url.size());
    const auto query = std::min(url.find('?', path), url.size());
    return fmt::format("{}/{}{}", url.substr(0, path), database, url.substr(query));
}

PostgresDatabase::PostgresDatabase(std::string server_url) : m_server_url(std::move(server_url)) {
    static std::atomic<int> counter{0};
    std::random_device random;
    m_name = fmt::format("callscribe_test_{}_{}_{:06x}", getpid(), counter++, random() & 0xffffff);
    m_url = with_database(m_server_url, m_name);
    try {
        Connection server(m_server_url);
        // A database name is an identifier, not a value: it cannot be a parameter. This one is
        // made of letters, digits and '_' only.
        server.exec(fmt::format("CREATE DATABASE {}", m_name));
    } catch (const DbError& e) {
        throw std::runtime_error(fmt::format("cannot create the test database {} on the "
                                             "PostgreSQL server for the tests: {}",
                                             m_name, e.what()));
    }
}

PostgresDatabase::~PostgresDatabase() {
    try {
        Connection server(m_server_url);
        server.exec(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", m_name));
    } catch (const DbError&) {
        // The server is gone (a test stopped it); nothing is left to clean.
    }
}

std::vector<std::string> PostgresDatabase::on_server(std::string_view sql) const {
    Connection server(m_server_url);
    const auto rows = server.exec(sql, Params(m_name));
    std::vector<std::string> out;
    for (int i = 0; i < rows.size(); ++i) {
        out.push_back(rows[i].is_null(0) ? "" : rows[i].text_at(0));
    }
    return out;
}

PrivatePostgresServer::PrivatePostgresServer()
    : m_dir(std::filesystem::temp_directory_path() /
            fmt::format("callscribe-pg-test-{}-{}", getpid(), std::random_device()())) {
    script("start");
    m_url = trimmed(read_file(m_dir / "url"));
}

PrivatePostgresServer::~PrivatePostgresServer() {
    try {
        script("stop");
    } catch (const std::exception&) {
        // Reported by the test that failed to start it.
    }
    std::error_code ec;
    std::filesystem::remove_all(m_dir, ec);
}

void PrivatePostgresServer::halt() {
    script("halt");
}

void PrivatePostgresServer::start() {
    script("start");
}

void PrivatePostgresServer::script(std::string_view command) {
    const std::string line =
        fmt::format("bash '{}' {} '{}' >/dev/null", k_script.string(), command, m_dir.string());
    if (std::system(line.c_str()) != 0) {
        throw std::runtime_error(fmt::format("`{}` failed", line));
    }
}

} // namespace callscribe::test_support
