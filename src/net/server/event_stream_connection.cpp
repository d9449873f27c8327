#include "net/server/event_stream_connection.hpp"

#include "core/text.hpp"
#include "net/server/beast_request.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <fmt/format.h>

#include <array>
#include <exception>
#include <memory>
#include <optional>

namespace callscribe::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {

// What wakes the stream's loop, touched on the stream's executor only. Shared with the wake
// function handed to the EventStream and with the read that watches for the client leaving,
// either of which may outlive the loop.
struct Signal {
    explicit Signal(const asio::any_io_executor& executor) : timer(executor) {}
    asio::steady_timer timer;
    bool woken = true;               // next() is due
    std::optional<std::string> over; // why the stream must end now
    std::array<char, 256> read_buffer{};

    void end(std::string why) {
        if (!over) over = std::move(why);
        timer.cancel();
    }
};

http::response<http::empty_body> event_stream_header(unsigned version,
                                                     const ServerResponse& response) {
    http::response<http::empty_body> header;
    header.version(version);
    header.result(static_cast<unsigned>(response.status));
    bool typed = false;
    for (const auto& [name, value] : response.headers) {
        const auto key = ascii_lower(name);
        if (key == "content-length" || key == "transfer-encoding" || key == "connection") continue;
        typed = typed || key == "content-type";
        header.insert(name, value);
    }
    if (!typed) header.set(http::field::content_type, "text/event-stream; charset=utf-8");
    header.set(http::field::cache_control, "no-store");
    header.set("X-Accel-Buffering", "no"); // nginx would hold events back in its buffer
    // Chunks, so that the end of the stream is the end of the body and not a closed connection
    // that a browser may take for a broken one (HTTP/1.0 has no chunks: its body ends so).
    if (version >= 11) header.chunked(true);
    header.keep_alive(false);
    return header;
}

} // namespace

asio::awaitable<EventStreamEnd>
run_event_stream(beast::tcp_stream& stream, unsigned version, const ServerResponse& response,
                 bool head_only, asio::any_io_executor handlers, const EventStreamLimits& limits,
                 std::function<void()>& on_stop, const std::atomic<bool>& server_stopping) {
    EventStreamEnd result;
    error_code ec;
    auto token = asio::redirect_error(asio::use_awaitable, ec);
    auto header = event_stream_header(version, response);
    stream.expires_after(to_steady(limits.write_timeout));
    // The header alone: written whole, an empty chunked body would end at once.
    http::response_serializer<http::empty_body> serializer(header);
    co_await http::async_write_header(stream, serializer, token);
    if (ec || head_only) {
        result.why = ec ? "the client went away" : "done";
        co_return result;
    }

    EventStream& events = *response.events;
    const auto executor = stream.get_executor();
    auto signal = std::make_shared<Signal>(executor);
    const std::weak_ptr<Signal> weak = signal;
    on_stop = [signal] { signal->end("the server is stopping"); };
    if (server_stopping) on_stop();
    // A client of an event stream sends nothing more: data or the end of its side means it
    // left (or broke the protocol). Either way the stream ends without waiting for a write to
    // fail.
    stream.socket().async_read_some(
        asio::buffer(signal->read_buffer),
        [signal](error_code, std::size_t) { signal->end("the client went away"); });
    const auto run_next = [&events]() -> asio::awaitable<EventStream::Events> {
        co_return events.next();
    };
    events.start([weak, executor] {
        asio::post(executor, [weak] {
            if (const auto s = weak.lock()) {
                s->woken = true;
                s->timer.cancel();
            }
        });
    });

    auto last_write = std::chrono::steady_clock::now();
    while (!signal->over) {
        if (!signal->woken) {
            signal->timer.expires_after(to_steady(limits.poll_interval));
            co_await signal->timer.async_wait(token);
            if (signal->over) break;
        }
        signal->woken = false;
        EventStream::Events got;
        try {
            got = co_await asio::co_spawn(handlers, run_next, asio::use_awaitable);
        } catch (const std::exception& e) {
            result.failed = true;
            signal->end(fmt::format("failed: {}", e.what()));
            break;
        }
        if (signal->over) break;
        std::string out = std::move(got.text);
        const auto now = std::chrono::steady_clock::now();
        if (out.empty() && now - last_write >= to_steady(limits.keepalive_interval))
            out = ": keep-alive\n\n";
        if (!out.empty()) {
            stream.expires_after(to_steady(limits.write_timeout));
            if (version >= 11)
                co_await asio::async_write(stream, http::make_chunk(asio::buffer(out)), token);
            else
                co_await asio::async_write(stream, asio::buffer(out), token);
            if (ec) {
                signal->end("the client went away");
                break;
            }
            result.bytes += out.size();
            last_write = now;
        }
        if (got.done) {
            signal->end("done");
            // The last chunk: the body is whole.
            if (version >= 11) {
                stream.expires_after(to_steady(limits.write_timeout));
                co_await asio::async_write(stream, http::make_chunk_last(), token);
            }
        }
    }
    on_stop = nullptr;
    events.end();
    result.why = *signal->over;
    co_return result;
}

} // namespace callscribe::net
