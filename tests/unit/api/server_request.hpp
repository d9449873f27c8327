#pragma once
// Requests for route tests, shaped as the HttpServer hands them to a handler.
#include "net/server/server_types.hpp"

#include <string>

namespace callscribe::api::test {

// `target` is path and raw query; the path and the decoded query are split from it.
net::ServerRequest make_request(std::string method, std::string target, std::string body = {},
                                net::ServerHeaders headers = {});

} // namespace callscribe::api::test
