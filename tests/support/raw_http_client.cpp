#include "support/raw_http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/parser.hpp>
#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>

namespace callscribe::test_support {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

RawClient::RawClient(std::uint16_t port, std::string host) : m_socket(m_io) {
    m_socket.connect(tcp::endpoint(asio::ip::make_address(host), port));
}

void RawClient::send(std::string_view bytes) {
    asio::write(m_socket, asio::buffer(bytes));
}

std::optional<http::response<http::string_body>>
RawClient::read_response(std::chrono::milliseconds limit) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    for (;;) {
        if (!m_pending.empty()) {
            boost::system::error_code ec;
            const auto used = parser.put(asio::buffer(m_pending), ec);
            m_pending.erase(0, used);
            if (!ec && parser.is_done()) return parser.release();
            if (ec && ec != http::error::need_more) {
                ADD_FAILURE() << "unparsable response: " << ec.message();
                return std::nullopt;
            }
            if (!ec && used > 0) continue;
        }
        auto more = receive(limit);
        if (!more || more->empty()) return std::nullopt;
        m_pending += *more;
    }
}

std::optional<std::string> RawClient::read_until(std::string_view text,
                                                 std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        if (const auto at = m_pending.find(text); at != std::string::npos) {
            std::string got = m_pending.substr(0, at + text.size());
            m_pending.erase(0, at + text.size());
            return got;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left <= 0ms) return std::nullopt;
        auto more = receive(left);
        if (!more || more->empty()) return std::nullopt;
        m_pending += *more;
    }
}

std::optional<std::string> RawClient::read_chunk(std::chrono::milliseconds limit) {
    const auto size_line = read_until("\r\n", limit);
    if (!size_line) return std::nullopt;
    const auto data = read_until("\r\n", limit);
    if (!data) return std::nullopt;
    std::string chunk = data->substr(0, data->size() - 2);
    EXPECT_EQ(chunk.size(), std::stoul(*size_line, nullptr, 16)) << *size_line;
    return chunk;
}

bool RawClient::closed_within(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left <= 0ms) return false;
        auto more = receive(left);
        if (!more) return false;
        if (more->empty()) return true;
    }
}

void RawClient::close() {
    boost::system::error_code ignored;
    m_socket.close(ignored);
}

std::optional<std::string> RawClient::receive(std::chrono::milliseconds limit) {
    pollfd fd{m_socket.native_handle(), POLLIN, 0};
    if (::poll(&fd, 1, static_cast<int>(limit.count())) <= 0) return std::nullopt;
    char data[16384];
    const auto n = ::recv(m_socket.native_handle(), data, sizeof data, 0);
    if (n <= 0) return std::string();
    return std::string(data, static_cast<std::size_t>(n));
}

} // namespace callscribe::test_support
