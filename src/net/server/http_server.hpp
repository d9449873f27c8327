#pragma once
// The service's HTTP/1.1 server (Boost.Beast; the only code besides tests/fakes that includes
// it). One asynchronous server: a few io threads run every connection, no thread per connection.
//
// Requests: keep-alive (HTTP/1.1 default, HTTP/1.0 on request), "Expect: 100-continue",
// chunked request bodies. Limits, each answered and then the connection closed:
//   - request line + headers over `header_limit` → 431; a body over `body_limit` → 413
//     (as soon as Content-Length says so, before the body is read);
//   - a malformed request → 400;
//   - a client slower than `header_timeout` for its request line and headers, or
//     `body_timeout` for its body, or idle for `idle_timeout` between keep-alive requests, or not
//     taking a write within `write_timeout`, is dropped without an answer.
// Connections: at most `max_connections` at once; one more is answered 503 and closed at once
// (a client never hangs on a full server, and the process keeps descriptors for its own files).
// Handlers: run on a pool of `handler_threads` threads (so a handler may block for a while, e.g.
// on a database, without stalling other connections); with handler_threads = 0 they run on the
// io threads themselves and must not block. A handler is called concurrently from several
// threads and must be thread-safe, and must not call stop(). A handler that throws, or answers a
// status outside 100–599, is answered 500 with {"error":"internal server error"}; the exception
// is logged and the server goes on.
// Slow work: a handler's ServerResponse::deferred runs on a pool of its own (`slow_threads`), so
// that a handler waiting on another service never holds a handler thread that a quick request
// (a health check, a callback) needs. At most `slow_threads + slow_queue` run or wait at once;
// one more is answered 503 with Retry-After at once.
// WebSockets: a handler may accept an upgrade (ServerResponse::websocket); the connection then
// carries that session's messages until either side closes it, it idles out, or stop() (which
// closes it with 1001 Going Away, without waiting for the client).
// Event streams: a handler may answer with a ServerResponse::events; the connection then
// carries its Server-Sent Events until it is done, the client goes away, or stop() (which ends
// it at once).
// File bodies are read from disk on the io thread in 64 KiB pieces, one piece per write.
// Every answered request gives one access-log line through callscribe::log():
//   [HTTP {name}] GET /path 200 1234 bytes 2.5 ms
// with the path only: the query string, which may carry tokens, is never logged.
//
// Lifetime: start() once; stop() (also run by the destructor) closes the listener, closes idle
// keep-alive connections at once, lets requests in flight finish (their answers carry
// "Connection: close"), waits at most `stop_timeout` for them, then closes everything and joins
// the threads. A handler that is still running is waited for: it must return. start(), stop() and
// the destructor are called from the owning thread; port() and base_url() from any thread.

#include "core/clock.hpp"
#include "core/result.hpp"
#include "net/server/server_types.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace callscribe::net {

struct ServerSettings {
    std::string host = "127.0.0.1"; // IPv4 or IPv6 literal, or a host name resolved at start()
    std::uint16_t port = 0;         // 0: pick a free port (read it back with port())
    int io_threads = 1;
    int handler_threads = 4; // 0: handlers run on the io threads
    int slow_threads = 8;    // for deferred answers (at least 1); they mostly wait
    std::size_t slow_queue = 16;
    std::size_t header_limit = 16 * 1024;
    std::size_t body_limit = 1024 * 1024;
    Seconds header_timeout{10};
    Seconds body_timeout{30};
    Seconds idle_timeout{60};
    Seconds write_timeout{30};
    Seconds stop_timeout{10};
    // Connections open at once; one over it is answered 503 (Retry-After: 1) and closed, with
    // one warning a minute. 0: the descriptor limit (RLIMIT_NOFILE) less 128.
    std::size_t max_connections = 0;
    // WebSocket connections (ServerResponse::websocket): the largest message taken, how long
    // a client may stay silent, and how long the opening and closing handshakes may take.
    std::size_t websocket_message_limit = 64 * 1024;
    Seconds websocket_idle_timeout{30};
    Seconds websocket_handshake_timeout{5};
    // Event streams (ServerResponse::events): how often next() is called when nothing woke it
    // (it may learn of changes that no wake() announces, e.g. made by another process), and
    // how long a stream may stay silent before a comment line keeps it open.
    Seconds event_poll_interval{5};
    Seconds event_keepalive_interval{15};
    std::string name = "http"; // names the server in its log lines
};

class HttpServer {
  public:
    using Handler = std::function<ServerResponse(const ServerRequest&)>;

    HttpServer(ServerSettings settings, Handler handler);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds and starts serving. Fails (not retryable) naming the address when it cannot resolve,
    // bind or listen, e.g. "cannot listen on 127.0.0.1:8081: Address already in use".
    Result<void> start();
    // Graceful; idempotent. See the top of this file.
    void stop();

    // The bound port (the picked one when settings.port was 0); 0 before start().
    std::uint16_t port() const;
    // "http://127.0.0.1:{port}" or "http://[::1]:{port}", from the settings' host.
    std::string base_url() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace callscribe::net
