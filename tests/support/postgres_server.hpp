#pragma once
// The PostgreSQL server the tests use, and a fresh database on it per test.
//
// The server is the one CALLSCRIBE_TEST_POSTGRES_URL names (any server where that URL's user may
// CREATE DATABASE) or, when it is not set, the one CTest starts before the first test that needs
// it (scripts/postgres-test-server.sh, tests/CMakeLists.txt; its URL is in the build folder).
// No test needs a database set up by hand. Without a server a test FAILS, saying how to get one.
//
// Databases are named callscribe_test_<pid>_<n>_<random>, so tests run in parallel (by CTest, in
// separate processes) never share one; each is dropped when its object goes.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace callscribe::test_support {

// The server's URL (naming its maintenance database). Throws std::runtime_error when there is
// none, with what to do about it.
std::string postgres_server_url();

// `url` with its database (the path) replaced by `database`.
std::string with_database(std::string_view url, std::string_view database);

class PostgresDatabase {
  public:
    // Creates an empty database on `server_url`. Throws std::runtime_error.
    explicit PostgresDatabase(std::string server_url = postgres_server_url());
    ~PostgresDatabase(); // drops it, closing what is still connected
    PostgresDatabase(const PostgresDatabase&) = delete;
    PostgresDatabase& operator=(const PostgresDatabase&) = delete;

    const std::string& name() const { return m_name; }
    const std::string& url() const { return m_url; }
    // Runs one statement on the server's maintenance database (as the server URL's user) with
    // this database's name as $1, e.g. to end its connections. Returns the rows' first column.
    std::vector<std::string> on_server(std::string_view sql) const;

  private:
    std::string m_server_url;
    std::string m_name;
    std::string m_url;
};

// A private server for a test that stops and starts it (scripts/postgres-test-server.sh in a
// temp folder); stopped and removed when the object goes. Throws std::runtime_error.
class PrivatePostgresServer {
  public:
    PrivatePostgresServer();
    ~PrivatePostgresServer();
    PrivatePostgresServer(const PrivatePostgresServer&) = delete;
    PrivatePostgresServer& operator=(const PrivatePostgresServer&) = delete;

    const std::string& url() const { return m_url; }
    void halt();  // stops the server, keeping its data
    void start(); // starts it again

  private:
    void script(std::string_view command);

    std::filesystem::path m_dir;
    std::string m_url;
};

} // namespace callscribe::test_support
