#include "api/byte_range.hpp"

#include "core/text.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <optional>
#include <vector>

namespace callscribe::api {
namespace {

constexpr std::uint64_t k_huge = std::numeric_limits<std::uint64_t>::max();

// Digits only; saturates at k_huge instead of overflowing. Empty or anything else: nothing.
std::optional<std::uint64_t> parse_number(std::string_view text) {
    if (text.empty()) return std::nullopt;
    std::uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        const auto digit = static_cast<std::uint64_t>(c - '0');
        value = value > (k_huge - digit) / 10 ? k_huge : value * 10 + digit;
    }
    return value;
}

bool unit_is_bytes(std::string_view unit) {
    return std::ranges::equal(trim_whitespace(unit), std::string_view("bytes"), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == b;
    });
}

ByteRange partial(std::uint64_t first, std::uint64_t last) {
    return ByteRange{ByteRange::Kind::partial, first, last - first + 1};
}

ByteRange range_of(std::string_view spec, std::uint64_t size) {
    const ByteRange whole{};
    const ByteRange unsatisfiable{ByteRange::Kind::unsatisfiable};
    const auto dash = spec.find('-');
    if (dash == std::string_view::npos) return whole;
    const auto first_text = spec.substr(0, dash);
    const auto last_text = spec.substr(dash + 1);
    if (first_text.empty()) { // suffix: the last n bytes
        const auto count = parse_number(last_text);
        if (!count) return whole;
        if (*count == 0 || size == 0) return unsatisfiable;
        return partial(size - std::min(*count, size), size - 1);
    }
    const auto first = parse_number(first_text);
    if (!first) return whole;
    std::uint64_t last = k_huge;
    if (!last_text.empty()) {
        const auto parsed = parse_number(last_text);
        if (!parsed || *parsed < *first) return whole;
        last = *parsed;
    }
    if (*first >= size) return unsatisfiable;
    return partial(*first, std::min(last, size - 1));
}

} // namespace

ByteRange parse_byte_range(std::string_view header, std::uint64_t size) {
    const auto equals = header.find('=');
    if (equals == std::string_view::npos || !unit_is_bytes(header.substr(0, equals))) return {};
    std::vector<std::string_view> specs;
    std::string_view rest = header.substr(equals + 1);
    for (;;) {
        const auto comma = rest.find(',');
        if (auto spec = trim_whitespace(rest.substr(0, comma)); !spec.empty())
            specs.push_back(spec);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    if (specs.size() != 1) return {};
    return range_of(specs.front(), size);
}

} // namespace callscribe::api
