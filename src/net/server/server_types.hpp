#pragma once
// What an HttpServer handler receives and returns: plain values, no Beast, so that route code
// (src/api, the Twilio sandbox) never sees sockets.

#include "core/result.hpp"
#include "net/url_encoding.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace callscribe::net {

using ServerHeaders = std::vector<std::pair<std::string, std::string>>;

struct ServerRequest {
    std::string method{};           // as sent: "GET", "POST", ...
    std::string target{};           // path and query, raw as sent
    std::string path{};             // `target` up to '?', NOT percent-decoded (route on segments)
    FormFields query{};             // the query's parameters, decoded ('+' is a space), in order
    ServerHeaders headers{};        // names lower-cased, values as sent, in order
    std::string body{};             // raw bytes (already de-chunked)
    std::string remote_address{};   // the peer's IP address: "127.0.0.1", "::1"
    bool websocket_upgrade = false; // a GET asking to become a WebSocket (RFC 6455 §4.1)

    // The first header with this lower-case name, if any.
    std::optional<std::string> header(std::string_view lower_name) const;
    // The first query parameter with this name (case-sensitive), if any.
    std::optional<std::string> query_param(std::string_view name) const;
};

// A body streamed from disk while it is sent, never held in memory: `length` bytes from
// `offset` (to the end of the file when `length` is unset). The range must lie inside the file;
// a file that cannot be opened, or a range beyond its end, is answered 500 and logged.
struct FileBody {
    std::filesystem::path path{};
    std::uint64_t offset = 0;
    std::optional<std::uint64_t> length{};
};

// A WebSocket close code and reason (RFC 6455 §7.4): 1000 normal, 1003 unsupported data, 1007
// invalid payload data, 1008 policy violation, 1009 message too big, 1011 internal error.
struct WebSocketClose {
    std::uint16_t code = 1000;
    std::string reason{}; // at most 123 bytes go on the wire
};

// What a route's WebSocket connection does with its messages once the server accepted the
// upgrade. The server calls on_text() for each text message, in order, on the connection's io
// thread (so it must be quick: hand slow work elsewhere), and on_end() exactly once when the
// connection is over. A binary message closes the connection with 1003, one larger than
// ServerSettings::websocket_message_limit with 1009, a client silent for
// ServerSettings::websocket_idle_timeout is dropped.
class WebSocketSession {
  public:
    virtual ~WebSocketSession() = default;
    // nullopt: go on; a close: the server sends it and ends the connection.
    virtual std::optional<WebSocketClose> on_text(std::string_view message) = 0;
    // Why it ended, in a few words ("closed by the client (1000)", "idle for 30 s", "the
    // server is stopping", "closed: invalid JSON"...).
    virtual void on_end(std::string_view why) = 0;
};

// A body that goes on while there is something to say: Server-Sent Events (text/event-stream,
// HTML Living Standard §9.2), for a page that watches something change. The server sends the
// response's status and headers (adding Content-Type: text/event-stream, Cache-Control:
// no-store and "X-Accel-Buffering: no" so that a proxy passes each event on at once), then what
// next() returns, until next() says it is done, the client goes away, or the server stops. The
// body is chunked (HTTP/1.1) and the connection closes after it ("Connection: close").
//
// Calls, each once per connection unless said: start() first, on a handler thread; next() on a
// handler thread (so it may read a database), at once, then soon after each wake() and at
// least every ServerSettings::event_poll_interval, never two at a time; end() last, also when
// the client went away or the server stops. A comment line keeps a quiet connection open
// (every event_keepalive_interval) and shows that the client is gone.
class EventStream {
  public:
    virtual ~EventStream() = default;
    struct Events {
        std::string text{}; // whole events ("event: x\ndata: {…}\n\n"); "" when nothing new
        bool done = false;  // the last: the server sends `text` and closes the connection
    };
    // `wake` asks the server to call next() soon. It may be called from any thread, any number
    // of times, until end() returns; not after.
    virtual void start(std::function<void()> wake) = 0;
    virtual Events next() = 0;
    virtual void end() = 0;
};

struct ServerResponse {
    int status = 200;
    // Sent as given, except Content-Length, Transfer-Encoding and Connection, which the server
    // writes itself; "Connection: close" from a handler closes the connection after this answer.
    // With status 206 and a file body, the server adds Content-Range unless the handler did.
    ServerHeaders headers{};
    std::string body{};
    std::optional<FileBody> file{}; // when set, sent instead of `body`
    // When set, the answer is what this returns, run on the server's pool for slow work (a
    // download from Twilio, say) so that the handler threads stay free for quick requests; the
    // rest of this response is not used. See HttpServer (slow_threads).
    std::function<ServerResponse()> deferred{};
    // When set and the request is a WebSocket upgrade, the server answers 101 Switching
    // Protocols (the rest of this response is not used) and hands the connection's messages to
    // this session. Set it on a request that is not an upgrade and the answer is a 500.
    std::shared_ptr<WebSocketSession> websocket{};
    // When set and the request is a GET, the body is this stream's events (see EventStream);
    // `body` and `file` are not used. On a HEAD request the answer is the header alone.
    std::shared_ptr<EventStream> events{};

    static ServerResponse text(int status, std::string body);
    static ServerResponse json(int status, std::string body);
    static ServerResponse redirect(int status, std::string location);
    static ServerResponse defer(std::function<ServerResponse()> work);

    // The first header with this name (compared case-insensitively), if any.
    std::optional<std::string> header(std::string_view name) const;
};

struct ListenAddress {
    std::string host{}; // an IPv4 or IPv6 literal (without brackets) or a host name
    std::uint16_t port = 0;
};

// "127.0.0.1:8080", "[::1]:0", "localhost:8081" → host and port (0 allowed: pick a free port).
Result<ListenAddress> parse_listen_address(std::string_view text);

// "127.0.0.1:8080" or "[::1]:8080".
std::string host_port(std::string_view host, std::uint16_t port);

} // namespace callscribe::net
