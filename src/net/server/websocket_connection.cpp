#include "net/server/websocket_connection.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <fmt/format.h>

namespace callscribe::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using boost::system::error_code;
using WebSocket = websocket::stream<beast::tcp_stream&>;

namespace {

// Why the read loop ended, for the session's on_end().
std::string read_failure(const error_code& ec, const WebSocket& ws, bool stopping,
                         const WebSocketLimits& limits) {
    if (stopping) return "the server is stopping";
    if (ec == websocket::error::closed) {
        const auto& reason = ws.reason();
        if (reason.reason.empty()) return fmt::format("closed by the client ({})", reason.code);
        return fmt::format("closed by the client ({} {})", reason.code,
                           std::string_view(reason.reason.data(), reason.reason.size()));
    }
    if (ec == websocket::error::message_too_big)
        return fmt::format("closed: a message over {} bytes (1009)", limits.message_limit);
    if (ec == beast::error::timeout)
        return fmt::format("idle for {:.0f} s", limits.idle_timeout.count());
    return fmt::format("the connection failed: {}", ec.message());
}

} // namespace

asio::awaitable<void> run_websocket(beast::tcp_stream& stream, const BeastRequest& request,
                                    WebSocketSession& session, const WebSocketLimits& limits,
                                    std::function<void()>& on_stop,
                                    const std::atomic<bool>& server_stopping) {
    error_code ec;
    auto token = asio::redirect_error(asio::use_awaitable, ec);
    stream.expires_never(); // the WebSocket's own timeouts take over
    WebSocket ws(stream);
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = to_steady(limits.handshake_timeout);
    timeouts.idle_timeout = to_steady(limits.idle_timeout);
    timeouts.keep_alive_pings = false; // a client that sends nothing is gone
    ws.set_option(timeouts);
    ws.read_message_max(limits.message_limit);
    ws.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
        response.set(beast::http::field::server, "callscribe");
    }));
    co_await ws.async_accept(request, token);
    if (ec) {
        session.on_end(fmt::format("the upgrade failed: {}", ec.message()));
        co_return;
    }

    bool stopping = false;
    // Beast takes one close at a time: the server's stop may come while the session's close is
    // under way, or twice (once seen here after the upgrade, once from HttpServer::stop()).
    bool closing = false;
    on_stop = [&ws, &stopping, &closing] {
        stopping = true;
        if (closing) return;
        closing = true;
        // The pending read ends once the client answers the close, or the handshake times out.
        ws.async_close(
            websocket::close_reason(websocket::close_code::going_away, "the server is stopping"),
            [](error_code) {});
    };
    if (server_stopping) on_stop();
    std::string why;
    beast::flat_buffer buffer;
    for (;;) {
        buffer.clear();
        co_await ws.async_read(buffer, token);
        if (ec) {
            why = read_failure(ec, ws, stopping, limits);
            break;
        }
        std::optional<WebSocketClose> close;
        if (!ws.got_text()) {
            close = WebSocketClose{1003, "binary messages are not accepted"};
        } else {
            const auto data = buffer.cdata();
            close = session.on_text(
                std::string_view(static_cast<const char*>(data.data()), data.size()));
        }
        if (close) {
            if (close->reason.size() > 123) close->reason.resize(123); // a control frame's limit
            why = fmt::format("closed: {} ({})", close->reason, close->code);
            if (closing) break; // the server's 1001 is on its way
            closing = true;
            co_await ws.async_close(
                websocket::close_reason(static_cast<websocket::close_code>(close->code),
                                        close->reason),
                token);
            break;
        }
    }
    on_stop = nullptr;
    session.on_end(why);
}

} // namespace callscribe::net
