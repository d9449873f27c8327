#pragma once
// Small ASCII text helpers shared by the parsers of headers, settings and engine output.

#include <string>
#include <string_view>

namespace callscribe {

// `text` with A-Z turned into a-z; other bytes (UTF-8 included) unchanged.
std::string ascii_lower(std::string_view text);

// Whether `a` and `b` are equal but for the case of A-Z (header names, media types, hosts).
bool ascii_iequals(std::string_view a, std::string_view b);

// `text` without leading and trailing ASCII white space (space, \t, \r, \n, \f, \v).
std::string_view trim_whitespace(std::string_view text);

} // namespace callscribe
