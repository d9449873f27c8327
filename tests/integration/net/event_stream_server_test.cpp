// Server-Sent Events on the HttpServer (ServerResponse::events): the header, events sent as soon
// as the stream wakes the server, keep-alive comments on a quiet stream, and the end of a stream
// by its last event, by the client leaving, by the server stopping and by a failure.
#include "net/server/http_server.hpp"

#include "support/captured_log.hpp"
#include "support/raw_http_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <stdexcept>

namespace callscribe::net {
namespace {

using test_support::RawClient;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

constexpr auto k_wait = 5s; // every wait of a test is bounded

const std::string k_get_events =
    "GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n";

// Sends what a test pushes, waking the server for it.
class PushedEvents final : public EventStream {
  public:
    void push(std::string text, bool done = false) {
        std::function<void()> wake;
        {
            std::lock_guard lock(m_mutex);
            m_text += text;
            m_done = m_done || done;
            wake = m_wake;
        }
        if (wake) wake();
    }
    void fail_next() {
        std::lock_guard lock(m_mutex);
        m_fail = true;
    }

    void start(std::function<void()> wake) override {
        std::lock_guard lock(m_mutex);
        m_wake = std::move(wake);
        m_started.set_value();
    }
    Events next() override {
        std::lock_guard lock(m_mutex);
        if (m_fail) throw std::runtime_error("the source broke");
        return {.text = std::exchange(m_text, {}), .done = m_done};
    }
    void end() override {
        {
            std::lock_guard lock(m_mutex);
            m_wake = nullptr;
        }
        m_ended.set_value();
    }

    bool started(std::chrono::milliseconds within = k_wait) {
        return m_started_future.wait_for(within) == std::future_status::ready;
    }
    bool ended(std::chrono::milliseconds within = k_wait) {
        return m_ended_future.wait_for(within) == std::future_status::ready;
    }

  private:
    std::mutex m_mutex;
    std::string m_text;
    bool m_done = false;
    bool m_fail = false;
    std::function<void()> m_wake;
    std::promise<void> m_started;
    std::future<void> m_started_future = m_started.get_future();
    std::promise<void> m_ended;
    std::future<void> m_ended_future = m_ended.get_future();
};

class EventStreamServer : public ::testing::Test {
  protected:
    // Streams poll only once a minute unless a test asks otherwise: what arrives sooner came
    // from a wake.
    void start(ServerSettings settings = {}) {
        settings.name = "test";
        if (settings.event_poll_interval == ServerSettings{}.event_poll_interval)
            settings.event_poll_interval = 60s;
        m_server = std::make_unique<HttpServer>(settings, [this](const ServerRequest&) {
            ServerResponse response;
            response.headers.emplace_back("X-Stream", "yes");
            response.events = m_events;
            return response;
        });
        ASSERT_TRUE(m_server->start());
    }

    std::shared_ptr<PushedEvents> m_events = std::make_shared<PushedEvents>();
    std::unique_ptr<HttpServer> m_server;
};

TEST_F(EventStreamServer, EventsGoOutWhenTheStreamWakesAndTheLastClosesTheConnection) {
    test_support::CapturedLog log;
    start();
    RawClient client(m_server->port());
    client.send(k_get_events);
    const auto header = client.read_until("\r\n\r\n");
    ASSERT_TRUE(header);
    EXPECT_THAT(*header, HasSubstr("HTTP/1.1 200 OK\r\n"));
    EXPECT_THAT(*header, HasSubstr("Content-Type: text/event-stream; charset=utf-8\r\n"));
    EXPECT_THAT(*header, HasSubstr("Cache-Control: no-store\r\n"));
    EXPECT_THAT(*header, HasSubstr("X-Accel-Buffering: no\r\n"));
    EXPECT_THAT(*header, HasSubstr("X-Stream: yes\r\n"));
    EXPECT_THAT(*header, HasSubstr("Connection: close\r\n"));
    EXPECT_THAT(*header, HasSubstr("Transfer-Encoding: chunked\r\n"));
    EXPECT_THAT(*header, Not(HasSubstr("Content-Length")));
    ASSERT_TRUE(m_events->started());

    m_events->push("event: a\ndata: 1\n\n");
    EXPECT_EQ(client.read_chunk(), "event: a\ndata: 1\n\n");
    m_events->push("event: a\ndata: 2\n\n");
    m_events->push("event: a\ndata: 3\n\n", true);
    EXPECT_TRUE(client.read_until("data: 3\n\n\r\n"));
    EXPECT_EQ(client.read_chunk(), "") << "the last chunk ends the body";
    EXPECT_TRUE(client.closed_within(k_wait)) << "the last event ends the stream";
    EXPECT_TRUE(m_events->ended());
    m_server->stop();
    EXPECT_TRUE(log.contains("[HTTP test] GET /events 200 ")) << log.text();
}

TEST_F(EventStreamServer, AQuietStreamIsKeptOpenWithComments) {
    start({.event_poll_interval = 0.05s, .event_keepalive_interval = 0.2s});
    RawClient client(m_server->port());
    client.send(k_get_events);
    ASSERT_TRUE(client.read_until("\r\n\r\n"));
    EXPECT_EQ(client.read_chunk(), ": keep-alive\n\n");
    EXPECT_EQ(client.read_chunk(), ": keep-alive\n\n");
}

TEST_F(EventStreamServer, AClientThatLeavesEndsTheStreamWithoutAWrite) {
    start();
    RawClient client(m_server->port());
    client.send(k_get_events);
    ASSERT_TRUE(client.read_until("\r\n\r\n"));
    ASSERT_TRUE(m_events->started());
    client.close();
    EXPECT_TRUE(m_events->ended()) << "polled once a minute, so only the client's leaving ends it";
}

TEST_F(EventStreamServer, StopEndsAStreamAtOnce) {
    start({.stop_timeout = 30s});
    RawClient client(m_server->port());
    client.send(k_get_events);
    ASSERT_TRUE(client.read_until("\r\n\r\n"));
    ASSERT_TRUE(m_events->started());
    const auto began = std::chrono::steady_clock::now();
    m_server->stop();
    EXPECT_LT(std::chrono::steady_clock::now() - began, 10s) << "not the stop timeout";
    EXPECT_TRUE(m_events->ended(0ms));
    EXPECT_TRUE(client.closed_within(k_wait));
}

TEST_F(EventStreamServer, AFailingStreamIsLoggedAndClosed) {
    test_support::CapturedLog log;
    start();
    RawClient client(m_server->port());
    client.send(k_get_events);
    ASSERT_TRUE(client.read_until("\r\n\r\n"));
    ASSERT_TRUE(m_events->started());
    m_events->fail_next();
    m_events->push("event: a\ndata: never\n\n");
    EXPECT_TRUE(client.closed_within(k_wait));
    EXPECT_TRUE(m_events->ended());
    m_server->stop();
    EXPECT_TRUE(log.contains("[HTTP test] event stream of GET /events failed: the source broke"))
        << log.text();
}

TEST_F(EventStreamServer, AHeadRequestGetsTheHeaderAlone) {
    start();
    RawClient client(m_server->port());
    client.send("HEAD /events HTTP/1.1\r\nHost: x\r\n\r\n");
    const auto header = client.read_until("\r\n\r\n");
    ASSERT_TRUE(header);
    EXPECT_THAT(*header, HasSubstr("text/event-stream"));
    EXPECT_TRUE(client.closed_within(k_wait));
    EXPECT_FALSE(m_events->started(0ms)) << "nothing is streamed";
}

} // namespace
} // namespace callscribe::net
