#pragma once
// Twilio's JSON as the sandbox writes it, field for field as in the OpenAPI schemas and examples
// of reference/twilio-recording-openapi.json: the Recording resource
// (api.v2010.account.recording), the call-scoped recording (api.v2010.account.call.call_recording:
// adds `track`, has no `media_url` nor `subresource_uris`), the list envelope, and the error body.
// Pure functions; thread-safe.

#include "core/clock.hpp"
#include "sandbox/call_request.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace callscribe::sandbox {

inline constexpr std::string_view k_api_version = "2010-04-01";

// One recording as a metadata read sees it.
struct RecordingFacts {
    std::string account_sid{};
    std::string call_sid{};
    std::string sid{};
    std::string status{};               // "processing", "completed", "absent" or "deleted"
    std::optional<double> duration_s{}; // unset while processing: written as `pending` says
    PendingDuration pending = PendingDuration::null;
    int channels = 1;
    TimePoint start_time{};
    TimePoint date_created{};
    TimePoint date_updated{};
    std::optional<int> error_code{};
};

// "Fri, 14 Oct 2016 21:56:34 +0000" (RFC 2822, UTC).
std::string rfc2822(TimePoint time);

// "/2010-04-01/Accounts/{AC}/Recordings/{RE}" and the call-scoped
// "/2010-04-01/Accounts/{AC}/Calls/{CA}/Recordings/{RE}" (no extension).
std::string recording_path(const RecordingFacts& facts, bool call_scoped);

// The resource; `base_url` (no trailing '/') prefixes `media_url`.
nlohmann::json recording_json(const RecordingFacts& facts, std::string_view base_url,
                              bool call_scoped);

// {recordings, page 0, page_size, start, end, uri, first_page_uri, next_page_uri null,
//  previous_page_uri null}; `list_path` is the list's path, `filter` its query filter
// ("CallSid=CA…", or empty).
nlohmann::json recording_list_json(nlohmann::json recordings, std::string_view list_path,
                                   std::string_view filter, int page_size);

// Twilio's error body {code, message, more_info, status}: 401 → 20003 "Authenticate",
// 404 → 20404 "The requested resource {path} was not found", 429 → 20429, 400 → 20001, other
// statuses → 20000 + status with the status's reason phrase. `message` replaces the default.
nlohmann::json error_json(int status, std::string_view path,
                          std::optional<std::string> message = std::nullopt);

} // namespace callscribe::sandbox
