#pragma once
// The Twilio Media Streams the service receives on GET /twilio/media (docs/media-streams.md):
// each connection becomes a session that reads Twilio's messages in order (connected, start,
// media…, stop), puts the tracks side by side on the call's clock (TrackAligner) and writes
// them to the call's own recording (StreamRecording).
//
// With a LiveTranscription, each stream's tracks are also transcribed as they come (its sink
// hears the utterances, and stream_done once the stream has ended and been transcribed).
//
// A message that breaks the protocol closes the connection with a code and one log line,
// keeping what was captured: not JSON, a malformed member or bad base64 → 1007; an unknown
// event or a media format other than μ-law 8 kHz mono → 1003; an event out of order (media
// before start, a second start, anything after stop), another stream's SID, another account,
// or a call that already has a stream going on → 1008; a recording that cannot be written →
// 1011. However the connection ends (stop, a close, an idle timeout, the server stopping), the
// recording is completed and renamed into place.
//
// Log lines ([MEDIA], one per event worth an operator's eye):
//   [MEDIA] stream MZ… of call CA… started: tracks inbound, outbound
//   [MEDIA] stream MZ… of call CA… stopped: 62.4 s captured (silence filled: inbound 0.1 s,
//           outbound 0.0 s; late 0.0 s) → recordings/CA….stream.wav
//   [MEDIA] stream MZ… of call CA… ended without stop (idle for 30 s): …same figures…
//   [MEDIA] stream MZ… closed (1007): media.payload is not base64
//
// Thread-safe: sessions run on the server's io threads, one connection each.
#include "core/sid.hpp"
#include "net/server/server_types.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace callscribe::live {

struct MediaStreamSettings {
    std::filesystem::path recordings_dir;
    std::string account_sid{};                 // streams of another account are refused; empty: any
    std::int64_t sync_every_frames = 5 * 8000; // fsync the recording every 5 s of audio
    std::int64_t reorder_window = 8000;        // 1 s: how late a chunk may come and still land
    std::int64_t max_jump = 10 * 60 * 8000;    // 10 min: a larger timestamp jump is refused
};

class LiveTranscription;

class MediaStreams {
  public:
    explicit MediaStreams(MediaStreamSettings settings, LiveTranscription* live = nullptr);

    // A session for one new connection, to hand to the server (ServerResponse::websocket).
    std::shared_ptr<net::WebSocketSession> open_session();

    // Streams going on now.
    std::size_t active() const;

    // At start: completes the recordings a crash cut short (StreamRecording), one log line
    // each. Returns how many were completed.
    std::size_t recover() const;

    const MediaStreamSettings& settings() const { return m_settings; }

  private:
    friend class MediaStreamSession;
    // A call has one stream at a time: false when it has one already.
    bool claim(const CallSid& call);
    void release(const CallSid& call);

    MediaStreamSettings m_settings;
    LiveTranscription* m_live;
    mutable std::mutex m_mutex;
    std::set<CallSid> m_active;
};

} // namespace callscribe::live
