#include "api/call_list_query.hpp"

#include "api/api_error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>

namespace callscribe::api {
namespace {

constexpr std::size_t k_default_page = 50;
constexpr std::size_t k_max_page = 200;
constexpr std::size_t k_max_search_chars = 200;
constexpr std::size_t k_max_number_digits = 20;

// A whole unsigned number, or nothing ("", "-1", "5x", too large).
std::optional<std::size_t> whole_number(std::string_view text) {
    std::size_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// Exactly `digits` decimal digits at text[at…], as a number; -1 when they are not there.
int digits_at(std::string_view text, std::size_t at, std::size_t digits) {
    if (at + digits > text.size()) return -1;
    int value = 0;
    for (std::size_t i = at; i < at + digits; ++i) {
        if (text[i] < '0' || text[i] > '9') return -1;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

// "YYYY-MM-DD" at the start of `text`, when it is a real date.
std::optional<std::chrono::sys_days> date_at_start(std::string_view text) {
    const int year = digits_at(text, 0, 4);
    const int month = digits_at(text, 5, 2);
    const int day = digits_at(text, 8, 2);
    if (year < 0 || month < 0 || day < 0 || text[4] != '-' || text[7] != '-') return std::nullopt;
    const std::chrono::year_month_day date{std::chrono::year{year},
                                           std::chrono::month{static_cast<unsigned>(month)},
                                           std::chrono::day{static_cast<unsigned>(day)}};
    if (!date.ok()) return std::nullopt;
    return std::chrono::sys_days{date};
}

// The number of code points in `text`, or nothing when it is not UTF-8.
std::optional<std::size_t> utf8_length(std::string_view text) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < text.size(); ++count) {
        const auto lead = static_cast<unsigned char>(text[i]);
        std::size_t extra = 0;
        char32_t code = lead;
        if (lead < 0x80) {
            extra = 0;
        } else if ((lead & 0xe0) == 0xc0) {
            extra = 1, code = lead & 0x1f;
        } else if ((lead & 0xf0) == 0xe0) {
            extra = 2, code = lead & 0x0f;
        } else if ((lead & 0xf8) == 0xf0) {
            extra = 3, code = lead & 0x07;
        } else {
            return std::nullopt;
        }
        if (i + extra >= text.size()) return std::nullopt; // cut short
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xc0) != 0x80) return std::nullopt;
            code = (code << 6) | (next & 0x3f);
        }
        // Overlong forms, surrogates and values beyond Unicode are not UTF-8.
        constexpr char32_t k_smallest[] = {0, 0x80, 0x800, 0x10000};
        if (code < k_smallest[extra] || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff)
            return std::nullopt;
        i += extra + 1;
    }
    return count;
}

std::optional<std::string> search_words(const net::ServerRequest& request) {
    auto text = request.query_param("q");
    if (!text) return std::nullopt;
    const auto length = utf8_length(*text);
    if (!length) throw ApiError(400, "q must be UTF-8 text");
    if (*length > k_max_search_chars)
        throw ApiError(400, fmt::format("q is longer than {} characters", k_max_search_chars));
    // Control characters (a pasted tab or line break) separate words like spaces.
    std::replace_if(
        text->begin(), text->end(),
        [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }, ' ');
    if (std::all_of(text->begin(), text->end(), [](char c) { return c == ' '; }))
        return std::nullopt;
    return text;
}

std::size_t page_limit(const net::ServerRequest& request) {
    const auto text = request.query_param("limit");
    if (!text) return k_default_page;
    const auto limit = whole_number(*text);
    if (!limit || *limit < 1 || *limit > k_max_page)
        throw ApiError(400, fmt::format("limit must be a number from 1 to {}", k_max_page));
    return *limit;
}

// `since` or `until`: a date-time as it is; a date from the start of that day (since) or up to
// its end (until, which is exclusive).
std::optional<TimePoint> time_bound(const net::ServerRequest& request, std::string_view name) {
    const auto text = request.query_param(name);
    if (!text) return std::nullopt;
    if (text->size() == 10) {
        if (const auto day = date_at_start(*text)) {
            const auto start = name == "until" ? *day + std::chrono::days{1} : *day;
            return std::chrono::time_point_cast<TimePoint::duration>(start);
        }
    } else if (auto instant = parse_rfc3339(*text)) {
        return instant;
    }
    throw ApiError(400, fmt::format("{} must be an RFC 3339 date-time (2026-03-01T09:30:00Z) or a "
                                    "date (2026-03-01)",
                                    name));
}

std::string number_filter(const net::ServerRequest& request) {
    const auto text = request.query_param("number");
    if (!text) return {};
    const std::string_view digits = std::string_view(*text).substr(text->starts_with('+') ? 1 : 0);
    if (digits.empty() || digits.size() > k_max_number_digits ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        throw ApiError(400, fmt::format("number must be digits (at most {}) with an optional "
                                        "leading +: a phone number or part of one",
                                        k_max_number_digits));
    return *text;
}

} // namespace

std::optional<TimePoint> parse_rfc3339(std::string_view text) {
    // 2026-03-01T09:30:00[.fraction](Z|+hh:mm|-hh:mm)
    const auto day = date_at_start(text);
    if (!day || text.size() < 20 || (text[10] != 'T' && text[10] != 't')) return std::nullopt;
    const int hour = digits_at(text, 11, 2);
    const int minute = digits_at(text, 14, 2);
    const int second = digits_at(text, 17, 2);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60 ||
        text[13] != ':' || text[16] != ':')
        return std::nullopt;
    std::size_t at = 19;
    std::chrono::nanoseconds fraction{0};
    if (text[at] == '.') {
        const std::size_t first = ++at;
        std::int64_t scale = 100'000'000;
        while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
            fraction += std::chrono::nanoseconds((text[at] - '0') * scale);
            scale /= 10;
            ++at;
        }
        if (at == first) return std::nullopt;
    }
    std::chrono::minutes offset{0};
    const std::string_view zone = text.substr(at);
    if (zone == "Z" || zone == "z") {
        // UTC
    } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
        const int hours = digits_at(zone, 1, 2);
        const int minutes = digits_at(zone, 4, 2);
        if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return std::nullopt;
        offset = std::chrono::minutes(hours * 60 + minutes) * (zone[0] == '-' ? -1 : 1);
    } else {
        return std::nullopt;
    }
    // A leap second (:60) reads as the first instant of the next minute.
    const auto local = *day + std::chrono::hours(hour) + std::chrono::minutes(minute) +
                       std::chrono::seconds(second) + fraction;
    return std::chrono::time_point_cast<TimePoint::duration>(local - offset);
}

CallListQuery parse_call_list_query(const net::ServerRequest& request) {
    CallListQuery out;
    out.search = search_words(request);
    store::CallQuery& filter = out.filter;
    if (auto status = request.query_param("status")) {
        filter.status = store::parse_call_status(*status);
        if (!filter.status)
            throw ApiError(400, "status must be one of waiting_for_recording, downloading, "
                                "transcribing, done, gave_up");
    }
    if (auto source = request.query_param("source")) {
        filter.source = store::parse_transcript_source(*source);
        if (!filter.source || *filter.source == store::TranscriptSource::none)
            throw ApiError(400, "source must be offline or realtime");
    }
    filter.created_since = time_bound(request, "since");
    filter.created_until = time_bound(request, "until");
    filter.number = number_filter(request);
    filter.limit = page_limit(request);
    if (auto before = request.query_param("before")) {
        if (out.search)
            throw ApiError(400, "before pages the list without q; search results page with "
                                "offset");
        filter.before = CallSid::parse(*before);
        if (!filter.before) throw ApiError(400, "before is not a Call SID (CA + 32 hex digits)");
    }
    if (auto offset = request.query_param("offset")) {
        if (!out.search)
            throw ApiError(400, "offset pages search results (with q); the list pages with "
                                "before");
        const auto skipped = whole_number(*offset);
        if (!skipped) throw ApiError(400, "offset must be a number >= 0");
        out.offset = *skipped;
    }
    return out;
}

} // namespace callscribe::api
