#include "net/counting_http_client.hpp"

namespace callscribe::net {

Result<HttpResponse> CountingHttpClient::send(const HttpRequest& request) {
    return count(m_inner.send(request));
}

Result<HttpResponse> CountingHttpClient::download(const HttpRequest& request, ByteSink& sink) {
    return count(m_inner.download(request, sink));
}

std::map<int, std::uint64_t> CountingHttpClient::counts() const {
    std::lock_guard lock(m_mutex);
    return m_counts;
}

Result<HttpResponse> CountingHttpClient::count(Result<HttpResponse> answer) {
    std::lock_guard lock(m_mutex);
    ++m_counts[answer ? answer->status : 0];
    return answer;
}

} // namespace callscribe::net
