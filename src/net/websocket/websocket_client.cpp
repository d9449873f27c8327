#include "net/websocket/websocket_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <fmt/format.h>

#include <sys/socket.h>
#include <sys/time.h>

namespace callscribe::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

Result<WebSocketUrl> parse_websocket_url(std::string_view url) {
    constexpr std::string_view scheme = "ws://";
    if (!url.starts_with(scheme)) return fail(fmt::format("{} is not a ws:// URL", url));
    std::string_view rest = url.substr(scheme.size());
    const auto slash = rest.find_first_of("/?");
    const std::string_view authority = rest.substr(0, slash);
    WebSocketUrl parsed;
    parsed.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    if (parsed.target.front() == '?') parsed.target.insert(0, "/");
    if (authority.empty() || authority.find('@') != std::string_view::npos)
        return fail(fmt::format("{} has no host (or has credentials)", url));
    // [v6]:port, host:port or host.
    std::string_view host = authority, port = "80";
    if (authority.front() == '[') {
        const auto end = authority.find(']');
        if (end == std::string_view::npos) return fail(fmt::format("{}: unclosed [", url));
        host = authority.substr(1, end - 1);
        if (end + 1 < authority.size()) {
            if (authority[end + 1] != ':') return fail(fmt::format("{}: bad port", url));
            port = authority.substr(end + 2);
        }
    } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (host.empty() || port.empty() ||
        port.find_first_not_of("0123456789") != std::string_view::npos)
        return fail(fmt::format("{}: bad host or port", url));
    parsed.host = std::string(host);
    parsed.port = std::string(port);
    return parsed;
}

struct WebSocketClient::Impl {
    asio::io_context io;
    websocket::stream<tcp::socket> ws{io};
    std::optional<std::uint16_t> server_code; // set once the server's close was read
};

WebSocketClient::WebSocketClient(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
WebSocketClient::WebSocketClient(WebSocketClient&&) noexcept = default;
WebSocketClient& WebSocketClient::operator=(WebSocketClient&&) noexcept = default;
WebSocketClient::~WebSocketClient() {
    if (m_impl && m_impl->ws.is_open()) {
        beast::error_code ignored;
        m_impl->ws.next_layer().close(ignored);
    }
}

Result<WebSocketClient>
WebSocketClient::connect(std::string_view url,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         std::chrono::milliseconds timeout) {
    auto parsed = parse_websocket_url(url);
    if (!parsed) return parsed.error();
    auto impl = std::make_unique<Impl>();
    beast::error_code ec;
    tcp::resolver resolver(impl->io);
    const auto endpoints = resolver.resolve(parsed->host, parsed->port, ec);
    if (ec) return fail(fmt::format("{}: {}", url, ec.message()));
    asio::connect(impl->ws.next_layer(), endpoints, ec);
    if (ec) return fail(fmt::format("{}: {}", url, ec.message()));
    // Bounded reads and writes: a server that stops answering fails a call, never hangs it.
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
    const timeval limit{.tv_sec = micros / 1'000'000, .tv_usec = micros % 1'000'000};
    const int fd = impl->ws.next_layer().native_handle();
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    impl->ws.set_option(websocket::stream_base::decorator([&headers](websocket::request_type& r) {
        for (const auto& [name, value] : headers)
            r.set(name, value);
    }));
    websocket::response_type response;
    const std::string host =
        parsed->port == "80" ? parsed->host : parsed->host + ":" + parsed->port;
    impl->ws.handshake(response, host, parsed->target, ec);
    if (ec) {
        if (response.result_int() != 0 &&
            response.result() != beast::http::status::switching_protocols)
            return fail(fmt::format("refused {}", response.result_int()));
        return fail(fmt::format("{}: {}", url, ec.message()));
    }
    impl->ws.text(true);
    return WebSocketClient(std::move(impl));
}

Result<void> WebSocketClient::send(std::string_view text) {
    beast::error_code ec;
    // Something to read means the server spoke: for a stream's service, only to close it. Read
    // it now, or the close would be lost under a failed write.
    if (m_impl->ws.next_layer().available(ec) > 0 && !ec) {
        beast::flat_buffer buffer;
        m_impl->ws.read(buffer, ec);
        if (ec) {
            return fail(fmt::format("the server closed the WebSocket ({})",
                                    static_cast<int>(m_impl->ws.reason().code)));
        }
    }
    m_impl->ws.write(asio::buffer(text.data(), text.size()), ec);
    if (ec) return fail(fmt::format("the WebSocket is gone: {}", ec.message()));
    return {};
}

Result<std::uint16_t> WebSocketClient::close() {
    beast::error_code ec;
    if (m_impl->ws.is_open()) m_impl->ws.close(websocket::close_code::normal, ec);
    // Read to the server's close frame (its code), or to the end of the connection.
    beast::flat_buffer buffer;
    while (!ec) {
        m_impl->ws.read(buffer, ec);
        buffer.clear();
    }
    const auto reason = m_impl->ws.reason();
    if (reason.code != websocket::close_code::none) return static_cast<std::uint16_t>(reason.code);
    if (ec == websocket::error::closed) return std::uint16_t{1000};
    return fail(fmt::format("the WebSocket ended without a close: {}", ec.message()));
}

} // namespace callscribe::net
