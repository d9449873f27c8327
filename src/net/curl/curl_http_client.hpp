#pragma once
// HttpClient over libcurl: the only code that includes curl/curl.h.
//
// Thread safety: one CurlHttpClient may be shared by any number of threads; every call uses its
// own easy handle. curl_global_init runs once, on the first construction.
//
// Redirects are followed by this class, not by curl (at most 10 hops, http and https only), so
// that credentials stay with their origin: when a hop changes scheme, host or port, the basic
// auth, the bearer token and any caller-supplied Authorization header are dropped.
//
// Failures: an HTTP status is data. A refused connection, a timeout, a reset or a TLS failure is
// an Error naming the URL (without user info or query) with retryable = true; a malformed URL,
// an unreadable upload file or too many redirects is not retryable; an error from the download
// sink is returned as the sink gave it.

#include "net/http_client.hpp"

#include <cstddef>

namespace callscribe::net::curl {

class CurlHttpClient final : public HttpClient {
  public:
    // A non-2xx body received by download() is kept in the response up to this many bytes.
    static constexpr std::size_t k_error_body_limit = 64 * 1024;
    static constexpr int k_max_redirects = 10;

    CurlHttpClient();

    Result<HttpResponse> send(const HttpRequest& request) override;
    Result<HttpResponse> download(const HttpRequest& request, ByteSink& sink) override;

  private:
    Result<HttpResponse> perform(const HttpRequest& request, ByteSink* sink);
};

} // namespace callscribe::net::curl
