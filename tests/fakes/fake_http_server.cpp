#include "fakes/fake_http_server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>
#include <exception>
#include <mutex>
#include <thread>

namespace callscribe::fakes {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::ranges::transform(out, out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

} // namespace

std::optional<std::string> FakeRequest::header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers) {
        if (name == lower_name) return value;
    }
    return std::nullopt;
}

FakeResponse FakeResponse::text(int status, std::string body) {
    return FakeResponse{status, {{"Content-Type", "text/plain"}}, std::move(body)};
}

FakeResponse FakeResponse::json(int status, std::string body) {
    return FakeResponse{status, {{"Content-Type", "application/json"}}, std::move(body)};
}

FakeResponse FakeResponse::redirect(int status, std::string location) {
    return FakeResponse{status, {{"Location", std::move(location)}}, {}};
}

struct FakeHttpServer::Impl {
    asio::io_context io;
    tcp::acceptor acceptor{io};
    std::thread thread;
    std::uint16_t port = 0;
    mutable std::mutex mutex;
    Handler handler;
    std::vector<FakeRequest> received;

    asio::awaitable<void> accept_loop() {
        for (;;) {
            boost::system::error_code ec;
            tcp::socket socket =
                co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
            if (ec) co_return;
            asio::co_spawn(io, serve(std::move(socket)), [](std::exception_ptr) {});
        }
    }

    FakeResponse answer(const FakeRequest& request) {
        Handler current;
        {
            std::lock_guard lock(mutex);
            received.push_back(request);
            current = handler;
        }
        if (!current) return FakeResponse::text(404, "no handler");
        try {
            return current(request);
        } catch (const std::exception& e) {
            return FakeResponse::text(500, e.what());
        }
    }

    asio::awaitable<void> serve(tcp::socket socket) {
        boost::system::error_code ec;
        auto token = asio::redirect_error(asio::use_awaitable, ec);
        beast::flat_buffer buffer;
        http::request_parser<http::string_body> parser;
        parser.body_limit(k_body_limit);

        co_await http::async_read_header(socket, buffer, parser, token);
        if (ec) co_return;
        if (lower(parser.get()[http::field::expect]) == "100-continue") {
            http::response<http::empty_body> go_on{http::status::continue_, 11};
            co_await http::async_write(socket, go_on, token);
            if (ec) co_return;
        }
        co_await http::async_read(socket, buffer, parser, token);
        if (ec) co_return;

        auto& raw = parser.get();
        FakeRequest request;
        request.method = std::string(raw.method_string());
        request.target = std::string(raw.target());
        for (const auto& field : raw) {
            request.headers.emplace_back(lower(field.name_string()), std::string(field.value()));
        }
        request.body = std::move(raw.body());

        const FakeResponse reply = answer(request);
        if (reply.delay.count() > 0) {
            asio::steady_timer timer(socket.get_executor(), reply.delay);
            co_await timer.async_wait(token);
        }
        if (reply.close_without_answer) {
            socket.shutdown(tcp::socket::shutdown_both, ec);
            socket.close(ec);
            co_return;
        }

        http::response<http::string_body> response;
        response.version(11);
        response.result(static_cast<unsigned>(reply.status));
        for (const auto& [name, value] : reply.headers)
            response.insert(name, value);
        response.keep_alive(false);
        response.body() = reply.body;
        response.prepare_payload();
        if (reply.cut_body_at) {
            http::response_serializer<http::string_body> serializer(response);
            co_await http::async_write_header(socket, serializer, token);
            const std::size_t sent = std::min(*reply.cut_body_at, reply.body.size());
            if (!ec)
                co_await asio::async_write(socket, asio::buffer(reply.body.data(), sent), token);
            asio::steady_timer pause(socket.get_executor(), reply.cut_pause);
            co_await pause.async_wait(token);
            socket.close(ec);
            co_return;
        }
        co_await http::async_write(socket, response, token);
        socket.shutdown(tcp::socket::shutdown_send, ec);
    }
};

FakeHttpServer::FakeHttpServer(Handler handler) : m_impl(std::make_unique<Impl>()) {
    m_impl->handler = std::move(handler);
    const tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), 0);
    m_impl->acceptor.open(endpoint.protocol());
    m_impl->acceptor.bind(endpoint);
    m_impl->acceptor.listen();
    m_impl->port = m_impl->acceptor.local_endpoint().port();
    asio::co_spawn(m_impl->io, m_impl->accept_loop(), [](std::exception_ptr) {});
    m_impl->thread = std::thread([impl = m_impl.get()] { impl->io.run(); });
}

FakeHttpServer::~FakeHttpServer() {
    m_impl->io.stop();
    m_impl->thread.join();
}

void FakeHttpServer::set_handler(Handler handler) {
    std::lock_guard lock(m_impl->mutex);
    m_impl->handler = std::move(handler);
}

std::uint16_t FakeHttpServer::port() const {
    return m_impl->port;
}

std::string FakeHttpServer::url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port()) + std::string(path);
}

std::vector<FakeRequest> FakeHttpServer::requests() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->received;
}

std::size_t FakeHttpServer::request_count() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->received.size();
}

std::uint16_t closed_port() {
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0));
    return acceptor.local_endpoint().port();
}

} // namespace callscribe::fakes
