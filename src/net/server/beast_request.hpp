#pragma once
// The ServerRequest a request parsed by Beast becomes: HttpServer's conversion, shared with the
// HTTP fuzz target (fuzz/fuzz_http_request.cpp) so that it routes exactly what the server would.

#include "net/server/server_types.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>
#include <string_view>

namespace callscribe::net {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

// Method, target, path (up to '?'), decoded query, lower-cased header names and the body (moved
// out of `raw`).
ServerRequest to_server_request(BeastRequest& raw, std::string remote_address);

} // namespace callscribe::net
