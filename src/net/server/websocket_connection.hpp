#pragma once
// HttpServer's side of a WebSocket connection (RFC 6455, Boost.Beast): the upgrade, the message
// loop that feeds a WebSocketSession, the closing. Internal to the server (http_server.cpp).

#include "core/clock.hpp"
#include "net/server/beast_request.hpp"
#include "net/server/server_types.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <atomic>
#include <cstddef>
#include <functional>
#include <string_view>

namespace callscribe::net {

// From ServerSettings (websocket_message_limit, _idle_timeout, _handshake_timeout), whose
// defaults are the only ones.
struct WebSocketLimits {
    std::size_t message_limit = 0;
    Seconds idle_timeout{};
    Seconds handshake_timeout{}; // the opening and the closing handshakes
};

// Accepts the upgrade `request` on `stream` (101) and gives `session` every message until the
// connection ends; then calls session.on_end() once. `on_stop` is set, while the connection is
// open, to a function that closes it with 1001 Going Away (call it on the stream's executor);
// when `server_stopping` is already true once the upgrade is done, it closes so at once (the
// server's stop() may have looked for `on_stop` before it was set). Returns once the connection
// is over; the caller closes the socket.
boost::asio::awaitable<void> run_websocket(boost::beast::tcp_stream& stream,
                                           const BeastRequest& request, WebSocketSession& session,
                                           const WebSocketLimits& limits,
                                           std::function<void()>& on_stop,
                                           const std::atomic<bool>& server_stopping);

} // namespace callscribe::net
