#include "audio/resampler.hpp"

#include <soxr.h>

#include <fmt/format.h>

namespace callscribe::audio {

void Resampler::SoxrDeleter::operator()(soxr* resampler) const noexcept {
    soxr_delete(resampler);
}

Result<Resampler> Resampler::create(int in_rate, int out_rate, int channels) {
    CALLSCRIBE_ASSERT(in_rate > 0 && out_rate > 0 && channels > 0);
    if (in_rate == out_rate) return Resampler(in_rate, out_rate, channels, nullptr);

    const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    // HQ (20-bit, steep) costs little at telephone rates and keeps the 4 kHz band edge clean;
    // one core resamples an hour of 8 kHz audio in about a second.
    const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
    // One thread: workers already run in parallel, one recording each.
    const soxr_runtime_spec_t runtime = soxr_runtime_spec(1);
    soxr_error_t err = nullptr;
    std::unique_ptr<soxr, SoxrDeleter> handle(soxr_create(
        in_rate, out_rate, static_cast<unsigned>(channels), &err, &io, &quality, &runtime));
    if (!handle || err) {
        return fail(fmt::format("cannot resample {} Hz to {} Hz ({} channels): {}", in_rate,
                                out_rate, channels, err ? err : "unknown error"));
    }
    return Resampler(in_rate, out_rate, channels, std::move(handle));
}

Resampler::Resampler(int in_rate, int out_rate, int channels,
                     std::unique_ptr<soxr, SoxrDeleter> handle)
    : m_in_rate(in_rate), m_out_rate(out_rate), m_channels(channels), m_soxr(std::move(handle)) {}

void Resampler::process(std::span<const float> in, std::vector<float>& out) {
    const auto channels = static_cast<std::size_t>(m_channels);
    CALLSCRIBE_ASSERT(in.size() % channels == 0);
    if (!m_soxr) {
        out.insert(out.end(), in.begin(), in.end());
        return;
    }
    if (in.empty()) return; // soxr would read an empty input as the end of the stream
    run(in.data(), in.size() / channels, out);
}

void Resampler::finish(std::vector<float>& out) {
    if (!m_soxr) return;
    run(nullptr, 0, out);
}

void Resampler::run(const float* in, std::size_t in_frames, std::vector<float>& out) {
    const auto channels = static_cast<std::size_t>(m_channels);
    const double ratio = static_cast<double>(m_out_rate) / m_in_rate;
    // Room for this input's share plus some of the filter's backlog; the loop takes the rest.
    const std::size_t room =
        static_cast<std::size_t>(static_cast<double>(in_frames) * ratio) + 1024;
    for (;;) {
        const std::size_t start = out.size();
        out.resize(start + room * channels);
        std::size_t in_done = 0;
        std::size_t out_done = 0;
        const soxr_error_t err = soxr_process(m_soxr.get(), in, in_frames, &in_done,
                                              out.data() + start, room, &out_done);
        // soxr_process fails only on misuse (wrong sizes, a deleted stream): an invariant.
        CALLSCRIBE_ASSERT(err == nullptr);
        out.resize(start + out_done * channels);
        if (in) {
            in += in_done * channels;
            in_frames -= in_done;
            if (in_frames == 0 && out_done < room) return;
        } else if (out_done == 0) {
            return; // flushed
        }
    }
}

} // namespace callscribe::audio
