#include "twilio/realtime_transcription.hpp"

#include "core/sid.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>

namespace callscribe::twilio {
namespace {

std::optional<std::string_view> field(const net::FormFields& form, std::string_view name) {
    for (const auto& [key, value] : form) {
        if (key == name) return std::string_view(value);
    }
    return std::nullopt;
}

Result<std::string_view> required(const net::FormFields& form, std::string_view name) {
    const auto value = field(form, name);
    if (!value || value->empty()) return fail(fmt::format("missing {}", name));
    return *value;
}

Result<std::int64_t> whole_number(std::string_view name, std::string_view text) {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || value < 0) {
        return fail(fmt::format("{} is not a whole number: \"{}\"", name, text));
    }
    return value;
}

Result<RttTrack> track_of(std::string_view text) {
    if (text == "inbound_track") return RttTrack::inbound;
    if (text == "outbound_track") return RttTrack::outbound;
    return fail(fmt::format("Track is not inbound_track or outbound_track: \"{}\"", text));
}

// TranscriptionData: a JSON object in a form field, {"transcript": "...", "confidence": 0.97}.
Result<void> read_data(std::string_view json, RttUtterance& utterance) {
    const auto data = nlohmann::json::parse(json, nullptr, false);
    if (!data.is_object()) return fail("TranscriptionData is not a JSON object");
    const auto transcript = data.find("transcript");
    if (transcript == data.end() || !transcript->is_string()) {
        return fail("TranscriptionData has no \"transcript\" string");
    }
    utterance.text = transcript->get<std::string>();
    if (const auto confidence = data.find("confidence");
        confidence != data.end() && confidence->is_number()) {
        utterance.confidence = confidence->get<double>();
    }
    return {};
}

Result<RttUtterance> utterance_of(const net::FormFields& form, std::int64_t sequence) {
    RttUtterance utterance;
    utterance.sequence = sequence;
    auto track = required(form, "Track");
    if (!track) return track.error();
    auto parsed_track = track_of(*track);
    if (!parsed_track) return parsed_track.error();
    utterance.track = *parsed_track;
    auto data = required(form, "TranscriptionData");
    if (!data) return data.error();
    if (auto read = read_data(*data, utterance); !read) return read.error();
    const auto final = field(form, "Final").value_or("true");
    if (final != "true" && final != "false") {
        return fail(fmt::format("Final is not true or false: \"{}\"", final));
    }
    utterance.final = final == "true";
    return utterance;
}

Result<RttEventKind> kind_of(std::string_view text) {
    for (auto kind : {RttEventKind::started, RttEventKind::content, RttEventKind::stopped,
                      RttEventKind::error}) {
        if (text == to_string(kind)) return kind;
    }
    return fail(fmt::format("TranscriptionEvent is not one Twilio sends: \"{}\"", text));
}

} // namespace

std::string_view to_string(RttEventKind kind) {
    switch (kind) {
    case RttEventKind::started:
        return "transcription-started";
    case RttEventKind::content:
        return "transcription-content";
    case RttEventKind::stopped:
        return "transcription-stopped";
    case RttEventKind::error:
        return "transcription-error";
    }
    return "transcription-content";
}

std::string_view to_string(RttTrack track) {
    return track == RttTrack::inbound ? "inbound_track" : "outbound_track";
}

Result<RttEvent> parse_rtt_event(const net::FormFields& form) {
    RttEvent event;
    auto kind = required(form, "TranscriptionEvent");
    if (!kind) return kind.error();
    auto parsed_kind = kind_of(*kind);
    if (!parsed_kind) return parsed_kind.error();
    event.kind = *parsed_kind;

    auto session = required(form, "TranscriptionSid");
    if (!session) return session.error();
    if (!Sid<'G', 'T'>::parse(*session)) {
        return fail(fmt::format("TranscriptionSid is not a valid SID (GT + 32 hex digits): \"{}\"",
                                *session));
    }
    event.transcription_sid = std::string(*session);
    auto sequence_text = required(form, "SequenceId");
    if (!sequence_text) return sequence_text.error();
    auto sequence = whole_number("SequenceId", *sequence_text);
    if (!sequence) return sequence.error();
    event.sequence = *sequence;

    switch (event.kind) {
    case RttEventKind::started:
        event.inbound_label = std::string(field(form, "InboundTrackLabel").value_or(""));
        event.outbound_label = std::string(field(form, "OutboundTrackLabel").value_or(""));
        break;
    case RttEventKind::content: {
        auto utterance = utterance_of(form, event.sequence);
        if (!utterance) return utterance.error();
        event.utterance = std::move(*utterance);
        break;
    }
    case RttEventKind::error:
        event.error = std::string(field(form, "TranscriptionError").value_or(""));
        if (const auto code = field(form, "TranscriptionErrorCode"); code && !code->empty()) {
            auto number = whole_number("TranscriptionErrorCode", *code);
            if (!number) return number.error();
            event.error_code = static_cast<int>(*number);
        }
        break;
    case RttEventKind::stopped:
        break;
    }
    return event;
}

std::string speaker(const RttLabels& labels, RttTrack track) {
    const RttLabels defaults;
    if (track == RttTrack::inbound)
        return labels.inbound.empty() ? defaults.inbound : labels.inbound;
    return labels.outbound.empty() ? defaults.outbound : labels.outbound;
}

std::string assemble_rtt_transcript(std::vector<RttUtterance> utterances, const RttLabels& labels) {
    std::erase_if(utterances, [](const RttUtterance& u) {
        return !u.final || u.text.find_first_not_of(" \t\r\n") == std::string::npos;
    });
    std::ranges::stable_sort(utterances, {}, &RttUtterance::sequence);
    const auto same_sequence = [](const RttUtterance& a, const RttUtterance& b) {
        return a.sequence == b.sequence;
    };
    utterances.erase(std::unique(utterances.begin(), utterances.end(), same_sequence),
                     utterances.end());

    std::string transcript;
    std::optional<RttTrack> speaking;
    for (const auto& utterance : utterances) {
        const auto first = utterance.text.find_first_not_of(" \t\r\n");
        const auto last = utterance.text.find_last_not_of(" \t\r\n");
        const std::string_view text =
            std::string_view(utterance.text).substr(first, last - first + 1);
        if (speaking == utterance.track) {
            transcript += ' ';
        } else {
            if (speaking) transcript += '\n';
            transcript += speaker(labels, utterance.track) + ": ";
            speaking = utterance.track;
        }
        transcript += text;
    }
    return transcript;
}

} // namespace callscribe::twilio
