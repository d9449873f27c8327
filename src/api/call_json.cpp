#include "api/call_json.hpp"

#include "webhook/payload.hpp"

namespace callscribe::api {
namespace {

using json = nlohmann::ordered_json;

// A time the store never set (the epoch) is null.
json time_json(TimePoint time) {
    if (time == TimePoint{}) return nullptr;
    return webhook::rfc3339_utc(time);
}

template <class T> json optional_json(const std::optional<T>& value) {
    if (!value) return nullptr;
    return *value;
}

json sid_json(const std::optional<RecordingSid>& sid) {
    if (!sid) return nullptr;
    return sid->str();
}

json text_or_null(const std::string& text) {
    return text.empty() ? json() : json(text);
}

} // namespace

json call_json(const store::CallLog& call) {
    json transcript_source = nullptr;
    if (call.transcript_source) transcript_source = to_string(*call.transcript_source);
    const store::AudioSource audio = call.audio_source();
    return json{
        {"call_sid", call.call_sid.str()},
        {"status", to_string(call.status)},
        {"recording_sid", sid_json(call.recording_sid)},
        {"recording",
         {{"on_disk", !call.recording_path.empty()},
          {"bytes", call.recording_bytes},
          {"duration_s", optional_json(call.recording_duration_s)},
          {"channels", call.recording_channels > 0 ? json(call.recording_channels) : json()},
          {"download_url", "/api/calls/" + call.call_sid.str() + "/download"}}},
        {"transcript_source", transcript_source},
        {"realtime_transcript", call.realtime_transcript},
        {"realtime_source", call.realtime_source == store::RealtimeSource::none
                                ? json()
                                : json(std::string(to_string(call.realtime_source)))},
        {"audio_source",
         audio == store::AudioSource::none ? json() : json(std::string(to_string(audio)))},
        {"final_transcript", call.final_transcript},
        {"last_error", call.last_error},
        {"created_at", time_json(call.created_at)},
        {"updated_at", time_json(call.updated_at)},
        {"from", text_or_null(call.details.from)},
        {"to", text_or_null(call.details.to)},
        {"direction", text_or_null(call.details.direction)},
        {"call_status", text_or_null(call.details.call_status)},
        {"call_duration_s", optional_json(call.details.duration_s)},
    };
}

json snippet_json(const std::vector<store::SnippetPiece>& snippet) {
    json pieces = json::array();
    for (const auto& piece : snippet)
        pieces.push_back(json{{"text", piece.text}, {"match", piece.match}});
    return pieces;
}

json job_json(const store::Job& job, const store::CallLog& call) {
    const bool leased = !job.lease_owner.empty();
    return json{
        {"state", to_string(job.state)},
        {"step", to_string(job.step)},
        {"lane", to_string(job.lane)},
        {"generation", job.generation},
        {"recording_sid", sid_json(job.recording_sid)},
        {"ready_attempts", job.ready_attempts},
        {"transient_attempts", job.transient_attempts},
        {"run_at", time_json(job.run_at)},
        {"lease_owner", leased ? json(job.lease_owner) : json()},
        {"lease_expires", leased ? time_json(job.lease_expires) : json()},
        {"last_error", call.last_error},
        {"created_at", time_json(job.created_at)},
        {"updated_at", time_json(job.updated_at)},
    };
}

json webhook_json(const store::WebhookDelivery& delivery) {
    return json{
        {"id", delivery.id},
        {"state", to_string(delivery.state)},
        {"attempts", delivery.attempts},
        {"last_status", delivery.last_status != 0 ? json(delivery.last_status) : json()},
        {"last_error", delivery.last_error},
        {"next_attempt_at", delivery.state == store::DeliveryState::pending
                                ? time_json(delivery.next_attempt_at)
                                : json()},
        {"created_at", time_json(delivery.created_at)},
        {"delivered_at", time_json(delivery.delivered_at)},
    };
}

json call_detail_json(const store::CallLog& call, const std::optional<store::Job>& job,
                      const std::vector<store::WebhookDelivery>& webhooks) {
    json out = call_json(call);
    out["job"] = job ? job_json(*job, call) : json();
    out["webhooks"] = json::array();
    for (const auto& delivery : webhooks)
        out["webhooks"].push_back(webhook_json(delivery));
    return out;
}

} // namespace callscribe::api
