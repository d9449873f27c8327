#include "net/curl/redirect.hpp"

#include "core/text.hpp"
#include "net/http_client.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace callscribe::net::curl {
namespace {

struct UrlDeleter {
    void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct CurlStringDeleter {
    void operator()(char* text) const { curl_free(text); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

bool is_redirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

} // namespace

std::optional<std::string> origin_of(const std::string& url) {
    UrlHandle handle(curl_url());
    CALLSCRIBE_ASSERT(handle != nullptr);
    if (curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return std::nullopt;
    auto part = [&](CURLUPart which, unsigned flags) -> std::optional<std::string> {
        char* raw = nullptr;
        if (curl_url_get(handle.get(), which, &raw, flags) != CURLUE_OK) return std::nullopt;
        CurlString owned(raw);
        return ascii_lower(owned.get());
    };
    const auto scheme = part(CURLUPART_SCHEME, 0);
    const auto host = part(CURLUPART_HOST, 0);
    const auto port = part(CURLUPART_PORT, CURLU_DEFAULT_PORT);
    if (!scheme || !host || !port) return std::nullopt;
    return *scheme + "://" + *host + ":" + *port;
}

std::string without_user_info(const std::string& url) {
    UrlHandle handle(curl_url());
    CALLSCRIBE_ASSERT(handle != nullptr);
    if (curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return url;
    curl_url_set(handle.get(), CURLUPART_USER, nullptr, 0);
    curl_url_set(handle.get(), CURLUPART_PASSWORD, nullptr, 0);
    curl_url_set(handle.get(), CURLUPART_OPTIONS, nullptr, 0);
    char* raw = nullptr;
    if (curl_url_get(handle.get(), CURLUPART_URL, &raw, 0) != CURLUE_OK) return url;
    CurlString owned(raw);
    return owned.get();
}

bool is_http_url(std::string_view url) {
    const auto scheme = ascii_lower(url.substr(0, url.find(':')));
    return scheme == "http" || scheme == "https";
}

Result<std::optional<Hop>> next_hop(const Hop& from, int status, const char* location,
                                    const std::string& first_url) {
    if (!is_redirect(status) || location == nullptr) return std::optional<Hop>{};
    Hop next = from;
    next.url = without_user_info(location);
    if (!is_http_url(next.url))
        return fail(fmt::format("redirect to a non-http(s) URL from {}", redact_url(from.url)));
    const auto first_origin = origin_of(first_url);
    if (!first_origin || origin_of(next.url) != first_origin) next.with_credentials = false;
    if (status == 303 || ((status == 301 || status == 302) && from.method == "POST")) {
        if (from.method != "HEAD") next.method = "GET";
        next.with_body = false;
    }
    return std::optional<Hop>{std::move(next)};
}

} // namespace callscribe::net::curl
