#include "config/parsers.hpp"

#include "core/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace callscribe::config {

namespace {

constexpr std::string_view k_url_shape = "http[s]://host[:port][/path]";
constexpr std::size_t k_sid_hex_digits = 32;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}
bool is_hex(char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

// A DNS name or IPv4 address, or an IPv6 address in brackets.
Result<void> check_host(std::string_view host) {
    if (host.empty()) return fail("has no host");
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']')
            return fail(fmt::format("bad IPv6 host {}", in_quotes(host)));
        auto inner = host.substr(1, host.size() - 2);
        bool ok = inner.find(':') != std::string_view::npos &&
                  std::all_of(inner.begin(), inner.end(),
                              [](char c) { return is_hex(c) || c == ':' || c == '.'; });
        if (!ok) return fail(fmt::format("bad IPv6 host {}", in_quotes(host)));
        return {};
    }
    bool ok = std::all_of(host.begin(), host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_';
    });
    if (!ok) return fail(fmt::format("bad host {}", in_quotes(host)));
    return {};
}

// A URL's port is 1..65535; a listen address may also say 0 (pick a free port).
Result<void> check_port(std::string_view port, int lowest = 1) {
    if (port.empty()) return fail("has an empty port");
    const auto bad = [&] {
        return fail(
            fmt::format("port {} is not a number from {} to 65535", in_quotes(port), lowest));
    };
    if (!all_digits(port) || port.size() > 5) return bad();
    int value = 0;
    std::from_chars(port.data(), port.data() + port.size(), value);
    if (value < lowest || value > 65535) return bad();
    return {};
}

// Splits "host:port" where host may be "[v6]"; port is empty when there is none.
Result<std::pair<std::string_view, std::string_view>> split_host_port(std::string_view s) {
    if (!s.empty() && s.front() == '[') {
        auto close = s.find(']');
        if (close == std::string_view::npos) return fail("has an unclosed '[' in the host");
        auto host = s.substr(0, close + 1);
        auto rest = s.substr(close + 1);
        if (rest.empty()) return std::pair{host, rest};
        if (rest.front() != ':') return fail("has text after the IPv6 host; expected :port");
        return std::pair{host, rest.substr(1)};
    }
    auto colon = s.find(':');
    if (colon == std::string_view::npos) return std::pair{s, std::string_view{}};
    if (s.find(':', colon + 1) != std::string_view::npos) {
        return fail("IPv6 hosts go in brackets, e.g. [::1]:8080");
    }
    return std::pair{s.substr(0, colon), s.substr(colon + 1)};
}

} // namespace

std::string escaped(std::string_view text) {
    std::string out;
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            out += fmt::format("\\x{:02x}", u);
        } else {
            out += c;
        }
    }
    return out;
}

std::string in_quotes(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return escaped(out) + "\"";
}

std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> items;
    std::size_t start = 0;
    while (true) {
        auto comma = text.find(',', start);
        items.emplace_back(trim_whitespace(text.substr(start, comma - start)));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return items;
}

Result<Seconds> parse_seconds(std::string_view raw) {
    std::string text(trim_whitespace(raw));
    if (text.empty()) return fail("has an empty entry");
    std::string_view digits = text;
    bool negative = digits.front() == '-';
    if (negative) digits.remove_prefix(1);
    auto dot = digits.find('.');
    auto whole = digits.substr(0, dot);
    auto fraction = dot == std::string_view::npos ? std::string_view{} : digits.substr(dot + 1);
    bool is_number = (all_digits(whole) || (whole.empty() && dot != std::string_view::npos)) &&
                     (fraction.empty() || all_digits(fraction)) &&
                     whole.size() + fraction.size() > 0;
    if (!is_number) return fail(fmt::format("{} is not a number of seconds", in_quotes(text)));
    if (negative) return fail(fmt::format("{} is negative", in_quotes(text)));
    double value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value,
                                     std::chars_format::fixed);
    if (ec != std::errc{} || end != digits.data() + digits.size()) {
        return fail(fmt::format("{} is not a number of seconds", in_quotes(text)));
    }
    if (value > k_max_delay_seconds) {
        return fail(fmt::format("{} is more than 7 days ({} s)", in_quotes(text),
                                static_cast<long>(k_max_delay_seconds)));
    }
    return Seconds{value};
}

Result<std::vector<Seconds>> parse_delays(const std::vector<std::string>& items) {
    if (items.empty()) return fail("needs at least one delay");
    std::vector<Seconds> delays;
    for (const auto& item : items) {
        auto delay = parse_seconds(item);
        if (!delay) return delay.error();
        delays.push_back(*delay);
    }
    return delays;
}

Result<int> parse_int(std::string_view raw, int min, int max) {
    std::string text(trim_whitespace(raw));
    std::string_view digits = text;
    if (!digits.empty() && digits.front() == '-') digits.remove_prefix(1);
    if (!all_digits(digits)) return fail(fmt::format("{} is not a whole number", in_quotes(text)));
    long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max) {
        return fail(fmt::format("{} is not between {} and {}", in_quotes(text), min, max));
    }
    return static_cast<int>(value);
}

Result<std::string> parse_http_url(std::string_view text) {
    std::string_view rest;
    if (text.starts_with("https://")) {
        rest = text.substr(8);
    } else if (text.starts_with("http://")) {
        rest = text.substr(7);
    } else {
        return fail(fmt::format("is not an http(s) URL ({})", k_url_shape));
    }
    if (std::any_of(text.begin(), text.end(), [](char c) {
            return std::isspace(static_cast<unsigned char>(c)) != 0 ||
                   std::iscntrl(static_cast<unsigned char>(c)) != 0;
        })) {
        return fail("contains spaces or control characters");
    }
    auto authority_end = rest.find_first_of("/?#");
    auto authority = rest.substr(0, authority_end);
    auto tail =
        authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
    if (authority.find('@') != std::string_view::npos) {
        // The caller's redaction hides the user:password part; say why without repeating it.
        return fail("must not contain credentials (user:password@)");
    }
    if (tail.find('#') != std::string_view::npos) {
        return fail(fmt::format("has a #fragment ({})", k_url_shape));
    }
    auto host_port = split_host_port(authority);
    if (!host_port) {
        return fail(fmt::format("{} ({})", host_port.error().message, k_url_shape));
    }
    auto [host, port] = *host_port;
    if (auto ok = check_host(host); !ok) {
        return fail(fmt::format("{} ({})", ok.error().message, k_url_shape));
    }
    if (authority.size() > host.size()) { // a ':' followed: the port must be valid
        if (auto ok = check_port(port); !ok) {
            return ok.error();
        }
    }
    return Result<std::string>(boost::system::in_place_value, text);
}

Result<VoiceContinue> parse_voice_continue(std::string_view text) {
    if (text.starts_with('+')) {
        const auto digits = text.substr(1);
        if (digits.size() >= 8 && digits.size() <= 15 && digits.front() != '0' &&
            std::ranges::all_of(digits, [](char c) { return c >= '0' && c <= '9'; }))
            return VoiceContinue{VoiceContinue::Kind::dial_number, std::string(text)};
        return fail(fmt::format("{} is not a phone number in E.164 (+ and 8 to 15 digits)",
                                in_quotes(text)));
    }
    if (text.starts_with("sip:")) {
        const auto at = text.find('@');
        if (at != std::string_view::npos && at > 4 && at + 1 < text.size() &&
            std::ranges::none_of(text, [](char c) { return c == ' ' || c == '<' || c == '>'; }))
            return VoiceContinue{VoiceContinue::Kind::dial_sip, std::string(text)};
        return fail(fmt::format("{} is not a sip:user@host address", in_quotes(text)));
    }
    if (text.starts_with("http://") || text.starts_with("https://")) {
        auto url = parse_http_url(text);
        if (!url) return url.error();
        return VoiceContinue{VoiceContinue::Kind::redirect, std::move(*url)};
    }
    return fail("must be a phone number in E.164 (+15551234567), a sip: address, or the http(s) "
                "URL of your own TwiML");
}

Result<std::string> parse_listen(std::string_view text) {
    auto host_port = split_host_port(text);
    if (!host_port) return host_port.error();
    auto [host, port] = *host_port;
    if (auto ok = check_host(host); !ok) {
        return fail(fmt::format("{} (expected host:port)", ok.error().message));
    }
    if (text.size() == host.size()) {
        return fail("has no port (expected host:port)");
    }
    if (auto ok = check_port(port, 0); !ok) {
        return ok.error();
    }
    return Result<std::string>(boost::system::in_place_value, text);
}

bool is_sid(std::string_view text, std::string_view prefix) {
    return text.size() == prefix.size() + k_sid_hex_digits && text.starts_with(prefix) &&
           std::all_of(text.begin() + static_cast<std::ptrdiff_t>(prefix.size()), text.end(),
                       is_hex);
}

} // namespace callscribe::config
