#include "net/server/beast_request.hpp"

#include "core/text.hpp"

#include <boost/beast/websocket/rfc6455.hpp>

#include <algorithm>
#include <cctype>

namespace callscribe::net {

ServerRequest to_server_request(BeastRequest& raw, std::string remote_address) {
    ServerRequest request;
    request.method = std::string(raw.method_string());
    request.target = std::string(raw.target());
    request.path = request.target.substr(0, request.target.find('?'));
    if (const auto q = request.target.find('?'); q != std::string::npos)
        request.query = parse_form(std::string_view(request.target).substr(q + 1));
    for (const auto& field : raw)
        request.headers.emplace_back(ascii_lower(field.name_string()), std::string(field.value()));
    request.websocket_upgrade = boost::beast::websocket::is_upgrade(raw);
    request.body = std::move(raw.body());
    request.remote_address = std::move(remote_address);
    return request;
}

} // namespace callscribe::net
