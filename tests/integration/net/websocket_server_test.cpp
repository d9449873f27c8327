// WebSocket connections on the HttpServer: a route's session gets the messages in order, its
// close reaches the client, and binary, oversized, idle and shutdown each end the connection
// with the code RFC 6455 gives them.
#include "net/server/http_server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <gtest/gtest.h>

#include <sys/socket.h>

#include <future>
#include <mutex>

namespace callscribe::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

constexpr auto k_wait = 10s; // every wait of a test is bounded

// Keeps what the server hands it; closes with 1007 on "bad".
class RecordingSession final : public WebSocketSession {
  public:
    std::optional<WebSocketClose> on_text(std::string_view message) override {
        std::lock_guard lock(m_mutex);
        m_messages.emplace_back(message);
        if (message == "bad") return WebSocketClose{1007, "bad is not a word"};
        return std::nullopt;
    }
    void on_end(std::string_view why) override { m_ended.set_value(std::string(why)); }

    std::vector<std::string> messages() {
        std::lock_guard lock(m_mutex);
        return m_messages;
    }
    // Why the connection ended; empty when it did not within k_wait.
    std::string ended() {
        if (m_ended_future.wait_for(k_wait) != std::future_status::ready) return {};
        return m_ended_future.get();
    }

  private:
    std::mutex m_mutex;
    std::vector<std::string> m_messages;
    std::promise<std::string> m_ended;
    std::future<std::string> m_ended_future = m_ended.get_future();
};

class WebSocketServer : public ::testing::Test {
  protected:
    void start(ServerSettings settings = {}) {
        settings.websocket_message_limit = 1024;
        m_server = std::make_unique<HttpServer>(settings, [this](const ServerRequest& request) {
            ServerResponse response;
            if (request.path == "/not-an-upgrade" || request.websocket_upgrade)
                response.websocket = m_session;
            return response;
        });
        ASSERT_TRUE(m_server->start());
    }

    // A client with a bounded read: a server that misbehaves fails the test, never hangs it.
    websocket::stream<tcp::socket> connect() {
        websocket::stream<tcp::socket> ws(m_io);
        ws.next_layer().connect(
            tcp::endpoint(asio::ip::make_address("127.0.0.1"), m_server->port()));
        const timeval limit{.tv_sec = 10, .tv_usec = 0};
        ::setsockopt(ws.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit,
                     sizeof limit);
        ws.handshake("127.0.0.1", "/stream");
        return ws;
    }

    // Reads until the server closes; the close code it sent. (The closing handshake's end may
    // race the server's socket close: the code counts once its close frame arrived.)
    static int close_code(websocket::stream<tcp::socket>& ws) {
        beast::flat_buffer buffer;
        boost::system::error_code ec;
        while (!ec)
            ws.read(buffer, ec);
        if (ws.reason().code == websocket::close_code::none) {
            ADD_FAILURE() << "the connection ended without a close frame: " << ec.message();
            return -1;
        }
        return ws.reason().code;
    }

    asio::io_context m_io;
    std::shared_ptr<RecordingSession> m_session = std::make_shared<RecordingSession>();
    std::unique_ptr<HttpServer> m_server;
};

TEST_F(WebSocketServer, TheSessionGetsEachTextMessageInOrderUntilTheClientCloses) {
    start();
    auto ws = connect();
    ws.write(asio::buffer(std::string("one")));
    ws.write(asio::buffer(std::string("two")));
    ws.close(websocket::close_code::normal);
    EXPECT_EQ(m_session->ended(), "closed by the client (1000)");
    EXPECT_EQ(m_session->messages(), (std::vector<std::string>{"one", "two"}));
}

TEST_F(WebSocketServer, TheSessionsCloseReachesTheClientWithItsCodeAndReason) {
    start();
    auto ws = connect();
    ws.write(asio::buffer(std::string("bad")));
    EXPECT_EQ(close_code(ws), 1007);
    EXPECT_EQ(std::string(ws.reason().reason.c_str()), "bad is not a word");
    EXPECT_EQ(m_session->ended(), "closed: bad is not a word (1007)");
}

TEST_F(WebSocketServer, ABinaryMessageIsClosedWith1003) {
    start();
    auto ws = connect();
    ws.binary(true);
    ws.write(asio::buffer(std::string("\x01\x02")));
    EXPECT_EQ(close_code(ws), 1003);
    EXPECT_EQ(m_session->ended(), "closed: binary messages are not accepted (1003)");
    EXPECT_TRUE(m_session->messages().empty());
}

TEST_F(WebSocketServer, AMessageOverTheLimitIsClosedWith1009) {
    start();
    auto ws = connect();
    ws.write(asio::buffer(std::string(2000, 'x')));
    EXPECT_EQ(close_code(ws), 1009);
    EXPECT_EQ(m_session->ended(), "closed: a message over 1024 bytes (1009)");
}

TEST_F(WebSocketServer, AClientThatFallsSilentIsDroppedAfterTheIdleTimeout) {
    start({.websocket_idle_timeout = Seconds(1)});
    auto ws = connect();
    ws.write(asio::buffer(std::string("hello")));
    EXPECT_EQ(m_session->ended(), "idle for 1 s");
}

TEST_F(WebSocketServer, StoppingTheServerClosesWith1001GoingAway) {
    start();
    auto ws = connect();
    ws.write(asio::buffer(std::string("hello")));
    auto code = std::async(std::launch::async, [&ws] { return close_code(ws); });
    m_server->stop();
    EXPECT_EQ(code.get(), 1001);
    EXPECT_EQ(m_session->ended(), "the server is stopping");
}

TEST_F(WebSocketServer, StoppingTheServerWhileTheSessionsCloseIsUnderWaySendsThatCloseAlone) {
    start({.websocket_handshake_timeout = Seconds(1)});
    auto ws = connect();
    ws.write(asio::buffer(std::string("bad")));
    // The session's close frame has arrived; the client does not answer it yet, so the server's
    // closing handshake is under way when it stops (and then times out).
    char first = 0;
    ws.next_layer().receive(asio::buffer(&first, 1), tcp::socket::message_peek);
    m_server->stop();
    EXPECT_EQ(close_code(ws), 1007);
    EXPECT_EQ(m_session->ended(), "closed: bad is not a word (1007)");
}

TEST_F(WebSocketServer, AHandlerThatAcceptsAPlainRequestAsAWebSocketGets500) {
    start();
    tcp::socket socket(m_io);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), m_server->port()));
    const std::string request =
        "GET /not-an-upgrade HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    asio::write(socket, asio::buffer(request));
    std::string answer;
    boost::system::error_code ec;
    asio::read(socket, asio::dynamic_buffer(answer), ec);
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 500")) << answer;
}

} // namespace
} // namespace callscribe::net
