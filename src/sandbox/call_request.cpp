#include "sandbox/call_request.hpp"

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace callscribe::sandbox {
namespace {

using nlohmann::json;

// The longest a scenario may hold a recording back or delay a callback: a day.
constexpr double k_max_seconds = 24 * 3600.0;

Result<json> parse_object(std::string_view text) {
    auto doc = json::parse(text, nullptr, false);
    if (doc.is_discarded()) return fail("the body is not JSON");
    if (!doc.is_object()) return fail("the body is not a JSON object");
    return Result<json>(boost::system::in_place_value, std::move(doc));
}

Result<int> whole_number(const json& value, std::string_view name, int min, int max) {
    if (!value.is_number_integer() || value.get<std::int64_t>() < min ||
        value.get<std::int64_t>() > max)
        return fail(fmt::format("\"{}\" must be a whole number from {} to {}", name, min, max));
    return value.get<int>();
}

Result<Seconds> seconds(const json& value, std::string_view name) {
    if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() < 0 ||
        value.get<double>() > k_max_seconds)
        return fail(fmt::format("\"{}\" must be a number of seconds from 0 to {}", name,
                                static_cast<int>(k_max_seconds)));
    return Seconds(value.get<double>());
}

Result<std::string> text(const json& value, std::string_view name) {
    if (!value.is_string()) return fail(fmt::format("\"{}\" must be a string", name));
    // In place: an Error is constructible from a string too.
    return Result<std::string>(boost::system::in_place_value, value.get<std::string>());
}

Result<MediaForm> media_form(const json& value) {
    if (value == "base") return MediaForm::base;
    if (value == "mp3") return MediaForm::mp3;
    if (value == "wav") return MediaForm::wav;
    return fail("\"missing_formats\" items must be \"base\", \"mp3\" or \"wav\"");
}

Result<ScriptedAnswer> scripted_answer(const json& value) {
    if (!value.is_object()) return fail("\"failures\" items must be objects");
    ScriptedAnswer answer;
    bool has_status = false;
    for (const auto& [key, item] : value.items()) {
        if (key == "status") {
            auto status = whole_number(item, "failures[].status", 400, 599);
            if (!status) return status.error();
            answer.status = *status;
            has_status = true;
        } else if (key == "retry_after") {
            if (item.is_number_integer() && item.get<std::int64_t>() >= 0) {
                answer.retry_after = std::to_string(item.get<std::int64_t>());
            } else {
                auto retry = text(item, "failures[].retry_after");
                if (!retry) return retry.error();
                answer.retry_after = *retry;
            }
        } else {
            return fail(fmt::format("unknown field \"failures[].{}\"", key));
        }
    }
    if (!has_status) return fail("\"failures\" items need a \"status\"");
    return answer;
}

Result<CallbackRequest> callback_request(const json& value, std::string_view name) {
    if (!value.is_object()) return fail(fmt::format("\"{}\" must be an object", name));
    CallbackRequest request;
    for (const auto& [key, item] : value.items()) {
        if (key == "url") {
            auto url = text(item, fmt::format("{}.url", name));
            if (!url) return url.error();
            if (!url->starts_with("http://") && !url->starts_with("https://"))
                return fail(fmt::format("\"{}.url\" must be an http(s) URL", name));
            request.url = *url;
        } else if (key == "delay_s") {
            auto delay = seconds(item, fmt::format("{}.delay_s", name));
            if (!delay) return delay.error();
            request.delay = *delay;
        } else {
            return fail(fmt::format("unknown field \"{}.{}\"", name, key));
        }
    }
    if (request.url.empty()) return fail(fmt::format("\"{}\" needs a \"url\"", name));
    return request;
}

// One knob of the scenario; false when `key` is not a knob.
Result<bool> scenario_knob(Scenario& s, const std::string& key, const json& value) {
    if (key == "processing_fetches") {
        auto n = whole_number(value, key, 0, 1000000);
        if (!n) return n.error();
        s.processing_fetches = *n;
    } else if (key == "processing_seconds") {
        auto t = seconds(value, key);
        if (!t) return t.error();
        s.processing_seconds = *t;
    } else if (key == "pending_duration") {
        if (value == "null") {
            s.pending_duration = PendingDuration::null;
        } else if (value == "-1") {
            s.pending_duration = PendingDuration::minus_one;
        } else if (value == "missing") {
            s.pending_duration = PendingDuration::missing;
        } else {
            return fail("\"pending_duration\" must be \"null\", \"-1\" or \"missing\"");
        }
    } else if (key == "missing_formats") {
        if (!value.is_array()) return fail("\"missing_formats\" must be an array");
        for (const auto& item : value) {
            auto form = media_form(item);
            if (!form) return form.error();
            s.missing_formats.push_back(*form);
        }
    } else if (key == "media_not_found_first") {
        auto n = whole_number(value, key, 0, 1000000);
        if (!n) return n.error();
        s.media_not_found_first = *n;
    } else if (key == "failures") {
        if (!value.is_array()) return fail("\"failures\" must be an array");
        for (const auto& item : value) {
            auto answer = scripted_answer(item);
            if (!answer) return answer.error();
            s.failures.push_back(*answer);
        }
    } else if (key == "status") {
        if (value == "absent") {
            s.status = StatusOverride::absent;
        } else if (value == "deleted") {
            s.status = StatusOverride::deleted;
        } else {
            return fail("\"status\" must be \"absent\" or \"deleted\"");
        }
    } else if (key == "channels") {
        auto n = whole_number(value, key, 1, 2);
        if (!n) return n.error();
        s.channels = *n;
    } else if (key == "no_recording") {
        if (!value.is_boolean()) return fail("\"no_recording\" must be true or false");
        s.no_recording = value.get<bool>();
    } else if (key == "format") {
        if (value == "wav_pcm16") {
            s.wav_format = audio::OutputFormat::wav_pcm16;
        } else if (value == "wav_mulaw") {
            s.wav_format = audio::OutputFormat::wav_mulaw;
        } else if (value == "wav_alaw") {
            s.wav_format = audio::OutputFormat::wav_alaw;
        } else {
            return fail("\"format\" must be \"wav_pcm16\", \"wav_mulaw\" or \"wav_alaw\"");
        }
    } else {
        return false;
    }
    return true;
}

// "transcription_callback": the script of a Real-Time Transcription session.
Result<TranscriptionScript> transcription_script(const json& value) {
    constexpr std::string_view name = "transcription_callback";
    if (!value.is_object()) return fail(fmt::format("\"{}\" must be an object", name));
    json endpoint_fields = json::object();
    for (const char* key : {"url", "delay_s"}) {
        if (value.contains(key)) endpoint_fields[key] = value[key];
    }
    auto endpoint = callback_request(endpoint_fields, name);
    if (!endpoint) return endpoint.error();
    TranscriptionScript script{.url = endpoint->url, .delay = endpoint->delay};
    for (const auto& [key, item] : value.items()) {
        if (key == "url" || key == "delay_s") continue;
        if (key == "lines") {
            if (!item.is_array() || item.empty())
                return fail("\"lines\" must be a non-empty array of {\"track\", \"text\"}");
            for (const auto& line : item) {
                const auto track = line.is_object() ? line.value("track", "") : "";
                if (!line.is_object() || !line.contains("text") || !line["text"].is_string() ||
                    (track != "inbound" && track != "outbound"))
                    return fail("each of \"lines\" must be {\"track\": \"inbound\" | "
                                "\"outbound\", \"text\": \"…\"}");
                script.lines.push_back(
                    {track == "inbound" ? twilio::RttTrack::inbound : twilio::RttTrack::outbound,
                     line["text"].get<std::string>()});
            }
        } else if (key == "shuffled" || key == "partials") {
            if (!item.is_boolean()) return fail(fmt::format("\"{}\" must be true or false", key));
            (key == "shuffled" ? script.shuffled : script.partials) = item.get<bool>();
        } else if (key == "spacing_s") {
            auto spacing = seconds(item, key);
            if (!spacing) return spacing.error();
            script.spacing = *spacing;
        } else if (key == "duplicates" || key == "seed") {
            auto n = whole_number(item, key, 0, 1000000);
            if (!n) return n.error();
            if (key == "seed") {
                script.seed = static_cast<std::uint32_t>(*n);
            } else {
                script.duplicates = *n;
            }
        } else if (key == "inbound_label" || key == "outbound_label") {
            auto label = text(item, key);
            if (!label) return label.error();
            (key == "inbound_label" ? script.inbound_label : script.outbound_label) = *label;
        } else {
            return fail(fmt::format("unknown field \"{}\" in \"{}\"", key, name));
        }
    }
    if (script.lines.empty()) return fail("\"transcription_callback\" needs \"lines\"");
    return script;
}

// "media_stream": the call's Twilio Media Stream, played from its audio.
Result<MediaStreamScript> media_stream_script(const json& value) {
    constexpr std::string_view name = "media_stream";
    if (!value.is_object()) return fail(fmt::format("\"{}\" must be an object", name));
    MediaStreamScript script;
    for (const auto& [key, item] : value.items()) {
        if (key == "url") {
            auto url = text(item, "media_stream.url");
            if (!url) return url.error();
            if (!url->starts_with("ws://"))
                return fail("\"media_stream.url\" must be a ws:// URL (the sandbox streams to "
                            "services on this machine)");
            script.url = *url;
        } else if (key == "delay_s" || key == "pace") {
            auto number = seconds(item, fmt::format("media_stream.{}", key));
            if (!number) return number.error();
            if (key == "pace") {
                script.pace = number->count();
            } else {
                script.delay = *number;
            }
        } else if (key == "stream_sid") {
            auto sid = text(item, "media_stream.stream_sid");
            if (!sid) return sid.error();
            script.stream_sid = *sid;
        } else {
            return fail(fmt::format("unknown field \"{}.{}\"", name, key));
        }
    }
    if (script.url.empty()) return fail("\"media_stream\" needs a \"url\"");
    return script;
}

// "status_callback", "call_status_callback" and "transcription_callback" into the requests;
// false when `key` is none of them.
Result<bool> callback_field(std::optional<CallbackRequest>& recording,
                            std::optional<CallbackRequest>& call,
                            std::optional<TranscriptionScript>& transcription,
                            const std::string& key, const json& value) {
    if (key == "transcription_callback") {
        auto script = transcription_script(value);
        if (!script) return script.error();
        transcription = std::move(*script);
        return true;
    }
    std::optional<CallbackRequest>* target = key == "status_callback"        ? &recording
                                             : key == "call_status_callback" ? &call
                                                                             : nullptr;
    if (target == nullptr) return false;
    auto parsed = callback_request(value, key);
    if (!parsed) return parsed.error();
    *target = std::move(*parsed);
    return true;
}

} // namespace

std::string_view to_string(MediaForm form) {
    switch (form) {
    case MediaForm::base:
        return "base";
    case MediaForm::mp3:
        return "mp3";
    case MediaForm::wav:
        return "wav";
    }
    CALLSCRIBE_ASSERT(false);
}

Result<CallRequest> parse_call_request(std::string_view body) {
    auto doc = parse_object(body);
    if (!doc) return doc.error();
    CallRequest request;
    bool has_audio = false;
    for (const auto& [key, value] : doc->items()) {
        if (key == "audio") {
            auto path = text(value, key);
            if (!path) return path.error();
            if (path->empty()) return fail("\"audio\" must not be empty");
            request.audio = *path;
            has_audio = true;
        } else if (key == "call_sid") {
            auto sid = text(value, key);
            if (!sid) return sid.error();
            request.call_sid = CallSid::parse(*sid);
            if (!request.call_sid) return fail("\"call_sid\" is not a Call SID (CA + 32 hex)");
        } else if (key == "recording_sid") {
            auto sid = text(value, key);
            if (!sid) return sid.error();
            request.recording_sid = RecordingSid::parse(*sid);
            if (!request.recording_sid)
                return fail("\"recording_sid\" is not a Recording SID (RE + 32 hex)");
        } else if (key == "media_stream") {
            auto script = media_stream_script(value);
            if (!script) return script.error();
            request.media_stream = std::move(*script);
        } else if (auto knob = scenario_knob(request.scenario, key, value); !knob) {
            return knob.error();
        } else if (!*knob) {
            auto callback =
                callback_field(request.recording_status_callback, request.call_status_callback,
                               request.transcription_callback, key, value);
            if (!callback) return callback.error();
            if (!*callback) return fail(fmt::format("unknown field or knob \"{}\"", key));
        }
    }
    if (request.scenario.no_recording) {
        if (request.recording_sid) return fail("\"recording_sid\" given with \"no_recording\"");
        if (request.recording_status_callback)
            return fail("\"status_callback\" given with \"no_recording\"");
    } else if (!has_audio) {
        return fail("\"audio\" is required (a path to an MP3 or WAV file)");
    }
    if (request.media_stream && !has_audio)
        return fail("\"media_stream\" needs \"audio\": the stream plays it");
    return request;
}

Result<CallbackRequests> parse_callback_requests(std::string_view body) {
    auto doc = parse_object(body);
    if (!doc) return doc.error();
    CallbackRequests requests;
    for (const auto& [key, value] : doc->items()) {
        auto callback =
            callback_field(requests.recording_status_callback, requests.call_status_callback,
                           requests.transcription_callback, key, value);
        if (!callback) return callback.error();
        if (!*callback) return fail(fmt::format("unknown field \"{}\"", key));
    }
    return requests;
}

} // namespace callscribe::sandbox
