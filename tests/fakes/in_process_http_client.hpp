#pragma once
// An HttpClient that hands each request to a FakeHttpServer handler in the same thread, without
// a socket: for unit tests of code above the HttpClient port (the offline_stt job) that must run
// in microseconds. The handler sees what a server would (method, path and query, headers with
// lower-case names, Authorization from basic_auth, the body); its FakeResponse becomes the
// HttpResponse, and for download() a 2xx body goes to the sink as curl's adapter does.
//
// What only a socket can do becomes the transport failure it would cause: close_without_answer
// → a retryable error; cut_body_at → the first bytes reach the sink, then a retryable error; a
// `delay` longer than the request's timeout → a timeout. Redirects are returned, not followed.
// Integration tests use the real curl adapter and FakeHttpServer instead.
#include "fakes/fake_http_server.hpp"
#include "net/http_client.hpp"

#include <mutex>
#include <string>
#include <vector>

namespace callscribe::fakes {

class InProcessHttpClient final : public net::HttpClient {
  public:
    explicit InProcessHttpClient(FakeHttpServer::Handler handler);

    Result<net::HttpResponse> send(const net::HttpRequest& request) override;
    Result<net::HttpResponse> download(const net::HttpRequest& request,
                                       net::ByteSink& sink) override;

    // The URLs requested so far, in order.
    std::vector<std::string> urls() const;

  private:
    Result<net::HttpResponse> perform(const net::HttpRequest& request, net::ByteSink* sink);

    FakeHttpServer::Handler m_handler;
    mutable std::mutex m_mutex;
    std::vector<std::string> m_urls;
};

} // namespace callscribe::fakes
