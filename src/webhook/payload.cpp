#include "webhook/payload.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <ctime>

namespace callscribe::webhook {

std::string delivery_id(const CallSid& call, int generation) {
    return fmt::format("msg_{}_{}", call.str(), generation);
}

std::string_view source_name(store::TranscriptSource source) {
    // The webhook's wire names, kept here rather than borrowed from the store's column values:
    // they are a public contract and must not change if the schema does.
    switch (source) {
    case store::TranscriptSource::offline:
        return "offline";
    case store::TranscriptSource::realtime:
        return "realtime";
    case store::TranscriptSource::none:
        break;
    }
    return "none";
}

std::string rfc3339_utc(TimePoint time) {
    std::time_t seconds =
        std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(time));
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return std::string(text, n);
}

std::string build_payload(const store::CallLog& call, const TranscriptChoice& choice,
                          const std::optional<std::string>& recording_url, TimePoint now) {
    nlohmann::ordered_json body;
    body["type"] = k_event_type;
    body["call_sid"] = call.call_sid.str();
    body["recording_sid"] = call.recording_sid ? nlohmann::ordered_json(call.recording_sid->str())
                                               : nlohmann::ordered_json(nullptr);
    body["transcript"] = choice.text;
    body["transcript_source"] = source_name(choice.source);
    body["recording_duration_s"] = call.recording_duration_s
                                       ? nlohmann::ordered_json(*call.recording_duration_s)
                                       : nlohmann::ordered_json(nullptr);
    body["recording_url"] =
        recording_url ? nlohmann::ordered_json(*recording_url) : nlohmann::ordered_json(nullptr);
    body["created_at"] = rfc3339_utc(now);
    return body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

store::WebhookDelivery make_delivery(const store::CallLog& call, int generation,
                                     const TranscriptChoice& choice,
                                     const std::optional<std::string>& recording_url,
                                     TimePoint now) {
    return store::WebhookDelivery{.id = delivery_id(call.call_sid, generation),
                                  .call_sid = call.call_sid,
                                  .payload = build_payload(call, choice, recording_url, now),
                                  .state = store::DeliveryState::pending,
                                  .attempts = 0,
                                  .next_attempt_at = now,
                                  .last_status = 0,
                                  .last_error = {},
                                  .lease_owner = {},
                                  .lease_expires = {},
                                  .created_at = now,
                                  .delivered_at = {}};
}

} // namespace callscribe::webhook
