#pragma once
// An HttpClient that forwards every call to another one and counts the answers by HTTP status
// (a transport failure counts as status 0): the Twilio request counter of /metrics.
//
// Ownership: holds a reference to `inner`, which must outlive it. Thread safety: like `inner`;
// counts() may be called from any thread while requests run.
#include "net/http_client.hpp"

#include <cstdint>
#include <map>
#include <mutex>

namespace callscribe::net {

class CountingHttpClient : public HttpClient {
  public:
    explicit CountingHttpClient(HttpClient& inner) : m_inner(inner) {}

    Result<HttpResponse> send(const HttpRequest& request) override;
    Result<HttpResponse> download(const HttpRequest& request, ByteSink& sink) override;

    // Answers so far by status, 0 for transport failures.
    std::map<int, std::uint64_t> counts() const;

  private:
    Result<HttpResponse> count(Result<HttpResponse> answer);

    HttpClient& m_inner;
    mutable std::mutex m_mutex;
    std::map<int, std::uint64_t> m_counts;
};

} // namespace callscribe::net
