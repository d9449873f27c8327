#include "net/http_client.hpp"

#include "core/text.hpp"

#include <algorithm>
#include <cctype>

namespace callscribe::net {

namespace {} // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (ascii_iequals(key, name)) return value;
    }
    return std::nullopt;
}

std::string redact_url(std::string_view url) {
    // Query strings carry tokens as often as user info does, so both go.
    url = url.substr(0, url.find_first_of("?#"));
    const auto scheme_end = url.find("://");
    const auto authority_begin = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
    const auto authority_end = std::min(url.find('/', authority_begin), url.size());
    const auto at = url.substr(0, authority_end).rfind('@');
    if (at == std::string_view::npos || at < authority_begin) return std::string(url);
    std::string out(url.substr(0, authority_begin));
    out += url.substr(at + 1);
    return out;
}

} // namespace callscribe::net
