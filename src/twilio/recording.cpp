#include "twilio/recording.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <fmt/format.h>

namespace callscribe::twilio {
namespace {

RecordingStatus status_of(const nlohmann::json& value) {
    if (!value.is_string()) return RecordingStatus::unknown;
    const auto& s = value.get_ref<const std::string&>();
    if (s == "in-progress") return RecordingStatus::in_progress;
    if (s == "paused") return RecordingStatus::paused;
    if (s == "stopped") return RecordingStatus::stopped;
    if (s == "processing") return RecordingStatus::processing;
    if (s == "completed") return RecordingStatus::completed;
    if (s == "absent") return RecordingStatus::absent;
    if (s == "deleted") return RecordingStatus::deleted;
    if (s == "failed") return RecordingStatus::failed;
    return RecordingStatus::unknown;
}

// "4", 4, 4.5 → seconds; null, "-1", -1, "", missing or garbage → not known yet.
std::optional<double> duration_of(const nlohmann::json& object) {
    auto it = object.find("duration");
    if (it == object.end()) return std::nullopt;
    double value = -1;
    if (it->is_number()) {
        value = it->get<double>();
    } else if (it->is_string()) {
        const auto& s = it->get_ref<const std::string&>();
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
        if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    }
    if (value < 0) return std::nullopt;
    return value;
}

Result<Recording> from_json(const nlohmann::json& object) {
    if (!object.is_object()) return fail("Twilio recording: not a JSON object");
    auto sid_field = object.find("sid");
    std::optional<RecordingSid> sid;
    if (sid_field != object.end() && sid_field->is_string())
        sid = RecordingSid::parse(sid_field->get_ref<const std::string&>());
    if (!sid) return fail("Twilio recording: missing or invalid \"sid\"");
    Recording r{*sid, std::nullopt, RecordingStatus::unknown, std::nullopt, 1, {}, std::nullopt};
    if (auto call = object.find("call_sid"); call != object.end() && call->is_string())
        r.call_sid = CallSid::parse(call->get_ref<const std::string&>());
    r.status = status_of(object.value("status", nlohmann::json()));
    r.duration_s = duration_of(object);
    if (auto channels = object.find("channels");
        channels != object.end() && channels->is_number_integer())
        r.channels = std::max(1, channels->get<int>());
    auto uri = object.find("uri");
    if (uri == object.end() || !uri->is_string())
        return fail(fmt::format("Twilio recording {}: missing \"uri\"", sid->str()));
    r.uri = uri->get<std::string>();
    if (auto code = object.find("error_code"); code != object.end() && code->is_number_integer())
        r.error_code = code->get<int>();
    return r;
}

Result<nlohmann::json> parse_json(std::string_view text) {
    auto doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded()) return fail("Twilio recording: the answer is not JSON");
    // In place: a json converts to anything, so the plain conversion is ambiguous.
    return Result<nlohmann::json>(boost::system::in_place_value, std::move(doc));
}

} // namespace

Readiness readiness(const Recording& recording) {
    switch (recording.status) {
    case RecordingStatus::absent:
    case RecordingStatus::deleted:
    case RecordingStatus::failed:
        return Readiness::gone;
    case RecordingStatus::completed:
        return recording.duration_s ? Readiness::ready : Readiness::not_ready;
    default:
        return Readiness::not_ready;
    }
}

std::string media_url(std::string_view api_base, const Recording& recording) {
    std::string_view uri = recording.uri;
    if (uri.ends_with(".json")) uri.remove_suffix(5);
    while (api_base.ends_with('/'))
        api_base.remove_suffix(1);
    return fmt::format("{}{}{}", api_base, uri.starts_with('/') ? "" : "/", uri);
}

Result<Recording> parse_recording(std::string_view json) {
    auto doc = parse_json(json);
    if (!doc) return doc.error();
    return from_json(*doc);
}

Result<std::vector<Recording>> parse_recording_list(std::string_view json) {
    auto doc = parse_json(json);
    if (!doc) return doc.error();
    auto list = doc->find("recordings");
    if (list == doc->end() || !list->is_array())
        return fail("Twilio recording list: missing \"recordings\" array");
    std::vector<Recording> out;
    for (const auto& item : *list) {
        auto r = from_json(item);
        if (!r) return r.error();
        out.push_back(std::move(*r));
    }
    return out;
}

} // namespace callscribe::twilio
