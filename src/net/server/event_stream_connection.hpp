#pragma once
// HttpServer's side of an event stream (ServerResponse::events, Server-Sent Events): the header,
// the events as the EventStream gives them, the keep-alive comments, the end. Internal to the
// server (http_server.cpp).

#include "core/clock.hpp"
#include "net/server/server_types.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace callscribe::net {

struct EventStreamLimits {
    Seconds poll_interval{5};
    Seconds keepalive_interval{15};
    Seconds write_timeout{30};
};

struct EventStreamEnd {
    std::uint64_t bytes = 0; // of the body
    std::string why;         // "done", "the client went away", "the server is stopping", ...
    bool failed = false;     // next() threw (`why` says what)
};

// Sends `response`'s status and headers on `stream` as an event stream's header, then (unless
// `head_only`) its events: `response.events`' start(), next() (run on `handlers`, the server's
// handler pool or the stream's own executor) and end(), as EventStream describes. `on_stop` is
// set, while the stream runs, to a function that ends it (call it on the stream's executor);
// when `server_stopping` is already true it ends at once. The caller closes the socket.
boost::asio::awaitable<EventStreamEnd>
run_event_stream(boost::beast::tcp_stream& stream, unsigned version, const ServerResponse& response,
                 bool head_only, boost::asio::any_io_executor handlers,
                 const EventStreamLimits& limits, std::function<void()>& on_stop,
                 const std::atomic<bool>& server_stopping);

} // namespace callscribe::net
