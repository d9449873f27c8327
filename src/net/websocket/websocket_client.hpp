#pragma once
// A WebSocket client over plain TCP (Boost.Beast, blocking): how the sandbox plays a Twilio Media
// Stream to a service, as Twilio connects to `<Stream url="wss://…">`. ws:// only: the sandbox
// talks to services on this machine. Every wait is bounded by the timeout given at connect.
// Not thread-safe; one connection per client.
#include "core/result.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace callscribe::net {

struct WebSocketUrl {
    std::string host;
    std::string port;   // "80" when the URL gives none
    std::string target; // path and query, "/" at least
};

// ws://host[:port][/path][?query]; anything else fails, naming the URL.
Result<WebSocketUrl> parse_websocket_url(std::string_view url);

class WebSocketClient {
  public:
    // Connects and upgrades, with `headers` on the upgrade request. An upgrade the server
    // answers with a status is an error whose message starts "refused {status}".
    static Result<WebSocketClient>
    connect(std::string_view url, const std::vector<std::pair<std::string, std::string>>& headers,
            std::chrono::milliseconds timeout);

    WebSocketClient(WebSocketClient&&) noexcept;
    WebSocketClient& operator=(WebSocketClient&&) noexcept;
    ~WebSocketClient();

    // One text message. Fails once the connection is gone (the server closed it, say).
    Result<void> send(std::string_view text);

    // Ends the connection: sends a close (1000) unless the server closed first, and reads until
    // the server's close. Returns the code the server closed with (1000 for a normal end).
    Result<std::uint16_t> close();

  private:
    struct Impl;
    explicit WebSocketClient(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace callscribe::net
