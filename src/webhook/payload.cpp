#include "webhook/payload.hpp"

#include "stt/formats.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <ctime>
#include <utility>

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

namespace {

using json = nlohmann::ordered_json;

json null_or(const std::optional<std::string>& text) {
    return text ? json(*text) : json(nullptr);
}

// The offline transcript's segments without their words, and its language; both null when the
// stored JSON cannot be read (it always can: the job wrote it).
std::pair<json, json> offline_segments(const store::CallLog& call) {
    if (call.final_transcript_json.empty()) return {json::array(), nullptr};
    const auto transcript = stt::parse_json(call.final_transcript_json);
    if (!transcript) return {nullptr, nullptr};
    json segments = json::array();
    for (const auto& segment : transcript->segments) {
        segments.push_back(
            {{"speaker", segment.speaker.empty() ? json(nullptr) : json(segment.speaker)},
             {"start", std::round(segment.start_s * 1000) / 1000},
             {"end", std::round(segment.end_s * 1000) / 1000},
             {"text", segment.text}});
    }
    return {std::move(segments),
            transcript->language.empty() ? json(nullptr) : json(transcript->language)};
}

// The webhook's wire names for where the realtime transcript came from (a public contract, like
// source_name()).
json realtime_source_name(store::RealtimeSource source) {
    switch (source) {
    case store::RealtimeSource::api:
        return "api";
    case store::RealtimeSource::twilio_rtt:
        return "twilio_rtt";
    case store::RealtimeSource::media_stream:
        return "media_stream";
    case store::RealtimeSource::none:
        break;
    }
    return nullptr;
}

std::string dumped(const json& body) {
    return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace

std::string build_payload(const store::CallLog& call, const TranscriptChoice& choice,
                          const PayloadSettings& settings, TimePoint now) {
    const std::string api =
        settings.public_url.empty()
            ? std::string()
            : fmt::format("{}/api/calls/{}", settings.public_url, call.call_sid.str());
    json body;
    body["type"] = k_event_type;
    body["call_sid"] = call.call_sid.str();
    body["recording_sid"] =
        null_or(call.recording_sid ? std::optional(call.recording_sid->str()) : std::nullopt);
    body["transcript"] = choice.text;
    body["transcript_source"] = source_name(choice.source);
    body["recording_duration_s"] =
        call.recording_duration_s ? json(*call.recording_duration_s) : json(nullptr);
    body["recording_url"] = null_or(
        call.recording_sid && !api.empty() ? std::optional(api + "/download") : std::nullopt);
    body["created_at"] = rfc3339_utc(now);
    if (settings.version < 2) return dumped(body);

    body["version"] = 2;
    body["realtime_source"] = realtime_source_name(call.realtime_source);
    // The audio callscribe transcribed: Twilio's recording once it was downloaded, or the
    // call's own recording from its media stream.
    const auto audio = call.audio_source();
    body["audio_source"] =
        audio == store::AudioSource::none ? json(nullptr) : json(std::string(to_string(audio)));
    auto [segments, language] = choice.source == store::TranscriptSource::offline
                                    ? offline_segments(call)
                                    : std::pair<json, json>{json::array(), nullptr};
    if (dumped(segments).size() > k_max_segments_bytes) segments = nullptr;
    body["language"] = std::move(language);
    body["segments"] = std::move(segments);
    const bool has_offline = !call.final_transcript_json.empty();
    body["transcript_url"] =
        null_or(has_offline && !api.empty() ? std::optional(api + "/transcript?format=json")
                                            : std::nullopt);
    const auto& details = call.details;
    const auto text_or_null = [](const std::string& text) {
        return text.empty() ? json() : json(text);
    };
    body["from"] = text_or_null(details.from);
    body["to"] = text_or_null(details.to);
    body["direction"] = text_or_null(details.direction);
    body["call_status"] = text_or_null(details.call_status);
    body["call_duration_s"] = details.duration_s ? json(*details.duration_s) : json(nullptr);
    return dumped(body);
}

store::WebhookDelivery make_delivery(const store::CallLog& call, int generation,
                                     const TranscriptChoice& choice,
                                     const PayloadSettings& settings, TimePoint now) {
    return store::WebhookDelivery{.id = delivery_id(call.call_sid, generation),
                                  .call_sid = call.call_sid,
                                  .payload = build_payload(call, choice, settings, now),
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
