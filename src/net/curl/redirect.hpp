#pragma once
// Where a redirect leads, decided apart from the transfer so that each of its security rules is
// tested on its own (tests/unit/net/redirect_test.cpp):
//   - credentials belong to the origin they were given for: they never follow the chain to
//     another scheme, host or port, and once dropped they stay dropped;
//   - the user info curl writes into the Location it reports never travels;
//   - only http and https are followed;
//   - as browsers and curl do, 303 always, and 301/302 after a POST, continue with a GET and
//     without the body (HEAD stays HEAD).
// Pure functions over URLs (curl's URL parser, no transfer).
#include "core/result.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace callscribe::net::curl {

// One request of a redirect chain.
struct Hop {
    std::string url;
    std::string method = "GET";
    bool with_body = true;
    bool with_credentials = true;
};

// The request to send after `from` was answered `status` with `location` (the Location curl
// resolved against `from.url`; null when there was none). Nothing when the answer is final: not
// 301, 302, 303, 307 or 308, or without a Location. `first_url` is the chain's first URL. Fails
// (not retryable) on a Location that is not http(s), naming `from.url` without secrets.
Result<std::optional<Hop>> next_hop(const Hop& from, int status, const char* location,
                                    const std::string& first_url);

// "scheme://host:port", lower-cased, the scheme's default port filled in; nothing when `url`
// does not parse.
std::optional<std::string> origin_of(const std::string& url);
// `url` without "user:password@" (unchanged when it does not parse).
std::string without_user_info(const std::string& url);
bool is_http_url(std::string_view url);

} // namespace callscribe::net::curl
