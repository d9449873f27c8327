#include "fakes/fake_http_server.hpp"
#include "fakes/multipart.hpp"
#include "net/curl/curl_http_client.hpp"
#include "support/time_factor.hpp"

#include <boost/asio.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>

namespace callscribe::fakes {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string read_until(tcp::socket& socket, std::string_view marker) {
    std::string received;
    char chunk[512];
    while (received.find(marker) == std::string::npos) {
        boost::system::error_code ec;
        const auto n = socket.read_some(asio::buffer(chunk), ec);
        if (ec) break;
        received.append(chunk, n);
    }
    return received;
}

TEST(FakeHttpServer, AnswersExpectContinueBeforeReadingTheBody) {
    FakeHttpServer server(
        [](const FakeRequest& request) { return FakeResponse::text(200, request.body); });
    asio::io_context io;
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
    asio::write(socket,
                asio::buffer(std::string("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                                         "Expect: 100-continue\r\n\r\n")));
    EXPECT_NE(read_until(socket, "\r\n\r\n").find("100 Continue"), std::string::npos);
    asio::write(socket, asio::buffer(std::string("hello")));
    const std::string answer = read_until(socket, "hello");
    EXPECT_NE(answer.find("HTTP/1.1 200"), std::string::npos) << answer;
    EXPECT_NE(answer.find("hello"), std::string::npos) << answer;
}

TEST(FakeHttpServer, AThrowingHandlerAnswers500AndRequestsAreRecorded) {
    FakeHttpServer server(
        [](const FakeRequest&) -> FakeResponse { throw std::runtime_error("boom"); });
    net::curl::CurlHttpClient client;
    auto response = client.send({.url = server.url("/a?b=c")});
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 500);
    EXPECT_EQ(response->body, "boom");
    ASSERT_EQ(server.request_count(), 1u);
    EXPECT_EQ(server.requests()[0].target, "/a?b=c");
    EXPECT_EQ(server.requests()[0].path(), "/a");
}

TEST(FakeHttpServer, StopsPromptlyWithAnAnswerStillDelayed) {
    auto server = std::make_unique<FakeHttpServer>([](const FakeRequest&) {
        FakeResponse slow = FakeResponse::text(200, "late");
        slow.delay = std::chrono::seconds(30);
        return slow;
    });
    net::curl::CurlHttpClient client;
    ASSERT_FALSE(client.send({.url = server->url("/"), .timeout = Seconds{0.1}}));
    const auto started = std::chrono::steady_clock::now();
    server.reset();
    EXPECT_LT(std::chrono::steady_clock::now() - started,
              std::chrono::seconds(2) * test_support::time_factor());
}

TEST(Multipart, RejectsBodiesThatDoNotFollowTheBoundary) {
    const std::string type = "multipart/form-data; boundary=XyZ";
    const std::string good =
        "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--XyZ--\r\n";
    auto parts = parse_multipart(type, good);
    ASSERT_TRUE(parts);
    ASSERT_EQ(parts->size(), 1u);
    EXPECT_EQ((*parts)[0].name, "a");
    EXPECT_EQ((*parts)[0].data, "1");
    EXPECT_FALSE(parse_multipart("application/json", good));
    EXPECT_FALSE(parse_multipart("multipart/form-data; boundary=Other", good));
    EXPECT_FALSE(
        parse_multipart(type, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1"));
    EXPECT_FALSE(parse_multipart(type, "--XyZ\r\nX-Other: 1\r\n\r\n1\r\n--XyZ--\r\n"));
}

} // namespace
} // namespace callscribe::fakes
