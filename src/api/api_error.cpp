#include "api/api_error.hpp"

#include "core/log.hpp"

namespace callscribe::api {

net::ServerResponse json_response(int status, const nlohmann::ordered_json& body) {
    return net::ServerResponse::json(
        status, body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

net::ServerResponse error_response(int status, std::string_view message,
                                   net::ServerHeaders headers) {
    auto response = json_response(status, nlohmann::ordered_json{{"error", message}});
    for (auto& header : headers)
        response.headers.push_back(std::move(header));
    return response;
}

void throw_store_error(const Error& error, std::string_view what) {
    log().error("[API] {} failed: {}", what, error.message);
    if (error.retryable) throw ApiError(503, "the database is busy; try again");
    throw ApiError(500, "the database failed; the service log says why");
}

} // namespace callscribe::api
