#include "live/live_transcription.hpp"

#include "audio/mulaw.hpp"
#include "audio/resampler.hpp"
#include "core/log.hpp"
#include "live/track_aligner.hpp"

#include <optional>

namespace callscribe::live {

namespace {

constexpr int k_decoder_rate = 16000;
constexpr std::size_t k_turn_frames = k_stream_rate; // a stream's turn: a second of audio

} // namespace

struct LiveTranscription::Shared {
    Shared(const stt::Engine& e, LiveTranscriptionSettings s, LiveTranscriptSink& k, const Clock& c)
        : engine(e), settings(std::move(s)), sink(k), clock(c) {}

    const stt::Engine& engine;
    LiveTranscriptionSettings settings;
    LiveTranscriptSink& sink;
    const Clock& clock;

    std::mutex mutex;
    std::condition_variable wake;
    std::deque<std::shared_ptr<LiveStream>> ready; // streams with audio waiting, in turn
    bool stopping = false;
    LiveFigures figures;

    void schedule(std::shared_ptr<LiveStream> stream) {
        {
            std::lock_guard lock(mutex);
            ready.push_back(std::move(stream));
        }
        wake.notify_one();
    }

    void count(void (*add)(LiveFigures&, double), double value = 0) {
        std::lock_guard lock(mutex);
        add(figures, value);
    }
};

// One track's way from μ-law to utterances; only the worker that has the stream touches it.
struct LiveStream::Track {
    twilio::MediaTrack name;
    std::unique_ptr<stt::UtteranceDecoder> decoder;
    std::optional<audio::Resampler> resampler;
    std::optional<audio::VoiceActivityDetector> vad;
    std::vector<std::uint8_t> mulaw; // this track's bytes of a piece
    std::vector<float> narrow;       // 8 kHz
    std::vector<float> wide;         // 16 kHz
    double start_s = 0;
    double since_partial_s = 0;
    bool speaking = false;
    bool failed = false;
    // A partial result was skipped: none for the rest of the utterance, whose streaming pass
    // would have to catch up on all that it missed, and late at that.
    bool partials_off = false;
    std::string last_partial;
};

LiveTranscription::LiveTranscription(const stt::Engine& engine, LiveTranscriptionSettings settings,
                                     LiveTranscriptSink& sink, const Clock& clock)
    : m_shared(std::make_shared<Shared>(engine, std::move(settings), sink, clock)) {
    for (int i = 0; i < std::max(1, m_shared->settings.workers); ++i)
        m_workers.emplace_back([this] { work(); });
}

LiveTranscription::~LiveTranscription() {
    {
        std::lock_guard lock(m_shared->mutex);
        m_shared->stopping = true;
    }
    m_shared->wake.notify_all();
    for (auto& worker : m_workers)
        worker.join();
}

std::shared_ptr<LiveStream> LiveTranscription::open(const CallSid& call, std::string stream_sid,
                                                    std::vector<twilio::MediaTrack> tracks) {
    m_shared->count([](LiveFigures& f, double) { ++f.streams; });
    return std::make_shared<LiveStream>(m_shared, call, std::move(stream_sid), std::move(tracks));
}

LiveFigures LiveTranscription::figures() const {
    std::lock_guard lock(m_shared->mutex);
    return m_shared->figures;
}

void LiveTranscription::work() {
    Shared& shared = *m_shared;
    for (;;) {
        std::shared_ptr<LiveStream> stream;
        {
            std::unique_lock lock(shared.mutex);
            // Stopping, the queue is still worked off: the streams' last utterances are saved.
            shared.wake.wait(lock, [&] { return shared.stopping || !shared.ready.empty(); });
            if (shared.ready.empty()) return;
            stream = std::move(shared.ready.front());
            shared.ready.pop_front();
        }
        if (stream->work()) shared.schedule(std::move(stream));
    }
}

LiveStream::LiveStream(std::shared_ptr<LiveTranscription::Shared> shared, CallSid call,
                       std::string stream_sid, std::vector<twilio::MediaTrack> tracks)
    : m_shared(std::move(shared)), m_call(std::move(call)), m_stream_sid(std::move(stream_sid)),
      m_channels(tracks.size()) {
    const auto& settings = m_shared->settings;
    for (const auto name : tracks) {
        auto track = std::make_unique<Track>();
        track->name = name;
        auto decoder = m_shared->engine.make_utterance_decoder();
        auto resampler = audio::Resampler::create(k_stream_rate, k_decoder_rate, 1);
        if (!decoder || !resampler) {
            log().error("[MEDIA] stream {} of call {}: no live transcript of the {} track: {}",
                        m_stream_sid, m_call.str(), to_string(name),
                        (!decoder ? decoder.error() : resampler.error()).message);
            track->failed = true;
        } else {
            track->decoder = std::move(*decoder);
            track->resampler.emplace(std::move(*resampler));
        }
        Track& t = *track;
        track->vad.emplace(
            settings.vad,
            audio::VoiceActivityDetector::Sink{
                [&t](double s) {
                    t.start_s = s;
                    t.speaking = true;
                    t.partials_off = false;
                },
                [&t](std::span<const float> x) {
                    if (t.failed) return;
                    if (auto fed = t.decoder->feed(x); !fed) {
                        log().error("[MEDIA] live transcript of the {} track stops: {}",
                                    to_string(t.name), fed.error().message);
                        t.failed = true;
                    }
                    t.since_partial_s += double(x.size()) / k_decoder_rate;
                },
                [this, &t](double end_s) {
                    t.speaking = false;
                    t.since_partial_s = 0;
                    t.last_partial.clear();
                    if (t.failed) return;
                    auto text = t.decoder->finish();
                    if (!text) {
                        log().error("[MEDIA] live transcript of the {} track stops: {}",
                                    to_string(t.name), text.error().message);
                        t.failed = true;
                        return;
                    }
                    if (text->empty()) return;
                    m_shared->count([](LiveFigures& f, double) { ++f.finals; });
                    m_shared->sink.utterance({.call = m_call,
                                              .stream_sid = m_stream_sid,
                                              .track = t.name,
                                              .final = true,
                                              .sequence = ++m_sequence,
                                              .text = std::move(*text),
                                              .start_s = t.start_s,
                                              .end_s = end_s,
                                              .heard_at = m_heard_at});
                }});
        m_tracks.push_back(std::move(track));
    }
}

LiveStream::~LiveStream() = default;

void LiveStream::audio(std::span<const std::uint8_t> frames) {
    if (frames.empty() || m_channels == 0) return;
    const TimePoint now = m_shared->clock.now();
    const auto max_frames =
        static_cast<std::size_t>(m_shared->settings.max_backlog_s * k_stream_rate);
    bool schedule = false;
    double skipped_s = 0;
    {
        std::lock_guard lock(m_mutex);
        if (m_closed) return;
        m_pending.push_back({{frames.begin(), frames.end()}, now});
        m_pending_frames += frames.size() / m_channels;
        // Too far behind: the oldest audio is left to the offline transcript.
        while (m_pending_frames > max_frames && m_pending.size() > 1) {
            const std::size_t dropped = m_pending.front().frames.size() / m_channels;
            m_pending_frames -= dropped;
            skipped_s += double(dropped) / k_stream_rate;
            m_pending.pop_front();
        }
        m_skipped_s += skipped_s;
        schedule = !m_scheduled;
        m_scheduled = true;
    }
    if (skipped_s > 0)
        m_shared->count([](LiveFigures& f, double s) { f.skipped_audio_s += s; }, skipped_s);
    if (schedule) m_shared->schedule(shared_from_this());
}

void LiveStream::close() {
    bool schedule = false;
    {
        std::lock_guard lock(m_mutex);
        if (m_closed) return;
        m_closed = true;
        schedule = !m_scheduled;
        m_scheduled = true;
    }
    if (schedule) m_shared->schedule(shared_from_this());
}

bool LiveStream::work() {
    std::size_t frames_done = 0;
    while (frames_done < k_turn_frames) {
        Piece piece;
        double backlog_s = 0;
        double skipped_s = 0;
        {
            std::lock_guard lock(m_mutex);
            if (m_pending.empty()) {
                if (!m_closed || m_done) {
                    m_scheduled = false;
                    return false;
                }
                m_done = true;
                skipped_s = m_skipped_s;
            } else {
                piece = std::move(m_pending.front());
                m_pending.pop_front();
                m_pending_frames -= piece.frames.size() / m_channels;
                backlog_s = double(m_pending_frames) / k_stream_rate;
            }
        }
        if (piece.frames.empty()) { // closed, and everything before was transcribed
            if (skipped_s > 0)
                log().warn("[MEDIA] stream {} of call {}: {:.1f} s of audio not transcribed live "
                           "(the live transcription was behind by more than {:.0f} s)",
                           m_stream_sid, m_call.str(), skipped_s, m_shared->settings.max_backlog_s);
            m_heard_at = m_shared->clock.now();
            finish_tracks();
            m_shared->sink.stream_done(m_call, m_stream_sid);
            std::lock_guard lock(m_mutex);
            m_scheduled = false;
            return false;
        }
        transcribe(piece, backlog_s);
        frames_done += piece.frames.size() / m_channels;
    }
    return true; // its turn is over; the stream goes to the back of the queue
}

void LiveStream::transcribe(const Piece& piece, double backlog_s) {
    const auto& settings = m_shared->settings;
    const std::size_t frames = piece.frames.size() / m_channels;
    m_heard_at = piece.arrived;
    for (std::size_t c = 0; c < m_tracks.size(); ++c) {
        Track& t = *m_tracks[c];
        if (t.failed) continue;
        t.mulaw.resize(frames);
        for (std::size_t i = 0; i < frames; ++i)
            t.mulaw[i] = piece.frames[i * m_channels + c];
        t.narrow.clear();
        t.wide.clear();
        audio::decode_mulaw(t.mulaw, t.narrow);
        t.resampler->process(t.narrow, t.wide);
        t.vad->feed(t.wide);
        if (!t.speaking || t.failed || t.since_partial_s < settings.partial_every_s) continue;
        t.since_partial_s = 0;
        const double lag_s = Seconds(m_shared->clock.now() - piece.arrived).count();
        if (t.partials_off || backlog_s > settings.partial_backlog_s ||
            lag_s > settings.partial_lag_s) {
            t.partials_off = true;
            m_shared->count([](LiveFigures& f, double) { ++f.partials_skipped; });
            continue;
        }
        std::string text = t.decoder->partial();
        if (text.empty() || text == t.last_partial) continue;
        t.last_partial = text;
        m_shared->count([](LiveFigures& f, double) { ++f.partials; });
        m_shared->sink.utterance({.call = m_call,
                                  .stream_sid = m_stream_sid,
                                  .track = t.name,
                                  .text = std::move(text),
                                  .start_s = t.start_s,
                                  .heard_at = piece.arrived});
    }
}

void LiveStream::finish_tracks() {
    for (auto& track : m_tracks) {
        Track& t = *track;
        if (t.failed) continue;
        t.wide.clear();
        t.resampler->finish(t.wide);
        t.vad->feed(t.wide);
        t.vad->finish(); // an utterance still open ends here
    }
}

} // namespace callscribe::live
