#include "twilio/media_stream.hpp"

#include "core/base64.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

#include <fmt/format.h>

namespace callscribe::twilio {
namespace {

using json = nlohmann::ordered_json; // keeps customParameters in the order sent

const json* member(const json& object, std::string_view name) {
    if (!object.is_object()) return nullptr;
    const auto it = object.find(name);
    return it == object.end() ? nullptr : &*it;
}

Result<const json*> object_member(const json& object, std::string_view name,
                                  std::string_view path) {
    const json* value = member(object, name);
    if (!value || !value->is_object()) return fail(fmt::format("{} is not an object", path));
    return value;
}

Result<std::string> string_member(const json& object, std::string_view name,
                                  std::string_view path) {
    const json* value = member(object, name);
    if (!value || !value->is_string()) return fail(fmt::format("{} is not a string", path));
    return Result<std::string>(boost::system::in_place_value, value->get<std::string>());
}

// A number Twilio sends as a string ("52"); a JSON number is taken as well.
Result<std::int64_t> counter_member(const json& object, std::string_view name,
                                    std::string_view path) {
    const json* value = member(object, name);
    if (value && value->is_number_integer() && value->get<std::int64_t>() >= 0)
        return value->get<std::int64_t>();
    if (value && value->is_string()) {
        const auto& text = value->get_ref<const std::string&>();
        std::int64_t number = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
        if (!text.empty() && ec == std::errc() && end == text.data() + text.size() && number >= 0)
            return number;
    }
    return fail(fmt::format("{} is not a whole number", path));
}

std::optional<MediaTrack> parse_track(std::string_view text) {
    // Media messages say "inbound"; dtmf messages "inbound_track".
    if (text == "inbound" || text == "inbound_track") return MediaTrack::inbound;
    if (text == "outbound" || text == "outbound_track") return MediaTrack::outbound;
    return std::nullopt;
}

Result<MediaStart> parse_start(const json& message) {
    auto start = object_member(message, "start", "start");
    if (!start) return start.error();
    const json& s = **start;
    auto account = string_member(s, "accountSid", "start.accountSid");
    if (!account) return account.error();
    auto call = string_member(s, "callSid", "start.callSid");
    if (!call) return call.error();
    const auto call_sid = CallSid::parse(*call);
    if (!call_sid) return fail("start.callSid is not a Call SID (CA + 32 hex digits)");
    MediaStart out{.account_sid = std::move(*account), .call_sid = *call_sid};
    const json* tracks = member(s, "tracks");
    if (!tracks || !tracks->is_array() || tracks->empty())
        return fail("start.tracks is not a list of tracks");
    for (const auto& track : *tracks) {
        const auto parsed =
            track.is_string() ? parse_track(track.get<std::string>()) : std::nullopt;
        if (!parsed) return fail("start.tracks lists a track other than inbound and outbound");
        out.tracks.push_back(*parsed);
    }
    auto format = object_member(s, "mediaFormat", "start.mediaFormat");
    if (!format) return format.error();
    auto encoding = string_member(**format, "encoding", "start.mediaFormat.encoding");
    if (!encoding) return encoding.error();
    out.encoding = std::move(*encoding);
    auto rate = counter_member(**format, "sampleRate", "start.mediaFormat.sampleRate");
    if (!rate) return rate.error();
    auto channels = counter_member(**format, "channels", "start.mediaFormat.channels");
    if (!channels) return channels.error();
    if (*rate > 192000 || *channels > 8) return fail("start.mediaFormat is out of range");
    out.sample_rate = static_cast<int>(*rate);
    out.channels = static_cast<int>(*channels);
    if (const json* parameters = member(s, "customParameters")) {
        if (!parameters->is_object()) return fail("start.customParameters is not an object");
        for (const auto& [name, value] : parameters->items()) {
            if (!value.is_string())
                return fail(fmt::format("start.customParameters.{} is not a string", name));
            out.custom_parameters.emplace_back(name, value.get<std::string>());
        }
    }
    return out;
}

Result<MediaChunk> parse_media(const json& message) {
    auto media = object_member(message, "media", "media");
    if (!media) return media.error();
    const json& m = **media;
    MediaChunk out;
    auto track = string_member(m, "track", "media.track");
    if (!track) return track.error();
    const auto parsed = parse_track(*track);
    if (!parsed) return fail("media.track is neither inbound nor outbound");
    out.track = *parsed;
    auto chunk = counter_member(m, "chunk", "media.chunk");
    if (!chunk) return chunk.error();
    out.chunk = *chunk;
    auto timestamp = counter_member(m, "timestamp", "media.timestamp");
    if (!timestamp) return timestamp.error();
    out.timestamp_ms = *timestamp;
    auto payload = string_member(m, "payload", "media.payload");
    if (!payload) return payload.error();
    auto bytes = decode_base64(*payload);
    if (!bytes) return fail("media.payload is not base64");
    out.payload = std::move(*bytes);
    return out;
}

} // namespace

std::string_view to_string(MediaEvent event) {
    switch (event) {
    case MediaEvent::connected:
        return "connected";
    case MediaEvent::start:
        return "start";
    case MediaEvent::media:
        return "media";
    case MediaEvent::mark:
        return "mark";
    case MediaEvent::dtmf:
        return "dtmf";
    case MediaEvent::stop:
        return "stop";
    case MediaEvent::unknown:
        return "unknown";
    }
    CALLSCRIBE_ASSERT(false);
}

std::string_view to_string(MediaTrack track) {
    return track == MediaTrack::inbound ? "inbound" : "outbound";
}

Result<MediaMessage> parse_media_message(std::string_view text) {
    const json message = json::parse(text, nullptr, false);
    if (message.is_discarded()) return fail("the message is not JSON");
    if (!message.is_object()) return fail("the message is not a JSON object");
    auto event = string_member(message, "event", "event");
    if (!event) return event.error();

    MediaMessage out;
    out.event_name = *event;
    for (const auto candidate : {MediaEvent::connected, MediaEvent::start, MediaEvent::media,
                                 MediaEvent::mark, MediaEvent::dtmf, MediaEvent::stop}) {
        if (*event == to_string(candidate)) out.event = candidate;
    }
    if (out.event == MediaEvent::unknown || out.event == MediaEvent::connected) return out;

    auto stream_sid = string_member(message, "streamSid", "streamSid");
    if (!stream_sid || stream_sid->empty()) return fail("streamSid is not a string");
    out.stream_sid = std::move(*stream_sid);
    auto sequence = counter_member(message, "sequenceNumber", "sequenceNumber");
    if (!sequence) return sequence.error();
    out.sequence = *sequence;

    switch (out.event) {
    case MediaEvent::start: {
        auto start = parse_start(message);
        if (!start) return start.error();
        out.start = std::move(*start);
        break;
    }
    case MediaEvent::media: {
        auto media = parse_media(message);
        if (!media) return media.error();
        out.media = std::move(*media);
        break;
    }
    case MediaEvent::mark: {
        auto mark = object_member(message, "mark", "mark");
        if (!mark) return mark.error();
        auto name = string_member(**mark, "name", "mark.name");
        if (!name) return name.error();
        out.mark_name = std::move(*name);
        break;
    }
    case MediaEvent::dtmf: {
        auto dtmf = object_member(message, "dtmf", "dtmf");
        if (!dtmf) return dtmf.error();
        auto digit = string_member(**dtmf, "digit", "dtmf.digit");
        if (!digit) return digit.error();
        out.dtmf_digit = std::move(*digit);
        break;
    }
    default:
        break;
    }
    return out;
}

} // namespace callscribe::twilio
