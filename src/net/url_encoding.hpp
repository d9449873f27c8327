#pragma once
// Percent-encoding (RFC 3986 §2.1) and application/x-www-form-urlencoded (WHATWG URL §5), for
// query strings and form bodies: what the HTTP server decodes for its handlers and what Twilio
// callbacks are sent as. Pure functions of their inputs; thread-safe.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace callscribe::net {

// Name/value pairs in order; a name may repeat.
using FormFields = std::vector<std::pair<std::string, std::string>>;

// "%41" → "A". A '%' not followed by two hex digits is kept as it is; '+' stays '+'.
std::string percent_decode(std::string_view text);

// Every byte but the unreserved A–Z a–z 0–9 - . _ ~ as %XX (upper-case hex).
std::string percent_encode(std::string_view text);

// "a=1&b=x+y&c" → {a,1} {b,"x y"} {c,""}: split at '&' then at the first '=', '+' read as a
// space, then percent-decoded. Empty pieces ("a=1&&b=2") are skipped.
FormFields parse_form(std::string_view text);

// The inverse of parse_form: percent_encode each name and value, a space written as '+'.
std::string encode_form(const FormFields& fields);

} // namespace callscribe::net
