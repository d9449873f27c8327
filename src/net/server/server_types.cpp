#include "net/server/server_types.hpp"

#include "core/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace callscribe::net {
namespace {

ServerResponse with_type(int status, std::string body, std::string type) {
    return ServerResponse{
        .status = status, .headers = {{"Content-Type", std::move(type)}}, .body = std::move(body)};
}

} // namespace

std::optional<std::string> ServerRequest::header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers) {
        if (name == lower_name) return value;
    }
    return std::nullopt;
}

std::optional<std::string> ServerRequest::query_param(std::string_view name) const {
    for (const auto& [key, value] : query) {
        if (key == name) return value;
    }
    return std::nullopt;
}

ServerResponse ServerResponse::text(int status, std::string body) {
    return with_type(status, std::move(body), "text/plain; charset=utf-8");
}

ServerResponse ServerResponse::json(int status, std::string body) {
    return with_type(status, std::move(body), "application/json");
}

ServerResponse ServerResponse::redirect(int status, std::string location) {
    return ServerResponse{.status = status, .headers = {{"Location", std::move(location)}}};
}

ServerResponse ServerResponse::defer(std::function<ServerResponse()> work) {
    return ServerResponse{.deferred = std::move(work)};
}

std::optional<std::string> ServerResponse::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (ascii_iequals(key, name)) return value;
    }
    return std::nullopt;
}

Result<ListenAddress> parse_listen_address(std::string_view text) {
    const auto bad = [&](std::string_view why) {
        return fail(fmt::format("listen address \"{}\": {}", text, why));
    };
    std::string_view host, port;
    if (text.starts_with('[')) {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return bad("expected [IPv6]:port");
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) return bad("expected host:port");
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.find(':') != std::string_view::npos) return bad("an IPv6 host goes in brackets");
    }
    if (host.empty()) return bad("no host");
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535)
        return bad("the port is not a number from 0 to 65535");
    return ListenAddress{std::string(host), static_cast<std::uint16_t>(value)};
}

std::string host_port(std::string_view host, std::uint16_t port) {
    if (host.find(':') != std::string_view::npos) return fmt::format("[{}]:{}", host, port);
    return fmt::format("{}:{}", host, port);
}

} // namespace callscribe::net
