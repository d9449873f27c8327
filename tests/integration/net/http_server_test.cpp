#include "net/server/http_server.hpp"

#include "core/log.hpp"
#include "net/curl/curl_http_client.hpp"
#include "support/raw_http_client.hpp"
#include "support/temp_dir.hpp"

#include <boost/asio.hpp>
#include <boost/beast/http.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <future>
#include <random>
#include <sstream>
#include <thread>

namespace callscribe::net {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using test_support::RawClient;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

ServerSettings test_settings() {
    ServerSettings settings;
    settings.port = 0;
    settings.io_threads = 2;
    settings.handler_threads = 2;
    settings.name = "test";
    return settings;
}

ServerResponse routes(const ServerRequest& request) {
    if (request.path == "/hello") {
        return ServerResponse::text(200, "hello " + request.query_param("name").value_or("?"));
    }
    if (request.path == "/echo" && request.method == "POST") {
        auto response = ServerResponse::text(201, request.body);
        response.headers.emplace_back("X-Content-Type-Seen",
                                      request.header("content-type").value_or("-"));
        return response;
    }
    if (request.path == "/throw") throw std::runtime_error("the handler broke");
    return ServerResponse::json(404, R"({"error":"not found"})");
}

class HttpServerTest : public ::testing::Test {
  protected:
    std::unique_ptr<HttpServer> serve(HttpServer::Handler handler = routes,
                                      ServerSettings settings = test_settings()) {
        auto server = std::make_unique<HttpServer>(std::move(settings), std::move(handler));
        auto started = server->start();
        EXPECT_TRUE(started) << started.error().message;
        return server;
    }

    curl::CurlHttpClient m_client;
};

TEST_F(HttpServerTest, RoutesWithDecodedQueryAndBody) {
    auto server = serve();
    ASSERT_NE(server->port(), 0);
    EXPECT_EQ(server->base_url(), "http://127.0.0.1:" + std::to_string(server->port()));

    auto hello = m_client.send({.url = server->base_url() + "/hello?name=caller+one%21"});
    ASSERT_TRUE(hello) << hello.error().message;
    EXPECT_EQ(hello->status, 200);
    EXPECT_EQ(hello->body, "hello caller one!");
    EXPECT_EQ(hello->header("content-type"), "text/plain; charset=utf-8");

    auto echo = m_client.send({.method = "POST",
                               .url = server->base_url() + "/echo",
                               .headers = {{"Content-Type", "application/json"}},
                               .body = R"({"a":1})"});
    ASSERT_TRUE(echo) << echo.error().message;
    EXPECT_EQ(echo->status, 201);
    EXPECT_EQ(echo->body, R"({"a":1})");
    EXPECT_EQ(echo->header("x-content-type-seen"), "application/json");

    auto missing = m_client.send({.url = server->base_url() + "/nowhere"});
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404);
}

TEST_F(HttpServerTest, HandlerSeesMethodPathHeadersAndRemoteAddress) {
    std::promise<ServerRequest> seen;
    auto server = serve([&](const ServerRequest& request) {
        seen.set_value(request);
        return ServerResponse::text(200, "ok");
    });
    ASSERT_TRUE(m_client.send({.method = "PUT",
                               .url = server->base_url() + "/a%20b/c?x=1&x=2&y",
                               .headers = {{"X-Mixed-Case", "Value"}},
                               .body = "data"}));
    const ServerRequest request = seen.get_future().get();
    EXPECT_EQ(request.method, "PUT");
    EXPECT_EQ(request.target, "/a%20b/c?x=1&x=2&y");
    EXPECT_EQ(request.path, "/a%20b/c");
    EXPECT_EQ(request.query, (FormFields{{"x", "1"}, {"x", "2"}, {"y", ""}}));
    EXPECT_EQ(request.header("x-mixed-case"), "Value");
    EXPECT_EQ(request.body, "data");
    EXPECT_EQ(request.remote_address, "127.0.0.1");
}

TEST_F(HttpServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
    std::atomic<int> calls = 0;
    auto server = serve([&](const ServerRequest& request) {
        ++calls;
        return ServerResponse::text(200, "got " + request.path);
    });
    RawClient client(server->port());
    client.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n");
    auto first = client.read_response();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->body(), "got /first");
    EXPECT_TRUE(first->keep_alive());
    client.send("GET /second HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    auto second = client.read_response();
    ASSERT_TRUE(second);
    EXPECT_EQ(second->body(), "got /second");
    EXPECT_FALSE(second->keep_alive());
    EXPECT_TRUE(client.closed_within(5s));
    EXPECT_EQ(calls, 2);
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
    auto server = serve();
    RawClient client(server->port());
    client.send("GET /hello?name=a HTTP/1.1\r\nHost: x\r\n\r\n"
                "GET /hello?name=b HTTP/1.1\r\nHost: x\r\n\r\n");
    auto a = client.read_response(), b = client.read_response();
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->body(), "hello a");
    EXPECT_EQ(b->body(), "hello b");
}

TEST_F(HttpServerTest, OversizedBodyGets413) {
    auto settings = test_settings();
    settings.body_limit = 1024;
    auto server = serve(routes, settings);
    auto response = m_client.send(
        {.method = "POST", .url = server->base_url() + "/echo", .body = std::string(4096, 'x')});
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 413);
    EXPECT_THAT(response->body, HasSubstr("too large"));

    // A chunked body has no Content-Length: the limit cuts in while it is read.
    RawClient client(server->port());
    client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                "800\r\n" +
                std::string(2048, 'y') + "\r\n0\r\n\r\n");
    auto chunked = client.read_response();
    ASSERT_TRUE(chunked);
    EXPECT_EQ(chunked->result_int(), 413);

    auto small = m_client.send(
        {.method = "POST", .url = server->base_url() + "/echo", .body = std::string(1024, 'x')});
    ASSERT_TRUE(small);
    EXPECT_EQ(small->status, 201);
}

TEST_F(HttpServerTest, OversizedHeaderGets431) {
    auto settings = test_settings();
    settings.header_limit = 1024;
    auto server = serve(routes, settings);
    RawClient client(server->port());
    client.send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n");
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 431);
    EXPECT_TRUE(client.closed_within(5s));
}

TEST_F(HttpServerTest, GarbageGets400AndTheConnectionCloses) {
    auto server = serve();
    RawClient client(server->port());
    client.send("THIS IS NOT HTTP\r\n\r\n");
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 400);
    EXPECT_EQ(response->at(http::field::content_type), "application/json");
    EXPECT_TRUE(client.closed_within(5s));

    auto after = m_client.send({.url = server->base_url() + "/hello?name=still"});
    ASSERT_TRUE(after);
    EXPECT_EQ(after->body, "hello still");
}

TEST_F(HttpServerTest, SlowClientIsDroppedByTheHeaderTimeout) {
    auto settings = test_settings();
    settings.header_timeout = 200ms;
    auto server = serve(routes, settings);
    RawClient client(server->port());
    const auto began = std::chrono::steady_clock::now();
    client.send("GET /hello HTTP/1.1\r\nHost: x\r\n"); // half a header, then nothing
    EXPECT_TRUE(client.closed_within(5s));
    EXPECT_GE(std::chrono::steady_clock::now() - began, 150ms);
}

TEST_F(HttpServerTest, SlowBodyIsDroppedByTheBodyTimeout) {
    auto settings = test_settings();
    settings.body_timeout = 200ms;
    auto server = serve(routes, settings);
    RawClient client(server->port());
    client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly ten..");
    EXPECT_TRUE(client.closed_within(5s));
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosed) {
    auto settings = test_settings();
    settings.idle_timeout = 200ms;
    auto server = serve(routes, settings);
    RawClient client(server->port());
    client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(client.read_response());
    EXPECT_TRUE(client.closed_within(5s));
}

TEST_F(HttpServerTest, StreamsAFileBodyWithAByteRange) {
    test_support::TempDir dir;
    const auto file = dir / "audio.bin";
    std::string bytes(300 * 1024, '\0');
    std::mt19937 random(7);
    for (auto& byte : bytes)
        byte = static_cast<char>(random() & 0xff);
    test_support::write_file(file, bytes);

    auto server = serve([&](const ServerRequest& request) {
        ServerResponse response;
        response.headers = {{"Content-Type", "audio/mpeg"}};
        if (request.path == "/part") {
            response.status = 206;
            response.file = FileBody{.path = file, .offset = 1000, .length = 200000};
        } else if (request.path == "/missing") {
            response.file = FileBody{.path = dir / "nothing-here"};
        } else {
            response.file = FileBody{.path = file};
        }
        return response;
    });

    auto whole = m_client.send({.url = server->base_url() + "/whole"});
    ASSERT_TRUE(whole) << whole.error().message;
    EXPECT_EQ(whole->status, 200);
    EXPECT_EQ(whole->header("content-length"), std::to_string(bytes.size()));
    EXPECT_TRUE(whole->body == bytes);

    auto part = m_client.send({.url = server->base_url() + "/part"});
    ASSERT_TRUE(part) << part.error().message;
    EXPECT_EQ(part->status, 206);
    EXPECT_EQ(part->header("content-range"), "bytes 1000-200999/307200");
    EXPECT_EQ(part->header("content-type"), "audio/mpeg");
    EXPECT_TRUE(part->body == bytes.substr(1000, 200000));

    auto head = m_client.send({.method = "HEAD", .url = server->base_url() + "/whole"});
    ASSERT_TRUE(head);
    EXPECT_EQ(head->header("content-length"), std::to_string(bytes.size()));
    EXPECT_TRUE(head->body.empty());

    auto missing = m_client.send({.url = server->base_url() + "/missing"});
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 500);
}

// A deferred answer runs on the slow pool: the one handler thread stays free for quick requests,
// and slow work beyond the pool and its queue is refused at once.
TEST_F(HttpServerTest, DeferredAnswersLeaveTheHandlerThreadsFree) {
    auto settings = test_settings();
    settings.handler_threads = 1;
    settings.slow_threads = 1;
    settings.slow_queue = 0;
    std::promise<void> started;
    std::atomic<bool> started_once{false};
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    auto server = serve(
        [&](const ServerRequest& request) {
            if (request.path != "/slow") return ServerResponse::text(200, "quick");
            return ServerResponse::defer([&] {
                if (!started_once.exchange(true)) started.set_value();
                released.wait();
                return ServerResponse::text(200, "slow done");
            });
        },
        settings);
    auto slow = std::async(std::launch::async, [&] {
        curl::CurlHttpClient client;
        return client.send({.url = server->base_url() + "/slow"});
    });
    ASSERT_EQ(started.get_future().wait_for(10s), std::future_status::ready);

    auto quick = m_client.send({.url = server->base_url() + "/quick"});
    ASSERT_TRUE(quick) << quick.error().message;
    EXPECT_EQ(quick->body, "quick") << "the handler thread was free";
    auto refused = m_client.send({.url = server->base_url() + "/slow"});
    ASSERT_TRUE(refused) << refused.error().message;
    EXPECT_EQ(refused->status, 503);
    EXPECT_EQ(refused->header("retry-after"), "5");
    EXPECT_EQ(slow.wait_for(0s), std::future_status::timeout);

    release.set_value();
    const auto answered = slow.get();
    ASSERT_TRUE(answered) << answered.error().message;
    EXPECT_EQ(answered->body, "slow done");
    auto again = m_client.send({.url = server->base_url() + "/slow"});
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 200) << "the pool is free again";
}

TEST_F(HttpServerTest, HandlerExceptionGets500AndTheServerStaysUp) {
    auto server = serve();
    auto broken = m_client.send({.url = server->base_url() + "/throw"});
    ASSERT_TRUE(broken);
    EXPECT_EQ(broken->status, 500);
    EXPECT_EQ(broken->header("content-type"), "application/json");
    EXPECT_EQ(broken->body, R"({"error":"internal server error"})");
    EXPECT_THAT(broken->body, Not(HasSubstr("broke")));

    auto fine = m_client.send({.url = server->base_url() + "/hello?name=again"});
    ASSERT_TRUE(fine);
    EXPECT_EQ(fine->body, "hello again");
}

TEST_F(HttpServerTest, StopLetsTheRequestInFlightFinish) {
    std::promise<void> entered, release;
    auto released = release.get_future().share();
    std::atomic<bool> handler_done = false;
    auto server = serve([&](const ServerRequest& request) {
        if (request.path == "/slow") {
            entered.set_value();
            released.wait();
            handler_done = true;
        }
        return ServerResponse::text(200, "finished " + request.path);
    });
    const std::string url = server->base_url() + "/slow";
    const auto port = server->port();

    auto answer = std::async(std::launch::async, [&] { return m_client.send({.url = url}); });
    entered.get_future().wait();
    auto stopped = std::async(std::launch::async, [&] {
        server->stop();
        return handler_done.load();
    });
    release.set_value();

    EXPECT_TRUE(stopped.get()) << "stop() returned before the handler finished";
    auto response = answer.get();
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "finished /slow");

    auto refused = m_client.send(
        {.url = "http://127.0.0.1:" + std::to_string(port) + "/hello", .timeout = Seconds(5)});
    EXPECT_FALSE(refused);
}

TEST_F(HttpServerTest, StopClosesIdleKeepAliveConnectionsAtOnce) {
    auto server = serve();
    RawClient client(server->port());
    client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(client.read_response());
    const auto began = std::chrono::steady_clock::now();
    server->stop(); // the idle timeout is 60 s: only an immediate close makes this quick
    EXPECT_LT(std::chrono::steady_clock::now() - began, 5s);
    EXPECT_TRUE(client.closed_within(5s));
}

TEST_F(HttpServerTest, StopClosesAConnectionStillSendingItsHeader) {
    auto settings = test_settings();
    settings.header_timeout = Seconds{60};
    auto server = serve(routes, settings);
    RawClient slow(server->port());
    slow.send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: a");
    std::this_thread::sleep_for(100ms); // the server is reading the header now
    const auto began = std::chrono::steady_clock::now();
    server->stop(); // a slowloris client must not hold up a shutdown for the header timeout
    EXPECT_LT(std::chrono::steady_clock::now() - began, 5s);
    EXPECT_TRUE(slow.closed_within(5s));
}

TEST_F(HttpServerTest, HandlersMayRunOnTheIoThread) {
    auto settings = test_settings();
    settings.handler_threads = 0;
    auto server = serve(routes, settings);
    auto response = m_client.send({.url = server->base_url() + "/hello?name=inline"});
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, "hello inline");
}

TEST_F(HttpServerTest, ListensOnIpv6) {
    auto settings = test_settings();
    settings.host = "::1";
    HttpServer server(settings, routes);
    if (auto started = server.start(); !started) GTEST_SKIP() << started.error().message;
    EXPECT_EQ(server.base_url(), "http://[::1]:" + std::to_string(server.port()));
    RawClient client(server.port(), "::1");
    client.send("GET /hello?name=six HTTP/1.1\r\nHost: x\r\n\r\n");
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body(), "hello six");
}

TEST_F(HttpServerTest, StartFailsNamingTheAddressWhenThePortIsTaken) {
    auto first = serve();
    auto settings = test_settings();
    settings.port = first->port();
    HttpServer second(settings, routes);
    auto started = second.start();
    ASSERT_FALSE(started);
    EXPECT_THAT(started.error().message,
                HasSubstr("cannot listen on 127.0.0.1:" + std::to_string(first->port())));
}

TEST_F(HttpServerTest, AccessLogHasMethodPathStatusBytesAndNoQuery) {
    std::ostringstream captured;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
    log().sinks().push_back(sink);
    {
        auto server = serve();
        ASSERT_TRUE(m_client.send({.url = server->base_url() + "/hello?name=secret-token"}));
        server->stop();
    }
    log().sinks().pop_back();
    const std::string text = captured.str();
    EXPECT_THAT(text, HasSubstr("[HTTP test] GET /hello 200 18 bytes "));
    EXPECT_THAT(text, HasSubstr(" ms"));
    EXPECT_THAT(text, Not(HasSubstr("secret-token")));
}

TEST(ListenAddressTest, ParsesHostsAndPorts) {
    auto v4 = parse_listen_address("127.0.0.1:8081");
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->host, "127.0.0.1");
    EXPECT_EQ(v4->port, 8081);
    auto v6 = parse_listen_address("[::1]:0");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->host, "::1");
    EXPECT_EQ(v6->port, 0);
    EXPECT_FALSE(parse_listen_address("127.0.0.1"));
    EXPECT_FALSE(parse_listen_address("::1:80"));
    EXPECT_FALSE(parse_listen_address("host:99999"));
    EXPECT_FALSE(parse_listen_address(":80"));
    EXPECT_EQ(host_port("::1", 80), "[::1]:80");
}

} // namespace
} // namespace callscribe::net
