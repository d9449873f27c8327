#pragma once
// An HTTP/1.1 server for tests: binds 127.0.0.1 on a free port, answers every request through a
// handler on its own thread, and stops (joining the thread) in its destructor.
//
// One request per connection (the answer says "Connection: close"). The handler runs on the
// server's thread, one request at a time, so it needs no locking of its own; what it shares with
// the test (counters, scripts) the test reads after the client call has returned, or under its own
// lock. requests() is thread-safe. A request body may be up to k_body_limit bytes; an
// "Expect: 100-continue" is answered before the body is read.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace callscribe::fakes {

using FakeHeaders = std::vector<std::pair<std::string, std::string>>;

struct FakeRequest {
    std::string method;
    std::string target;  // path and query, as sent
    FakeHeaders headers; // names lower-cased
    std::string body;    // raw bytes

    std::string path() const { return target.substr(0, target.find('?')); }
    // The first header with this name (lower-case), if any.
    std::optional<std::string> header(std::string_view lower_name) const;
};

struct FakeResponse {
    int status = 200;
    FakeHeaders headers;
    std::string body;
    // Wait this long before answering (a timer: the server keeps serving other connections).
    std::chrono::milliseconds delay{0};
    // Close the connection without any answer, after `delay`: a transport failure for the client.
    bool close_without_answer = false;
    // Send the header (Content-Length of the whole body) and only this many bytes of the body,
    // then wait `cut_pause` and close: a truncated body, or with a long pause a stalled one.
    std::optional<std::size_t> cut_body_at{};
    std::chrono::milliseconds cut_pause{0};

    static FakeResponse text(int status, std::string body);
    static FakeResponse json(int status, std::string body);
    static FakeResponse redirect(int status, std::string location);
};

class FakeHttpServer {
  public:
    using Handler = std::function<FakeResponse(const FakeRequest&)>;
    static constexpr std::size_t k_body_limit = 64 * 1024 * 1024;

    // Without a handler every request gets 404. Throws if it cannot bind.
    explicit FakeHttpServer(Handler handler = {});
    ~FakeHttpServer();
    FakeHttpServer(const FakeHttpServer&) = delete;
    FakeHttpServer& operator=(const FakeHttpServer&) = delete;

    // Replaces the handler for the requests that arrive from now on.
    void set_handler(Handler handler);

    std::uint16_t port() const;
    // "http://127.0.0.1:{port}{path}"; `path` starts with '/'.
    std::string url(std::string_view path = "/") const;

    // Every request received so far, in order of arrival (copies).
    std::vector<FakeRequest> requests() const;
    std::size_t request_count() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// A port on 127.0.0.1 that was free a moment ago and has nothing listening on it.
std::uint16_t closed_port();

} // namespace callscribe::fakes
