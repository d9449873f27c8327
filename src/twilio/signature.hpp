#pragma once
// X-Twilio-Signature: how Twilio signs the callbacks it sends (reference/twilio-facts.md §3).
//
// Form-encoded POST: base64(HMAC-SHA1(auth token, URL + for each parameter name in byte order,
// for each of its distinct values in byte order: name + value)). The URL is the public URL the
// callback was configured with, exactly (scheme, userinfo, host case, raw query). JSON bodies:
// the URL carries ?bodySHA256=<hex SHA-256 of the body>, nothing is appended, and the body must
// match that hash. Twilio is inconsistent about ports and query encoding, so a request is
// valid when it matches any of url_variants().
//
// Pure functions of their inputs; thread-safe. Signatures are compared in constant time.

#include "core/secret.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace callscribe::twilio {

// Form parameters as received, URL-decoded; a name may repeat.
using FormParams = std::vector<std::pair<std::string, std::string>>;

struct SignedRequest {
    std::string url;                 // the public URL, query included
    FormParams params;               // form-encoded body (empty for JSON bodies)
    std::optional<std::string> body; // set for a JSON body, which bodySHA256 must cover
};

// The string Twilio signs for `url` and `params`.
std::string string_to_sign(std::string_view url, const FormParams& params);

// base64(HMAC-SHA1(token, string_to_sign(url, params))).
std::string compute_signature(std::string_view url, const FormParams& params,
                              const Secret& auth_token);

// The URL forms a validator accepts: as given, without the port, with the default port; and
// each of those with the query re-serialised as a WHATWG URL parser does (' → %27).
std::vector<std::string> url_variants(std::string_view url);

bool is_valid_signature(const SignedRequest& request, std::string_view signature,
                        const Secret& auth_token);

} // namespace callscribe::twilio
