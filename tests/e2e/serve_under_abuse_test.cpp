// `callscribe serve` keeps answering while clients abuse it: ten thousand idle connections,
// slowloris clients that trickle their headers, oversized and malformed requests. The service
// runs as its own process, so its file descriptors are its own.
#include "net/curl/curl_http_client.hpp"
#include "support/command.hpp"
#include "support/finished_call.hpp"
#include "support/loopback.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace callscribe {
namespace {

using namespace std::chrono_literals;
using test_support::BackgroundCommand;

constexpr std::string_view k_ready_line = "callscribe serving on ";

class ServeUnderAbuse : public ::testing::Test {
  protected:
    void SetUp() override {
        // A call with its recording on disk, for the Range headers below.
        test_support::add_finished_call(m_dir.path(), k_call, k_recording, m_recording);
        m_service = std::make_unique<BackgroundCommand>(
            std::vector<std::string>{"serve"},
            std::map<std::string, std::string>{
                {"TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdef"},
                {"TWILIO_AUTH_TOKEN", "twilio-auth-token-for-tests"},
                {"TWILIO_API_BASE", "http://127.0.0.1:9"},
                {"CALLSCRIBE_LISTEN", "127.0.0.1:0"},
                {"CALLSCRIBE_DATA_DIR", m_dir.path().string()},
                {"CALLSCRIBE_WORKERS", "1"}});
        const auto line = m_service->read_line(60s);
        ASSERT_TRUE(line) << m_service->stop().err;
        ASSERT_TRUE(line->starts_with(k_ready_line)) << *line;
        m_url = line->substr(k_ready_line.size());
        m_port = static_cast<std::uint16_t>(std::stoi(m_url.substr(m_url.rfind(':') + 1)));
    }
    void TearDown() override {
        for (const int fd : m_sockets)
            ::close(fd);
    }

    int healthz_status() {
        auto answer = m_client.send({.url = m_url + "/healthz", .timeout = Seconds{10}});
        return answer ? answer->status : 0;
    }

    const CallSid k_call = *CallSid::parse("CA0123456789abcdef0123456789abcdef");
    const RecordingSid k_recording = *RecordingSid::parse("RE0123456789abcdef0123456789abcdef");
    const std::string m_recording = std::string(1000, 'r');
    test_support::TempDir m_dir;
    std::unique_ptr<BackgroundCommand> m_service;
    net::curl::CurlHttpClient m_client;
    std::string m_url;
    std::uint16_t m_port = 0;
    std::vector<int> m_sockets;
};

TEST_F(ServeUnderAbuse, TenThousandIdleConnectionsAndItStillAnswers) {
    constexpr int k_idle = 10'000;
    rlimit files{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &files), 0);
    if (files.rlim_max < k_idle + 1000)
        GTEST_SKIP() << "RLIMIT_NOFILE allows only " << files.rlim_max << " open files";
    files.rlim_cur = files.rlim_max;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &files), 0);

    for (int i = 0; i < k_idle; ++i) {
        const int fd = test_support::connect_loopback(m_port);
        ASSERT_GE(fd, 0) << "connection " << i << ": " << std::strerror(errno);
        m_sockets.push_back(fd);
    }
    EXPECT_EQ(healthz_status(), 200);
    const auto stopped = m_service->stop();
    EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
}

TEST_F(ServeUnderAbuse, SlowlorisClientsDoNotStarveOthers) {
    // Each sends the start of a request and then a header byte now and then, never finishing.
    for (int i = 0; i < 500; ++i) {
        const int fd = test_support::connect_loopback(m_port);
        ASSERT_GE(fd, 0);
        m_sockets.push_back(fd);
        const std::string start = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
        ASSERT_EQ(::send(fd, start.data(), start.size(), MSG_NOSIGNAL),
                  static_cast<ssize_t>(start.size()));
    }
    for (int round = 0; round < 3; ++round) {
        for (const int fd : m_sockets)
            ::send(fd, "a", 1, MSG_NOSIGNAL);
        EXPECT_EQ(healthz_status(), 200) << "round " << round;
    }
    // Oversized and malformed requests on top: each is refused and the service stays up.
    auto huge_header = m_client.send(
        {.url = m_url + "/healthz", .headers = {{"X-Big", std::string(64 * 1024, 'h')}}});
    ASSERT_TRUE(huge_header) << huge_header.error().message;
    EXPECT_EQ(huge_header->status, 431);
    auto huge_body =
        m_client.send({.method = "POST",
                       .url = m_url + "/api/calls/CA0123456789abcdef0123456789abcdef/end",
                       .headers = {{"Content-Type", "application/json"}},
                       .body = std::string(8 * 1024 * 1024, 'b')});
    ASSERT_TRUE(huge_body) << huge_body.error().message;
    EXPECT_EQ(huge_body->status, 413);
    // Malformed ranges for a recording that is there: the whole file, as RFC 9110 asks.
    for (const std::string range :
         {"bytes=abc", "bytes=5-1", "bytes=-", "items=0-1", "bytes=0-1,5-6"}) {
        auto ranged = m_client.send({.url = m_url + "/api/calls/" + k_call.str() + "/download",
                                     .headers = {{"Range", range}}});
        ASSERT_TRUE(ranged) << range;
        EXPECT_EQ(ranged->status, 200) << range;
        EXPECT_TRUE(ranged->body == m_recording) << range;
    }
    for (const std::string range : {"bytes=5000-", "bytes=99999999999999999999-"}) {
        auto beyond = m_client.send({.url = m_url + "/api/calls/" + k_call.str() + "/download",
                                     .headers = {{"Range", range}}});
        ASSERT_TRUE(beyond) << range;
        EXPECT_EQ(beyond->status, 416) << range;
        EXPECT_EQ(beyond->header("content-range"), "bytes */1000") << range;
    }
    for (const std::string path :
         {"/api/calls/%2e%2e%2f%2e%2e%2fetc%2fpasswd/download",
          "/api/calls/..%252F..%252Fcallscribe.db/download", "/assets/..%2f..%2fcallscribe.db"}) {
        auto traversal = m_client.send({.url = m_url + path});
        ASSERT_TRUE(traversal) << path;
        EXPECT_TRUE(traversal->status == 400 || traversal->status == 404)
            << path << " answered " << traversal->status;
        EXPECT_EQ(traversal->body.find("SQLite"), std::string::npos) << path;
    }
    EXPECT_EQ(healthz_status(), 200);
    const auto stopped = m_service->stop();
    EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
}

} // namespace
} // namespace callscribe
