#pragma once
// A strict multipart/form-data parser for fake servers (RFC 7578): what a real server would
// accept, so a malformed upload fails the test instead of passing silently.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace callscribe::fakes {

struct MultipartPart {
    std::string name;
    std::optional<std::string> filename;
    std::string content_type; // empty when the part has none
    std::string data;
};

// The parts of `body`, or nullopt when `content_type` is not multipart/form-data with a boundary
// or the body does not follow it.
std::optional<std::vector<MultipartPart>> parse_multipart(std::string_view content_type,
                                                          std::string_view body);

// The first part named `name`, if any.
const MultipartPart* find_part(const std::vector<MultipartPart>& parts, std::string_view name);

} // namespace callscribe::fakes
