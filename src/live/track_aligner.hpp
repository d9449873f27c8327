#pragma once
// Puts the tracks of a Twilio Media Stream side by side on the call's clock: each chunk of
// μ-law samples lands at its timestamp (ms from the stream's start, 8 samples a ms), so a chunk
// that never came becomes silence and one that came out of order still lands in its place; the
// channels stay aligned with each other and with the call.
//
// Frames are handed out (take_settled) once no chunk can change them any more: when every track
// has passed them, or when they are more than `reorder_window` behind the furthest track (a
// track that went quiet does not hold the others back). A chunk for frames already handed out
// is late: what is left of it is kept, the rest counted. Memory is bounded by the window: at
// most reorder_window + one chunk per track.
//
// Not thread-safe: one stream's messages arrive in order on one connection.
#include "core/result.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace callscribe::live {

inline constexpr std::uint8_t k_mulaw_silence = 0xFF;
inline constexpr int k_stream_rate = 8000; // samples a second: Twilio's μ-law

struct AlignerCounts {
    std::int64_t late_samples = 0;               // dropped: their frames were already handed out
    std::int64_t repeated_samples = 0;           // came twice: the first kept
    std::vector<std::int64_t> silence_samples{}; // per channel: frames no chunk filled
};

class TrackAligner {
  public:
    // `channels`: 1 or 2 (the stream's tracks). `reorder_window`, `max_jump`: in samples.
    TrackAligner(int channels, std::int64_t reorder_window, std::int64_t max_jump);

    // Places μ-law `samples` of `channel` at `timestamp_ms`. Fails, changing nothing, when the
    // chunk would start more than `max_jump` samples after the furthest frame so far (a
    // timestamp that would make hours of silence).
    Result<void> add(int channel, std::int64_t timestamp_ms, std::string_view samples);

    // Appends the settled frames, interleaved, to `out`.
    void take_settled(std::vector<std::uint8_t>& out);
    // At the end of the stream: appends every frame up to the furthest one (a shorter track is
    // padded with silence).
    void take_all(std::vector<std::uint8_t>& out);

    int channels() const { return m_channels; }
    std::int64_t frames_out() const { return m_emitted; } // handed out so far
    AlignerCounts counts() const;

  private:
    struct Track {
        std::vector<std::uint8_t> samples; // from frame m_emitted on
        std::vector<bool> filled;          // which of them a chunk wrote
        std::int64_t received = 0;         // samples that landed (not late, not repeated)
    };
    void emit(std::int64_t frames, std::vector<std::uint8_t>& out);
    std::int64_t furthest() const; // the frame after the last one any track filled

    int m_channels;
    std::int64_t m_window;
    std::int64_t m_max_jump;
    std::int64_t m_emitted = 0;
    std::vector<Track> m_tracks;
    std::int64_t m_late = 0;
    std::int64_t m_repeated = 0;
};

} // namespace callscribe::live
