#include "unit/api/server_request.hpp"

namespace callscribe::api::test {

net::ServerRequest make_request(std::string method, std::string target, std::string body,
                                net::ServerHeaders headers) {
    net::ServerRequest request;
    request.method = std::move(method);
    request.target = target;
    const auto question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos) request.query = net::parse_form(target.substr(question + 1));
    request.headers = std::move(headers);
    request.body = std::move(body);
    request.remote_address = "127.0.0.1";
    return request;
}

} // namespace callscribe::api::test
