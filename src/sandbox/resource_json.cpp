#include "sandbox/resource_json.hpp"

#include <fmt/format.h>

#include <cmath>
#include <ctime>

namespace callscribe::sandbox {
namespace {

using nlohmann::json;

std::string reason(int status) {
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Authenticate";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return status >= 500 ? "Server Error" : "Client Error";
    }
}

json duration_value(const RecordingFacts& facts) {
    if (facts.duration_s) return std::to_string(std::lround(*facts.duration_s));
    if (facts.pending == PendingDuration::minus_one) return "-1";
    return nullptr;
}

} // namespace

std::string rfc2822(TimePoint time) {
    static constexpr const char* k_days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* k_months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} +0000", k_days[utc.tm_wday], utc.tm_mday,
                       k_months[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min,
                       utc.tm_sec);
}

std::string recording_path(const RecordingFacts& facts, bool call_scoped) {
    if (call_scoped) {
        return fmt::format("/{}/Accounts/{}/Calls/{}/Recordings/{}", k_api_version,
                           facts.account_sid, facts.call_sid, facts.sid);
    }
    return fmt::format("/{}/Accounts/{}/Recordings/{}", k_api_version, facts.account_sid,
                       facts.sid);
}

json recording_json(const RecordingFacts& facts, std::string_view base_url, bool call_scoped) {
    const bool completed = facts.status == "completed";
    const std::string path = recording_path(facts, call_scoped);
    json out = {
        {"account_sid", facts.account_sid},
        {"api_version", k_api_version},
        {"call_sid", facts.call_sid},
        {"conference_sid", nullptr},
        {"channels", facts.channels},
        {"date_created", rfc2822(facts.date_created)},
        {"date_updated", rfc2822(facts.date_updated)},
        {"start_time", rfc2822(facts.start_time)},
        {"price", completed ? json("-0.00250") : json(nullptr)},
        {"price_unit", "USD"},
        {"sid", facts.sid},
        {"source", "OutboundAPI"},
        {"status", facts.status},
        {"error_code", facts.error_code ? json(*facts.error_code) : json(nullptr)},
        {"encryption_details", nullptr},
        {"uri", path + ".json"},
    };
    if (facts.duration_s || facts.pending != PendingDuration::missing)
        out["duration"] = duration_value(facts);
    if (call_scoped) {
        out["track"] = "both";
    } else {
        const std::string base = recording_path(facts, false);
        out["subresource_uris"] = {{"add_on_results", base + "/AddOnResults.json"},
                                   {"transcriptions", base + "/Transcriptions.json"}};
        out["media_url"] = fmt::format("{}{}", base_url, base);
    }
    return out;
}

json recording_list_json(json recordings, std::string_view list_path, std::string_view filter,
                         int page_size) {
    const std::size_t count = recordings.size();
    const std::string page_uri = fmt::format("{}?{}{}PageSize={}&Page=0", list_path, filter,
                                             filter.empty() ? "" : "&", page_size);
    return json{
        {"end", count == 0 ? 0 : count - 1},
        {"first_page_uri", page_uri},
        {"next_page_uri", nullptr},
        {"page", 0},
        {"page_size", page_size},
        {"previous_page_uri", nullptr},
        {"recordings", std::move(recordings)},
        {"start", 0},
        {"uri", page_uri},
    };
}

json error_json(int status, std::string_view path, std::optional<std::string> message) {
    int code = 20000 + status;
    std::string text = reason(status);
    if (status == 400) code = 20001;
    if (status == 401) code = 20003;
    if (status == 404) text = fmt::format("The requested resource {} was not found", path);
    if (message) text = std::move(*message);
    return json{{"code", code},
                {"message", text},
                {"more_info", fmt::format("https://www.twilio.com/docs/errors/{}", code)},
                {"status", status}};
}

} // namespace callscribe::sandbox
