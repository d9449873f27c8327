#pragma once
// The live transcript of a call's media stream: each track is transcribed as it arrives, on
// worker threads of its own, so the server's io threads only hand the audio over.
//
// Per track: μ-law → 16 kHz → voice-activity detection (an utterance ends after
// `vad.hangover_s` of silence, or at `vad.max_region_s`) → the engine's UtteranceDecoder. While
// an utterance goes on, its partial text is offered every `partial_every_s` of audio (engines
// that have one); when it ends, its final text, numbered in the order utterances end.
//
// Overload: a stream's audio waits in its queue until a worker is free, and streams take turns
// (a second of audio each). A stream more than `partial_backlog_s` of audio behind, or whose
// audio waited more than `partial_lag_s` for a worker (the workers are busy: another stream's
// final words come first), skips its partial results for the rest of the utterance; final ones
// come late but come. Audio waiting longer than
// `max_backlog_s` is not transcribed live (counted, one log line per stream): the call's
// recording never depends on this, and the offline transcript after the call is complete.
//
// Thread-safe. The sink is called on the workers, one call at a time per stream.
#include "audio/voice_activity.hpp"
#include "core/clock.hpp"
#include "core/sid.hpp"
#include "stt/transcriber.hpp"
#include "twilio/media_stream.hpp"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace callscribe::live {

struct LiveTranscriptionSettings {
    int workers = 2;
    double partial_every_s = 0.5;
    double partial_backlog_s = 1.0;
    double partial_lag_s = 0.3;
    double max_backlog_s = 60;
    audio::VoiceActivitySettings vad{.rate = 16000, .max_region_s = 15};
};

struct LiveUtterance {
    CallSid call;
    std::string stream_sid;
    twilio::MediaTrack track = twilio::MediaTrack::inbound;
    bool final = false;
    std::int64_t sequence = 0; // finals: 1, 2, … per stream; partials: 0
    std::string text;
    double start_s = 0; // on the stream's clock
    double end_s = 0;
    TimePoint heard_at{}; // when the audio that ended it (or the latest of a partial) arrived
};

class LiveTranscriptSink {
  public:
    virtual ~LiveTranscriptSink() = default;
    // A partial result (it replaces the track's previous one) or a final utterance.
    virtual void utterance(const LiveUtterance& utterance) = 0;
    // The stream has ended and all its audio was transcribed (or skipped).
    virtual void stream_done(const CallSid& call, const std::string& stream_sid) = 0;
};

struct LiveFigures {
    std::int64_t streams = 0;
    std::int64_t finals = 0;
    std::int64_t partials = 0;
    std::int64_t partials_skipped = 0; // behind (partial_backlog_s, partial_lag_s)
    double skipped_audio_s = 0;        // waited longer than max_backlog_s
};

class LiveStream;

class LiveTranscription {
  public:
    LiveTranscription(const stt::Engine& engine, LiveTranscriptionSettings settings,
                      LiveTranscriptSink& sink, const Clock& clock);
    // Transcribes what is queued, then stops the workers.
    ~LiveTranscription();
    LiveTranscription(const LiveTranscription&) = delete;
    LiveTranscription& operator=(const LiveTranscription&) = delete;

    // A stream whose frames interleave `tracks` in that order (StreamRecording's channels).
    std::shared_ptr<LiveStream> open(const CallSid& call, std::string stream_sid,
                                     std::vector<twilio::MediaTrack> tracks);

    LiveFigures figures() const;

    // What the workers share with the streams (they may outlive this object's users).
    struct Shared;

  private:
    void work();

    std::shared_ptr<Shared> m_shared;
    std::vector<std::thread> m_workers;
};

// One stream's handle, held by its media stream session.
class LiveStream : public std::enable_shared_from_this<LiveStream> {
  public:
    struct Track;
    LiveStream(std::shared_ptr<LiveTranscription::Shared> shared, CallSid call,
               std::string stream_sid, std::vector<twilio::MediaTrack> tracks);
    ~LiveStream();

    // Interleaved μ-law frames, in order. Never waits for decoding.
    void audio(std::span<const std::uint8_t> frames);
    // The stream ended: the rest is transcribed, then the sink hears stream_done.
    void close();

  private:
    friend class LiveTranscription;
    struct Piece {
        std::vector<std::uint8_t> frames;
        TimePoint arrived;
    };
    // On a worker: transcribes up to a second of queued audio; true when more is waiting.
    bool work();
    void transcribe(const Piece& piece, double backlog_s);
    void finish_tracks();

    std::shared_ptr<LiveTranscription::Shared> m_shared;
    const CallSid m_call;
    const std::string m_stream_sid;
    const std::size_t m_channels;

    std::mutex m_mutex; // guards what follows, up to the workers' own state
    std::deque<Piece> m_pending;
    std::size_t m_pending_frames = 0;
    bool m_scheduled = false;
    bool m_closed = false;
    bool m_done = false;
    double m_skipped_s = 0;

    // A worker's own (one worker at a time has the stream).
    std::vector<std::unique_ptr<Track>> m_tracks;
    std::int64_t m_sequence = 0;
    TimePoint m_heard_at{}; // when the audio being transcribed arrived
};

} // namespace callscribe::live
