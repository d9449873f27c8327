#pragma once
// Streaming sample-rate conversion of interleaved float audio (libsoxr, "high quality").
//
// Feed process() with consecutive pieces of one stream and call finish() once at the end to get
// the samples still held in the filter. Output is appended, whole frames only. When both rates
// are equal the samples pass through untouched. A Resampler holds per-stream state and is not
// thread-safe; it is movable.

#include "core/result.hpp"

#include <memory>
#include <span>
#include <vector>

struct soxr;

namespace callscribe::audio {

class Resampler {
  public:
    // Fails only when libsoxr rejects the rates or channel count.
    static Result<Resampler> create(int in_rate, int out_rate, int channels);

    Resampler(Resampler&&) noexcept = default;
    Resampler& operator=(Resampler&&) noexcept = default;
    ~Resampler() = default;

    int in_rate() const { return m_in_rate; }
    int out_rate() const { return m_out_rate; }
    int channels() const { return m_channels; }

    // Appends to `out` the output for `in` (interleaved; a whole number of frames). The filter's
    // delay means early calls return fewer frames than the rate ratio suggests.
    void process(std::span<const float> in, std::vector<float>& out);
    // Appends the remaining output. After this the Resampler must not be used.
    void finish(std::vector<float>& out);

  private:
    struct SoxrDeleter {
        void operator()(soxr* resampler) const noexcept;
    };
    Resampler(int in_rate, int out_rate, int channels, std::unique_ptr<soxr, SoxrDeleter> soxr);
    void run(const float* in, std::size_t in_frames, std::vector<float>& out);

    int m_in_rate = 0;
    int m_out_rate = 0;
    int m_channels = 1;
    std::unique_ptr<soxr, SoxrDeleter> m_soxr; // null when passing through
};

} // namespace callscribe::audio
