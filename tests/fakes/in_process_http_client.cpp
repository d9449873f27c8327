#include "fakes/in_process_http_client.hpp"

#include "core/base64.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <span>

namespace callscribe::fakes {
namespace {

std::string lower(std::string text) {
    std::ranges::transform(text, text.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// "http://host:port/path?query" → "/path?query".
std::string target_of(const std::string& url) {
    const auto scheme = url.find("://");
    const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    return slash == std::string::npos ? "/" : url.substr(slash);
}

} // namespace

InProcessHttpClient::InProcessHttpClient(FakeHttpServer::Handler handler)
    : m_handler(std::move(handler)) {}

Result<net::HttpResponse> InProcessHttpClient::send(const net::HttpRequest& request) {
    return perform(request, nullptr);
}

Result<net::HttpResponse> InProcessHttpClient::download(const net::HttpRequest& request,
                                                        net::ByteSink& sink) {
    return perform(request, &sink);
}

std::vector<std::string> InProcessHttpClient::urls() const {
    std::lock_guard lock(m_mutex);
    return m_urls;
}

Result<net::HttpResponse> InProcessHttpClient::perform(const net::HttpRequest& request,
                                                       net::ByteSink* sink) {
    {
        std::lock_guard lock(m_mutex);
        m_urls.push_back(request.url);
    }
    FakeRequest fake{.method = request.method,
                     .target = target_of(request.url),
                     .headers = {},
                     .body = request.body};
    for (const auto& [name, value] : request.headers)
        fake.headers.emplace_back(lower(name), value);
    if (request.basic_auth) {
        fake.headers.emplace_back("authorization",
                                  "Basic " + encode_base64(request.basic_auth->user + ":" +
                                                           request.basic_auth->password.reveal()));
    }
    FakeResponse answer = m_handler(fake);
    const std::string where = net::redact_url(request.url);
    if (answer.delay > request.timeout) {
        return fail_retryable(
            fmt::format("{}: timed out after {:.0f} s", where, request.timeout.count()));
    }
    if (answer.close_without_answer) {
        return fail_retryable(fmt::format("{}: the server closed the connection", where));
    }
    net::HttpResponse response{.status = answer.status, .effective_url = request.url};
    for (const auto& [name, value] : answer.headers)
        response.headers.emplace_back(lower(name), value);
    const bool to_sink = sink && answer.status >= 200 && answer.status < 300;
    std::string_view body = answer.body;
    if (answer.cut_body_at) body = body.substr(0, std::min(*answer.cut_body_at, body.size()));
    if (to_sink) {
        if (auto written = sink->write(std::span(body.data(), body.size())); !written) {
            return written.error();
        }
    } else {
        response.body = std::string(body);
    }
    if (answer.cut_body_at && *answer.cut_body_at < answer.body.size()) {
        return fail_retryable(fmt::format("{}: the body ended after {} of {} bytes", where,
                                          body.size(), answer.body.size()));
    }
    return response;
}

} // namespace callscribe::fakes
