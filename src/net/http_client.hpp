#pragma once
// Port: HTTP requests. An HTTP status is data (a 404 is a response); a transport failure
// (refused connection, timeout, TLS, reset) is an Error, retryable.
//
// An HttpClient may be shared between threads: each call is independent. Credentials in
// `basic_auth` go to the request's own host only, never to a host reached by redirect.

#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/secret.hpp"

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace callscribe::net {

using Headers = std::vector<std::pair<std::string, std::string>>;

// The structs below give every member an initializer so that designated initializers may name
// only the members they set (GCC's -Wmissing-field-initializers asks for it).

struct BasicAuth {
    std::string user{};
    Secret password{};
};

// One part of a multipart/form-data body: a field (`value`) or a file streamed from disk.
struct FormPart {
    std::string name{};
    std::string value{};
    std::optional<std::filesystem::path> file{};
    std::string filename{};     // defaults to the file's name
    std::string content_type{}; // defaults to application/octet-stream for files
};

struct HttpRequest {
    std::string method = "GET";
    std::string url{};
    Headers headers{};
    std::string body{};
    std::vector<FormPart> form{}; // when non-empty, sent as multipart/form-data instead of body
    std::optional<BasicAuth> basic_auth{};
    std::optional<Secret> bearer_token{};
    Seconds timeout{30};
    Seconds connect_timeout{10};
    // When > 0: give up once no byte has arrived for this long (a stalled body), whatever is
    // left of `timeout`.
    Seconds stall_timeout{0};
    bool follow_redirects = true;
};

struct HttpResponse {
    int status = 0;
    Headers headers{}; // names lower-cased
    std::string body{};
    std::string effective_url{}; // after redirects

    // The first header named `name` (compared case-insensitively), if any.
    std::optional<std::string> header(std::string_view name) const;
};

// `url` without user info, query or fragment: what may appear in a log line or an Error.
std::string redact_url(std::string_view url);

// Receives a downloaded body chunk by chunk; an error stops the transfer.
class ByteSink {
  public:
    virtual ~ByteSink() = default;
    virtual Result<void> write(std::span<const char> bytes) = 0;
};

class HttpClient {
  public:
    virtual ~HttpClient() = default;
    virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
    // Like send(), but a 2xx body goes to `sink` instead of the response.
    virtual Result<HttpResponse> download(const HttpRequest& request, ByteSink& sink) = 0;
};

} // namespace callscribe::net
