#include "live/media_streams.hpp"

#include "core/log.hpp"
#include "live/live_transcription.hpp"
#include "live/stream_recording.hpp"
#include "live/track_aligner.hpp"
#include "twilio/media_stream.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace callscribe::live {

namespace {

constexpr std::uint16_t k_unsupported = 1003;
constexpr std::uint16_t k_invalid = 1007;
constexpr std::uint16_t k_policy = 1008;
constexpr std::uint16_t k_internal = 1011;

std::string seconds(std::int64_t samples) {
    return fmt::format("{:.1f} s", static_cast<double>(samples) / k_stream_rate);
}

} // namespace

// One connection: Twilio's messages in order, the capture, the recording.
class MediaStreamSession final : public net::WebSocketSession {
  public:
    explicit MediaStreamSession(MediaStreams& streams) : m_streams(streams) {}
    ~MediaStreamSession() override { finish("the connection was dropped"); }

    std::optional<net::WebSocketClose> on_text(std::string_view text) override {
        auto message = twilio::parse_media_message(text);
        if (!message) return refuse(k_invalid, message.error().message);
        if (m_stopped) return refuse(k_policy, fmt::format("{} after stop", message->event_name));
        if (message->event != twilio::MediaEvent::connected &&
            message->event != twilio::MediaEvent::unknown && m_recording &&
            message->stream_sid != m_stream_sid) {
            return refuse(k_policy,
                          fmt::format("streamSid {} is not this stream's", message->stream_sid));
        }
        switch (message->event) {
        case twilio::MediaEvent::connected:
            if (m_recording) return refuse(k_policy, "connected after start");
            return std::nullopt;
        case twilio::MediaEvent::start:
            return start(*message);
        case twilio::MediaEvent::media:
            return media(*message->media);
        case twilio::MediaEvent::mark:
        case twilio::MediaEvent::dtmf:
            if (!m_recording) return refuse(k_policy, message->event_name + " before start");
            return std::nullopt;
        case twilio::MediaEvent::stop:
            if (!m_recording) return refuse(k_policy, "stop before start");
            m_stopped = true;
            finish("");
            return std::nullopt;
        case twilio::MediaEvent::unknown:
            break;
        }
        return refuse(k_unsupported, fmt::format("unknown event \"{}\"", message->event_name));
    }

    void on_end(std::string_view why) override { finish(why); }

  private:
    std::optional<net::WebSocketClose> start(const twilio::MediaMessage& message) {
        if (m_recording) return refuse(k_policy, "a second start");
        const twilio::MediaStart& start = *message.start;
        m_stream_sid = message.stream_sid;
        if (start.encoding != "audio/x-mulaw" || start.sample_rate != k_stream_rate ||
            start.channels != 1) {
            return refuse(k_unsupported,
                          fmt::format("media format {} at {} Hz with {} channel(s) is not "
                                      "audio/x-mulaw at 8000 Hz mono",
                                      start.encoding, start.sample_rate, start.channels));
        }
        const auto& account = m_streams.settings().account_sid;
        if (!account.empty() && start.account_sid != account)
            return refuse(k_policy, fmt::format("the stream is not for account {}", account));
        // Channel 0 is the first track listed by us: inbound (the caller) before outbound.
        m_tracks.clear();
        for (const auto track : {twilio::MediaTrack::inbound, twilio::MediaTrack::outbound}) {
            if (std::find(start.tracks.begin(), start.tracks.end(), track) != start.tracks.end())
                m_tracks.push_back(track);
        }
        if (!m_streams.claim(start.call_sid)) {
            return refuse(k_policy, fmt::format("call {} has a media stream going on already",
                                                start.call_sid.str()));
        }
        m_call.emplace(start.call_sid);
        const auto& s = m_streams.settings();
        auto recording = StreamRecording::create(
            s.recordings_dir, *m_call, static_cast<int>(m_tracks.size()), s.sync_every_frames);
        if (!recording) {
            log().error("[MEDIA] stream {} of call {}: {}", m_stream_sid, m_call->str(),
                        recording.error().message);
            return refuse(k_internal, "cannot write the recording");
        }
        m_recording.emplace(std::move(*recording));
        m_aligner.emplace(static_cast<int>(m_tracks.size()), s.reorder_window, s.max_jump);
        if (m_streams.m_live) m_live = m_streams.m_live->open(*m_call, m_stream_sid, m_tracks);
        std::vector<std::string_view> names;
        for (const auto track : m_tracks)
            names.push_back(to_string(track));
        log().info("[MEDIA] stream {} of call {} started: tracks {}", m_stream_sid, m_call->str(),
                   fmt::join(names, ", "));
        return std::nullopt;
    }

    std::optional<net::WebSocketClose> media(const twilio::MediaChunk& chunk) {
        if (!m_recording) return refuse(k_policy, "media before start");
        const auto track = std::find(m_tracks.begin(), m_tracks.end(), chunk.track);
        if (track == m_tracks.end()) {
            return refuse(k_policy, fmt::format("media of the {} track, which start did not list",
                                                to_string(chunk.track)));
        }
        const int channel = static_cast<int>(track - m_tracks.begin());
        if (auto placed = m_aligner->add(channel, chunk.timestamp_ms, chunk.payload); !placed)
            return refuse(k_invalid, placed.error().message);
        m_frames.clear();
        m_aligner->take_settled(m_frames);
        if (auto written = m_recording->append(m_frames); !written) {
            log().error("[MEDIA] stream {} of call {}: {}", m_stream_sid, m_call->str(),
                        written.error().message);
            return refuse(k_internal, "cannot write the recording");
        }
        if (m_live) m_live->audio(m_frames);
        return std::nullopt;
    }

    std::optional<net::WebSocketClose> refuse(std::uint16_t code, std::string reason) {
        log().warn("[MEDIA] stream {} closed ({}): {}",
                   m_stream_sid.empty() ? std::string("(not started)") : m_stream_sid, code,
                   reason);
        return net::WebSocketClose{code, std::move(reason)};
    }

    // Completes the recording: at stop (`why` empty) or when the connection ends without it.
    void finish(std::string_view why) {
        if (!m_recording || m_finished) return;
        m_finished = true;
        m_frames.clear();
        m_aligner->take_all(m_frames);
        auto written = m_recording->append(m_frames);
        if (m_live) {
            m_live->audio(m_frames);
            m_live->close();
        }
        auto path =
            written ? m_recording->finish() : Result<std::filesystem::path>(written.error());
        const auto counts = m_aligner->counts();
        std::vector<std::string> silence;
        for (std::size_t i = 0; i < m_tracks.size(); ++i)
            silence.push_back(
                fmt::format("{} {}", to_string(m_tracks[i]), seconds(counts.silence_samples[i])));
        const std::string figures =
            fmt::format("{} captured (silence filled: {}; late {})", seconds(m_recording->frames()),
                        fmt::join(silence, ", "), seconds(counts.late_samples));
        const std::string how =
            why.empty() ? "stopped" : fmt::format("ended without stop ({})", why);
        if (!path) {
            log().error("[MEDIA] stream {} of call {} {}: {}; {}", m_stream_sid, m_call->str(), how,
                        figures, path.error().message);
        } else if (why.empty()) {
            log().info("[MEDIA] stream {} of call {} {}: {} → recordings/{}", m_stream_sid,
                       m_call->str(), how, figures, path->filename().string());
        } else {
            log().warn("[MEDIA] stream {} of call {} {}: {} → recordings/{}", m_stream_sid,
                       m_call->str(), how, figures, path->filename().string());
        }
        m_streams.release(*m_call);
    }

    MediaStreams& m_streams;
    std::string m_stream_sid;
    std::optional<CallSid> m_call;
    std::vector<twilio::MediaTrack> m_tracks;
    std::optional<TrackAligner> m_aligner;
    std::optional<StreamRecording> m_recording;
    std::shared_ptr<LiveStream> m_live;
    std::vector<std::uint8_t> m_frames; // reused: settled frames on their way to the file
    bool m_stopped = false;
    bool m_finished = false;
};

MediaStreams::MediaStreams(MediaStreamSettings settings, LiveTranscription* live)
    : m_settings(std::move(settings)), m_live(live) {}

std::shared_ptr<net::WebSocketSession> MediaStreams::open_session() {
    return std::make_shared<MediaStreamSession>(*this);
}

std::size_t MediaStreams::active() const {
    std::lock_guard lock(m_mutex);
    return m_active.size();
}

bool MediaStreams::claim(const CallSid& call) {
    std::lock_guard lock(m_mutex);
    return m_active.insert(call).second;
}

void MediaStreams::release(const CallSid& call) {
    std::lock_guard lock(m_mutex);
    m_active.erase(call);
}

std::size_t MediaStreams::recover() const {
    std::size_t completed = 0;
    for (const auto& recovered : recover_stream_recordings(m_settings.recordings_dir)) {
        if (!recovered) {
            log().error("[MEDIA] a recording cut short stays unfinished: {}",
                        recovered.error().message);
            continue;
        }
        ++completed;
        log().warn("[MEDIA] completed recordings/{} ({}) that a stop of the service cut short",
                   recovered->path.filename().string(), seconds(recovered->frames));
    }
    return completed;
}

} // namespace callscribe::live
