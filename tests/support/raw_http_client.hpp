#pragma once
// A client that writes raw bytes to a server on a loopback address, so that it can also be slow
// or wrong on purpose. Every read has its own upper bound: a server that misbehaves fails the
// test instead of hanging it.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace callscribe::test_support {

class RawClient {
  public:
    explicit RawClient(std::uint16_t port, std::string host = "127.0.0.1");

    void send(std::string_view bytes);

    // The next response, or nothing when the connection closed or `limit` passed first.
    std::optional<boost::beast::http::response<boost::beast::http::string_body>>
    read_response(std::chrono::milliseconds limit = std::chrono::seconds(5));

    // The bytes up to and including the next `text`, or nothing when the connection closed or
    // `limit` passed first.
    std::optional<std::string>
    read_until(std::string_view text, std::chrono::milliseconds limit = std::chrono::seconds(5));

    // The next chunk of a chunked body whose data holds no "\r\n" (Server-Sent Events): its
    // data, "" for the last chunk; nothing when the connection closed or `limit` passed first.
    std::optional<std::string>
    read_chunk(std::chrono::milliseconds limit = std::chrono::seconds(5));

    // Reads until the server closes the connection; false when `limit` passed first.
    bool closed_within(std::chrono::milliseconds limit);

    void close();

  private:
    // Bytes that arrived within `limit`; an empty string at end of stream (or a reset); nothing
    // on timeout.
    std::optional<std::string> receive(std::chrono::milliseconds limit);

    boost::asio::io_context m_io;
    boost::asio::ip::tcp::socket m_socket;
    std::string m_pending;
};

} // namespace callscribe::test_support
