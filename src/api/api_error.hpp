#pragma once
// How a handler refuses a request: it throws ApiError{status, message}; the Router turns it
// into {"error": message} with that status, in one place. Also the JSON answers every route
// shares.
//
// Pure; thread-safe.
#include "core/result.hpp"
#include "net/server/server_types.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace callscribe::api {

class ApiError : public std::runtime_error {
  public:
    ApiError(int status, const std::string& message, net::ServerHeaders headers = {})
        : std::runtime_error(message), m_status(status), m_headers(std::move(headers)) {}

    int status() const { return m_status; }
    // Sent with the answer, e.g. WWW-Authenticate with a 401 or Content-Range with a 416.
    const net::ServerHeaders& headers() const { return m_headers; }

  private:
    int m_status;
    net::ServerHeaders m_headers;
};

// `body` as application/json; bytes that are not UTF-8 (a transcript from a service) are
// replaced rather than failing the answer.
net::ServerResponse json_response(int status, const nlohmann::ordered_json& body);

// {"error": message}.
net::ServerResponse error_response(int status, std::string_view message,
                                   net::ServerHeaders headers = {});

// The value of a Store call, or ApiError 503 (the database is busy or unreachable: try again)
// or 500, logged with `what` was being done.
template <class T> T stored(Result<T> result, std::string_view what);

[[noreturn]] void throw_store_error(const Error& error, std::string_view what);

template <class T> T stored(Result<T> result, std::string_view what) {
    if (!result) throw_store_error(result.error(), what);
    return std::move(*result);
}

} // namespace callscribe::api
