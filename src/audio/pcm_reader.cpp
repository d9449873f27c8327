#include "audio/pcm_reader.hpp"

#include "audio/resampler.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace callscribe::audio {

namespace {

// Source audio decoded per next(): half a second keeps the output chunk small at any rate while
// leaving the per-call overhead negligible.
constexpr int k_chunk_divisor = 2;

} // namespace

struct PcmReader::Impl {
    std::filesystem::path file;
    std::unique_ptr<Decoder> decoder;
    Resampler resampler;
    int rate = 0;
    std::vector<float> decoded;   // interleaved, source rate
    std::vector<float> resampled; // interleaved, output rate
    std::int64_t frames_decoded = 0;
    bool finished = false;
};

Result<PcmReader> PcmReader::open(const std::filesystem::path& file, int rate) {
    CALLSCRIBE_ASSERT(rate > 0);
    auto decoder = open_decoder(file);
    if (!decoder) return decoder.error();
    const AudioInfo& info = (*decoder)->info();
    auto resampler = Resampler::create(info.sample_rate, rate, info.channels);
    if (!resampler) return fail(fmt::format("{}: {}", file.string(), resampler.error().message));

    const auto chunk_frames =
        static_cast<std::size_t>(std::max(1, info.sample_rate / k_chunk_divisor));
    auto impl = std::unique_ptr<Impl>(
        new Impl{file, std::move(*decoder), std::move(*resampler), rate, {}, {}, 0, false});
    impl->decoded.resize(chunk_frames * static_cast<std::size_t>(info.channels));
    return PcmReader(std::move(impl));
}

PcmReader::PcmReader(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
PcmReader::PcmReader(PcmReader&&) noexcept = default;
PcmReader& PcmReader::operator=(PcmReader&&) noexcept = default;
PcmReader::~PcmReader() = default;

const AudioInfo& PcmReader::source_info() const {
    return m_impl->decoder->info();
}
int PcmReader::channels() const {
    return m_impl->decoder->info().channels;
}
int PcmReader::rate() const {
    return m_impl->rate;
}
bool PcmReader::truncated() const {
    return m_impl->decoder->truncated();
}

Result<bool> PcmReader::next(std::vector<std::vector<float>>& out) {
    Impl& s = *m_impl;
    out.clear();
    s.resampled.clear();
    // The resampler's delay can swallow a whole first chunk: keep decoding until something
    // comes out or the recording ends.
    while (s.resampled.empty() && !s.finished) {
        auto frames = s.decoder->read(s.decoded);
        if (!frames) return frames.error();
        if (*frames == 0) {
            if (s.frames_decoded == 0) {
                return fail(
                    fmt::format("{}: no audio in file{}", s.file.string(),
                                s.decoder->truncated() ? " (cut short after its header)" : ""));
            }
            s.resampler.finish(s.resampled);
            s.finished = true;
            break;
        }
        s.frames_decoded += static_cast<std::int64_t>(*frames);
        const std::size_t samples = *frames * static_cast<std::size_t>(channels());
        s.resampler.process(std::span<const float>(s.decoded).first(samples), s.resampled);
    }
    if (s.resampled.empty()) return false;

    const auto n_channels = static_cast<std::size_t>(channels());
    const std::size_t frames = s.resampled.size() / n_channels;
    out.resize(n_channels);
    for (std::size_t c = 0; c < n_channels; ++c) {
        out[c].resize(frames);
        for (std::size_t i = 0; i < frames; ++i)
            out[c][i] = s.resampled[i * n_channels + c];
    }
    return true;
}

} // namespace callscribe::audio
