#include "net/server/http_server.hpp"

#include "core/log.hpp"
#include "core/text.hpp"
#include "net/server/beast_request.hpp"
#include "net/server/connection_limits.hpp"
#include "net/server/event_stream_connection.hpp"
#include "net/server/server_reply.hpp"
#include "net/server/websocket_connection.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <exception>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace callscribe::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using AcceptedSocket =
    asio::basic_stream_socket<tcp, asio::strand<asio::io_context::executor_type>>;
using boost::system::error_code;

namespace {

constexpr std::size_t k_file_chunk = 64 * 1024;
constexpr std::size_t k_first_read = 4096;
constexpr std::chrono::minutes k_warning_interval{1};
constexpr std::chrono::seconds k_linger{2};
ServerResponse error_response(int status, std::string_view message) {
    return ServerResponse::json(status, fmt::format(R"({{"error":"{}"}})", message));
}

// Statuses that never carry a body (RFC 9110 §6.4.1).
bool bodiless(int status) {
    return status < 200 || status == 204 || status == 304;
}

// One accepted socket. `waiting` (touched only on the connection's strand) is true until the
// header of its next request is complete: nothing was promised to the client yet, so stop() may
// close it then (a slow or idle client cannot hold up a shutdown).
struct Connection {
    explicit Connection(beast::tcp_stream stream_) : stream(std::move(stream_)) {}
    beast::tcp_stream stream;
    std::string remote_address;
    bool waiting = true;
    std::function<void()> end_session; // set while the connection is a WebSocket or events
};

} // namespace

struct HttpServer::Impl {
    ServerSettings settings;
    Handler handler;
    // Owned through pointers so that stop() can destroy them in order (acceptor, then the io
    // context with any coroutine frames still in it) while the members below are still alive.
    std::unique_ptr<asio::io_context> io;
    std::optional<tcp::acceptor> acceptor;
    std::unique_ptr<asio::thread_pool> pool;
    std::unique_ptr<asio::thread_pool> slow_pool;
    std::atomic<std::size_t> slow_in_flight{0};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::vector<std::thread> threads;
    std::atomic<std::uint16_t> port{0};
    std::atomic<bool> stopping{false};
    bool started = false;
    bool stopped = false;

    std::mutex mutex;
    std::condition_variable drained;
    std::map<std::uint64_t, std::weak_ptr<Connection>> connections;
    std::uint64_t next_id = 0;

    std::uint64_t add(const std::shared_ptr<Connection>& connection) {
        std::lock_guard lock(mutex);
        connections.emplace(next_id, connection);
        return next_id++;
    }

    void forget(std::uint64_t id) {
        std::lock_guard lock(mutex);
        connections.erase(id);
        --open;
        if (connections.empty()) drained.notify_all();
    }

    // Connections open at once (settings.max_connections, or the descriptor limit less a
    // reserve for the database, recordings and outgoing requests).
    std::size_t connection_cap = 0;
    std::atomic<std::size_t> open{0};
    // One warning a minute at most for refused connections and failed accepts (each is a flood).
    WarningThrottle refused_warning{k_warning_interval};
    WarningThrottle accept_warning{k_warning_interval};

    void refuse_over_cap(AcceptedSocket& socket);

    asio::awaitable<void> accept_loop();
    asio::awaitable<void> serve(std::shared_ptr<Connection> connection);
    asio::awaitable<Reply> call_handler(const ServerRequest& request);
    asio::awaitable<Reply> call_deferred(const ServerRequest& request,
                                         std::function<ServerResponse()> work);
    // The answer of `work`, or 500 when it throws.
    ServerResponse guarded(const ServerRequest& request,
                           const std::function<ServerResponse()>& work) const;
    // Checks the answer's status and opens its file, if any.
    Reply finish(const ServerRequest& request, ServerResponse response) const;
    asio::awaitable<std::uint64_t> send(Connection& connection, Reply& reply, unsigned version,
                                        bool keep_alive, bool head);
    void access_log(std::string_view method, std::string_view path, int status, std::uint64_t bytes,
                    std::chrono::steady_clock::time_point began) const;
};

asio::awaitable<void> HttpServer::Impl::accept_loop() {
    for (;;) {
        error_code ec;
        auto socket = co_await acceptor->async_accept(
            asio::make_strand(*io), asio::redirect_error(asio::use_awaitable, ec));
        if (stopping) co_return;
        if (ec) {
            if (ec == asio::error::operation_aborted) co_return;
            // Out of file descriptors and the like: wait a little instead of spinning.
            if (const auto failures = accept_warning.count(std::chrono::steady_clock::now())) {
                log().warn("[HTTP {}] accept failed {} time(s) in the last minute: {}",
                           settings.name, *failures, ec.message());
            }
            asio::steady_timer pause(acceptor->get_executor(), std::chrono::milliseconds(50));
            co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
        }
        if (open >= connection_cap) {
            refuse_over_cap(socket);
            continue;
        }
        ++open;
        // A response goes out in at most a few writes; without TCP_NODELAY the second one
        // waits for the client's delayed ACK (40 ms on Linux) on every keep-alive request.
        socket.set_option(tcp::no_delay(true), ec);
        auto connection = std::make_shared<Connection>(beast::tcp_stream(std::move(socket)));
        const auto remote = connection->stream.socket().remote_endpoint(ec);
        if (!ec) connection->remote_address = remote.address().to_string();
        asio::co_spawn(connection->stream.get_executor(), serve(connection), asio::detached);
    }
}

void HttpServer::Impl::refuse_over_cap(AcceptedSocket& socket) {
    // A fresh socket's send buffer is empty: this short write completes at once, without a
    // coroutine or a descriptor held any longer.
    static const std::string k_busy = [] {
        const std::string body = R"({"error":"too many connections, try again"})";
        return fmt::format("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json"
                           "\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: {}"
                           "\r\n\r\n{}",
                           body.size(), body);
    }();
    error_code ec;
    socket.non_blocking(true, ec);
    socket.write_some(asio::buffer(k_busy), ec);
    socket.shutdown(tcp::socket::shutdown_send, ec);
    socket.close(ec);
    if (const auto refused = refused_warning.count(std::chrono::steady_clock::now())) {
        log().warn("[HTTP {}] {} connections open, the cap: new ones are answered 503 until some "
                   "close ({} refused since the last such warning; raise "
                   "CALLSCRIBE_MAX_CONNECTIONS or ulimit -n)",
                   settings.name, connection_cap, *refused);
    }
}

ServerResponse HttpServer::Impl::guarded(const ServerRequest& request,
                                         const std::function<ServerResponse()>& work) const {
    try {
        return work();
    } catch (const std::exception& e) {
        log().error("[HTTP {}] handler failed on {} {}: {}", settings.name, request.method,
                    request.path, e.what());
    } catch (...) {
        log().error("[HTTP {}] handler failed on {} {}: unknown exception", settings.name,
                    request.method, request.path);
    }
    return error_response(500, "internal server error");
}

Reply HttpServer::Impl::finish(const ServerRequest& request, ServerResponse response) const {
    Reply reply;
    reply.response = std::move(response);
    if (reply.response.status < 100 || reply.response.status > 599) {
        log().error("[HTTP {}] handler answered {} {} with status {}", settings.name,
                    request.method, request.path, reply.response.status);
        reply.response = error_response(500, "internal server error");
    }
    if (!reply.response.file) return reply;

    // Opened here, on the handler's thread, so that the io threads never wait for a slow disk to
    // open a file; only the reads happen there.
    const auto failure = open_file_body(reply);
    if (!failure) return reply;
    const FileBody& body = *reply.response.file;
    log().error("[HTTP {}] cannot send {} (bytes {}+{}) for {} {}: {}", settings.name,
                body.path.string(), body.offset,
                body.length ? std::to_string(*body.length) : std::string("rest"), request.method,
                request.path, *failure);
    reply = Reply{};
    reply.response = error_response(500, "internal server error");
    return reply;
}

asio::awaitable<Reply> HttpServer::Impl::call_handler(const ServerRequest& request) {
    // A deferred answer comes back unopened: call_deferred() finishes it on the slow pool.
    const auto handle = [this, &request] {
        Reply reply;
        reply.response = guarded(request, [&] { return handler(request); });
        if (reply.response.deferred) return reply;
        return finish(request, std::move(reply.response));
    };
    Reply reply;
    if (!pool) {
        reply = handle();
    } else {
        // Runs on the pool; the awaiting coroutine resumes on its connection's strand.
        reply = co_await asio::co_spawn(
            pool->get_executor(), [&]() -> asio::awaitable<Reply> { co_return handle(); },
            asio::use_awaitable);
    }
    if (!reply.response.deferred) co_return reply;
    co_return co_await call_deferred(request, std::move(reply.response.deferred));
}

asio::awaitable<Reply> HttpServer::Impl::call_deferred(const ServerRequest& request,
                                                       std::function<ServerResponse()> work) {
    if (slow_in_flight.fetch_add(1) >=
        static_cast<std::size_t>(settings.slow_threads) + settings.slow_queue) {
        --slow_in_flight;
        Reply busy;
        busy.response = error_response(503, "busy with slow requests, try again shortly");
        busy.response.headers.emplace_back("Retry-After", "5");
        co_return busy;
    }
    Reply reply = co_await asio::co_spawn(
        slow_pool->get_executor(),
        [&]() -> asio::awaitable<Reply> { co_return finish(request, guarded(request, work)); },
        asio::use_awaitable);
    --slow_in_flight;
    co_return reply;
}

asio::awaitable<std::uint64_t> HttpServer::Impl::send(Connection& connection, Reply& reply,
                                                      unsigned version, bool keep_alive,
                                                      bool head) {
    const ServerResponse& response = reply.response;
    http::response_header<> header;
    header.version(version);
    header.result(static_cast<unsigned>(response.status));
    for (const auto& [name, value] : response.headers) {
        const auto key = ascii_lower(name);
        if (key == "content-length" || key == "transfer-encoding" || key == "connection") continue;
        header.insert(name, value);
    }
    const bool no_body = bodiless(response.status);
    const std::uint64_t length = no_body      ? 0
                                 : reply.file ? reply.length
                                              : static_cast<std::uint64_t>(response.body.size());
    const bool body_follows = !head && !no_body && length > 0;

    error_code ec;
    auto token = asio::redirect_error(asio::use_awaitable, ec);
    connection.stream.expires_after(to_steady(settings.write_timeout));
    if (!reply.file && body_follows) {
        // Header and body in one gathered write, the body not copied.
        http::response<http::span_body<const char>> message(
            std::move(header), beast::span<const char>(response.body.data(), response.body.size()));
        message.content_length(length);
        message.keep_alive(keep_alive);
        co_await http::async_write(connection.stream, message, token);
        co_return ec ? 0 : length;
    }
    http::response<http::empty_body> message(std::move(header));
    if (!no_body) message.content_length(length);
    message.keep_alive(keep_alive);
    http::response_serializer<http::empty_body> serializer(message);
    co_await http::async_write_header(connection.stream, serializer, token);
    if (ec || !body_follows) co_return 0;

    std::uint64_t sent = 0;
    std::vector<char> chunk(
        static_cast<std::size_t>(std::min<std::uint64_t>(k_file_chunk, length)));
    while (sent < length) {
        const auto want =
            static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), length - sent));
        const std::size_t got = reply.file->read(chunk.data(), want, ec);
        if (ec || got == 0) {
            // The header promised more: the only honest thing left is to close the connection.
            log().error("[HTTP {}] reading {} failed after {} bytes: {}", settings.name,
                        response.file->path.string(), sent,
                        ec ? ec.message() : "the file got shorter");
            connection.stream.socket().close(ec);
            co_return sent;
        }
        connection.stream.expires_after(to_steady(settings.write_timeout));
        const std::size_t wrote =
            co_await asio::async_write(connection.stream, asio::buffer(chunk.data(), got), token);
        sent += wrote;
        if (ec) co_return sent;
    }
    co_return sent;
}

void HttpServer::Impl::access_log(std::string_view method, std::string_view path, int status,
                                  std::uint64_t bytes,
                                  std::chrono::steady_clock::time_point began) const {
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - began;
    log().info("[HTTP {}] {} {} {} {} bytes {:.1f} ms", settings.name, method, path, status, bytes,
               took.count());
}

asio::awaitable<void> HttpServer::Impl::serve(std::shared_ptr<Connection> connection) {
    const std::uint64_t id = add(connection);
    struct Forget {
        Impl* impl;
        std::uint64_t id;
        ~Forget() { impl->forget(id); }
    } forget_on_exit{this, id};

    auto& stream = connection->stream;
    error_code ec;
    auto token = asio::redirect_error(asio::use_awaitable, ec);
    beast::flat_buffer buffer;
    bool first = true;
    bool linger = false; // a request body was refused while it may still be arriving

    // Answers a request the server refuses by itself, then the connection closes.
    auto refuse = [&](int status, std::string_view message, std::string_view method,
                      std::string_view path,
                      std::chrono::steady_clock::time_point began) -> asio::awaitable<void> {
        Reply reply;
        reply.response = error_response(status, message);
        const auto bytes = co_await send(*connection, reply, 11, false, false);
        access_log(method, path, status, bytes, began);
    };

    while (!stopping) {
        // Wait for the first byte of a request: the client has `header_timeout` for the first
        // request on a connection and `idle_timeout` between keep-alive requests.
        if (buffer.size() == 0) {
            connection->waiting = true;
            stream.expires_after(
                to_steady(first ? settings.header_timeout : settings.idle_timeout));
            const std::size_t n =
                co_await stream.async_read_some(buffer.prepare(k_first_read), token);
            if (ec) break;
            buffer.commit(n);
        }
        first = false;
        auto began = std::chrono::steady_clock::now();

        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
            settings.header_limit, std::numeric_limits<std::uint32_t>::max())));
        parser.body_limit(settings.body_limit);
        stream.expires_after(to_steady(settings.header_timeout));
        connection->waiting = true;
        co_await http::async_read_header(stream, buffer, parser, token);
        connection->waiting = false;
        if (ec == http::error::header_limit) {
            co_await refuse(431, "request header fields too large", "-", "-", began);
            break;
        }
        if (ec == http::error::body_limit) {
            co_await refuse(
                413, "request body too large", std::string(parser.get().method_string()),
                std::string(parser.get().target().substr(0, parser.get().target().find('?'))),
                began);
            linger = true;
            break;
        }
        if (ec == beast::error::timeout || ec == http::error::end_of_stream ||
            ec == http::error::partial_message || ec == asio::error::operation_aborted ||
            ec == asio::error::connection_reset || ec == asio::error::eof) {
            log().debug("[HTTP {}] dropped {}: {}", settings.name, connection->remote_address,
                        ec.message());
            break;
        }
        if (ec) {
            co_await refuse(400, "malformed request", "-", "-", began);
            break;
        }

        auto& head = parser.get();
        const std::string method(head.method_string());
        const std::string target(head.target());
        const std::string path = target.substr(0, target.find('?'));
        if (ascii_lower(head[http::field::expect]) == "100-continue") {
            http::response<http::empty_body> go_on{http::status::continue_, head.version()};
            stream.expires_after(to_steady(settings.write_timeout));
            co_await http::async_write(stream, go_on, token);
            if (ec) break;
        }
        stream.expires_after(to_steady(settings.body_timeout));
        co_await http::async_read(stream, buffer, parser, token);
        if (ec == http::error::body_limit) {
            co_await refuse(413, "request body too large", method, path, began);
            linger = true;
            break;
        }
        if (ec == beast::error::timeout || ec == http::error::partial_message ||
            ec == asio::error::connection_reset || ec == asio::error::eof ||
            ec == asio::error::operation_aborted) {
            log().debug("[HTTP {}] dropped {} in a body: {}", settings.name,
                        connection->remote_address, ec.message());
            break;
        }
        if (ec) {
            co_await refuse(400, "malformed request", method, path, began);
            break;
        }
        stream.expires_never();

        auto raw = parser.release();
        ServerRequest request = to_server_request(raw, connection->remote_address);

        Reply reply = co_await call_handler(request);
        if (reply.response.websocket && request.websocket_upgrade) {
            access_log(method, path, 101, 0, began);
            co_await run_websocket(stream, raw, *reply.response.websocket,
                                   {.message_limit = settings.websocket_message_limit,
                                    .idle_timeout = settings.websocket_idle_timeout,
                                    .handshake_timeout = settings.websocket_handshake_timeout},
                                   connection->end_session, stopping);
            break;
        }
        if (reply.response.websocket) {
            log().error("[HTTP {}] handler accepted a WebSocket on {} {}, not an upgrade",
                        settings.name, method, path);
            reply.response = error_response(500, "internal server error");
        }
        if (reply.response.events) {
            const auto end = co_await run_event_stream(
                stream, raw.version(), reply.response, raw.method() == http::verb::head,
                pool ? asio::any_io_executor(pool->get_executor()) : stream.get_executor(),
                {.poll_interval = settings.event_poll_interval,
                 .keepalive_interval = settings.event_keepalive_interval,
                 .write_timeout = settings.write_timeout},
                connection->end_session, stopping);
            if (end.failed)
                log().error("[HTTP {}] event stream of {} {} {}", settings.name, method, path,
                            end.why);
            access_log(method, path, reply.response.status, end.bytes, began);
            break;
        }
        const bool handler_closes =
            ascii_lower(reply.response.header("connection").value_or("")) == "close";
        const bool keep_alive = raw.keep_alive() && !handler_closes && !stopping;
        const auto bytes = co_await send(*connection, reply, raw.version(), keep_alive,
                                         raw.method() == http::verb::head);
        access_log(method, path, reply.response.status, bytes, began);
        if (ec || !keep_alive || !stream.socket().is_open()) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (linger) {
        // The client may still be sending the body we refused: closing now would reset the
        // connection and could destroy our answer before it reads it. Read and drop what comes
        // for a moment (as web servers' "lingering close" does), then close.
        stream.expires_after(k_linger);
        std::array<char, 16 * 1024> drain;
        ec = {};
        while (!ec)
            co_await stream.async_read_some(asio::buffer(drain), token);
    }
    stream.socket().close(ec);
}

HttpServer::HttpServer(ServerSettings settings, Handler handler)
    : m_impl(std::make_unique<Impl>()) {
    CALLSCRIBE_ASSERT(settings.io_threads >= 1 && settings.handler_threads >= 0);
    CALLSCRIBE_ASSERT(handler);
    m_impl->settings = std::move(settings);
    m_impl->handler = std::move(handler);
}

HttpServer::~HttpServer() {
    stop();
}

Result<void> HttpServer::start() {
    Impl& impl = *m_impl;
    CALLSCRIBE_ASSERT(!impl.started);
    const auto& s = impl.settings;
    const std::string where = host_port(s.host, s.port);
    impl.io = std::make_unique<asio::io_context>(s.io_threads);

    error_code ec;
    tcp::endpoint endpoint;
    if (auto address = asio::ip::make_address(s.host, ec); !ec) {
        endpoint = tcp::endpoint(address, s.port);
    } else {
        tcp::resolver resolver(*impl.io);
        auto results = resolver.resolve(s.host, std::to_string(s.port), ec);
        if (ec || results.empty()) {
            return fail(fmt::format("cannot listen on {}: cannot resolve the host: {}", where,
                                    ec ? ec.message() : "no address"));
        }
        endpoint = results.begin()->endpoint();
    }
    impl.acceptor.emplace(asio::make_strand(*impl.io));
    auto& acceptor = *impl.acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (!ec) impl.port = acceptor.local_endpoint(ec).port();
    if (ec) {
        impl.acceptor.reset();
        impl.io.reset();
        return fail(fmt::format("cannot listen on {}: {}", where, ec.message()));
    }

    impl.started = true;
    impl.connection_cap = s.max_connections > 0 ? s.max_connections : default_connection_cap();
    if (s.handler_threads > 0)
        impl.pool =
            std::make_unique<asio::thread_pool>(static_cast<std::size_t>(s.handler_threads));
    impl.slow_pool =
        std::make_unique<asio::thread_pool>(static_cast<std::size_t>(std::max(1, s.slow_threads)));
    impl.work.emplace(impl.io->get_executor());
    asio::co_spawn(acceptor.get_executor(), impl.accept_loop(), asio::detached);
    for (int i = 0; i < s.io_threads; ++i)
        impl.threads.emplace_back([io = impl.io.get()] { io->run(); });
    log().debug("[HTTP {}] listening on {}", s.name, host_port(s.host, impl.port));
    return {};
}

void HttpServer::stop() {
    Impl& impl = *m_impl;
    if (!impl.started || impl.stopped) return;
    impl.stopped = true;
    impl.stopping = true;

    asio::post(impl.acceptor->get_executor(), [&impl] {
        error_code ignored;
        impl.acceptor->close(ignored);
    });
    {
        std::unique_lock lock(impl.mutex);
        for (const auto& [id, weak] : impl.connections) {
            if (auto connection = weak.lock()) {
                asio::post(connection->stream.get_executor(), [connection] {
                    if (connection->waiting) connection->stream.cancel();
                    if (connection->end_session) connection->end_session();
                });
            }
        }
        impl.drained.wait_for(lock, impl.settings.stop_timeout,
                              [&impl] { return impl.connections.empty(); });
        if (!impl.connections.empty()) {
            log().warn("[HTTP {}] stopping with {} connection(s) still busy after {:.1f} s",
                       impl.settings.name, impl.connections.size(),
                       impl.settings.stop_timeout.count());
        }
    }
    impl.work.reset();
    impl.io->stop();
    for (auto& thread : impl.threads)
        thread.join();
    impl.threads.clear();
    if (impl.pool) {
        impl.pool->join();
        impl.pool.reset();
    }
    impl.slow_pool->join();
    impl.slow_pool.reset();
    // Destroys the coroutine frames still parked in the io context (and their connections).
    impl.acceptor.reset();
    impl.io.reset();
}

std::uint16_t HttpServer::port() const {
    return m_impl->port;
}

std::string HttpServer::base_url() const {
    return "http://" + host_port(m_impl->settings.host, port());
}

} // namespace callscribe::net
