#pragma once
// What a connection of HttpServer sends: a handler's answer with its file body, if any, opened
// and measured. Internal to the server (http_server.cpp).

#include "net/server/server_types.hpp"

#include <boost/beast/core/file.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace callscribe::net {

struct Reply {
    ServerResponse response{};
    std::optional<boost::beast::file> file{};
    std::uint64_t offset = 0;
    std::uint64_t length = 0; // of the file range, when there is a file
};

// Opens the file body of `reply.response`, if it has one, and checks its range (adding
// Content-Range to a 206 that lacks it). On failure, says why and leaves `reply` unchanged.
std::optional<std::string> open_file_body(Reply& reply);

} // namespace callscribe::net
