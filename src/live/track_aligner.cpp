#include "live/track_aligner.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace callscribe::live {

TrackAligner::TrackAligner(int channels, std::int64_t reorder_window, std::int64_t max_jump)
    : m_channels(channels), m_window(reorder_window), m_max_jump(max_jump),
      m_tracks(static_cast<std::size_t>(channels)) {
    CALLSCRIBE_ASSERT(channels == 1 || channels == 2);
    CALLSCRIBE_ASSERT(reorder_window >= 0 && max_jump >= 0);
}

std::int64_t TrackAligner::furthest() const {
    std::size_t longest = 0;
    for (const auto& track : m_tracks)
        longest = std::max(longest, track.samples.size());
    return m_emitted + static_cast<std::int64_t>(longest);
}

Result<void> TrackAligner::add(int channel, std::int64_t timestamp_ms, std::string_view samples) {
    CALLSCRIBE_ASSERT(channel >= 0 && channel < m_channels);
    const std::int64_t start = timestamp_ms * (k_stream_rate / 1000);
    if (start - furthest() > m_max_jump) {
        return fail(fmt::format("media.timestamp {} jumps {:.1f} s past the stream's end",
                                timestamp_ms,
                                static_cast<double>(start - furthest()) / k_stream_rate));
    }
    Track& track = m_tracks[static_cast<std::size_t>(channel)];
    const auto size = static_cast<std::int64_t>(samples.size());
    const std::int64_t skip = std::clamp<std::int64_t>(m_emitted - start, 0, size);
    m_late += skip;
    if (skip == size) return {};
    const auto from = static_cast<std::size_t>(start + skip - m_emitted);
    const auto to = static_cast<std::size_t>(start + size - m_emitted);
    if (track.samples.size() < to) {
        track.samples.resize(to, k_mulaw_silence);
        track.filled.resize(to, false);
    }
    for (std::size_t i = from; i < to; ++i) {
        if (track.filled[i]) {
            ++m_repeated;
            continue;
        }
        track.samples[i] =
            static_cast<std::uint8_t>(samples[i - from + static_cast<std::size_t>(skip)]);
        track.filled[i] = true;
        ++track.received;
    }
    return {};
}

void TrackAligner::emit(std::int64_t frames, std::vector<std::uint8_t>& out) {
    if (frames <= 0) return;
    const auto count = static_cast<std::size_t>(frames);
    out.reserve(out.size() + count * m_tracks.size());
    for (std::size_t i = 0; i < count; ++i) {
        for (const auto& track : m_tracks)
            out.push_back(i < track.samples.size() ? track.samples[i] : k_mulaw_silence);
    }
    for (auto& track : m_tracks) {
        const auto drop = std::min(count, track.samples.size());
        track.samples.erase(track.samples.begin(),
                            track.samples.begin() + static_cast<std::ptrdiff_t>(drop));
        track.filled.erase(track.filled.begin(),
                           track.filled.begin() + static_cast<std::ptrdiff_t>(drop));
    }
    m_emitted += frames;
}

void TrackAligner::take_settled(std::vector<std::uint8_t>& out) {
    std::int64_t every = furthest();
    for (const auto& track : m_tracks)
        every = std::min(every, m_emitted + static_cast<std::int64_t>(track.samples.size()));
    const std::int64_t settled = std::max(every, furthest() - m_window);
    emit(settled - m_emitted, out);
}

void TrackAligner::take_all(std::vector<std::uint8_t>& out) {
    emit(furthest() - m_emitted, out);
}

AlignerCounts TrackAligner::counts() const {
    AlignerCounts counts{.late_samples = m_late, .repeated_samples = m_repeated};
    for (const auto& track : m_tracks) {
        std::int64_t pending_filled = 0;
        for (const bool filled : track.filled)
            pending_filled += filled ? 1 : 0;
        // Of the frames handed out, those this track's chunks did not fill were silence.
        counts.silence_samples.push_back(m_emitted - (track.received - pending_filled));
    }
    return counts;
}

} // namespace callscribe::live
