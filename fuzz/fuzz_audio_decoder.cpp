// audio::open_decoder on any bytes (written to a file, as a download would be) and read() to
// the end: no crash, no endless read, and every sample is in [-1, 1] as the port promises.

#include "audio/decoder.hpp"
#include "fuzz_support.hpp"

#include <array>
#include <cmath>

using namespace callscribe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fuzz::ScratchFile file("recording");
    auto decoder = audio::open_decoder(file.write(data, size));
    if (!decoder) return 0;

    const audio::AudioInfo& info = (*decoder)->info();
    FUZZ_CHECK(info.channels >= 1 && info.sample_rate > 0);
    std::array<float, 4096> buffer{};
    const auto channels = static_cast<std::size_t>(info.channels);
    // A frame takes at least a bit, so a file cannot yield more frames than this.
    const std::size_t frame_limit = size * 8 * 1152 + 1152;
    std::size_t frames_total = 0;
    while (true) {
        auto frames = (*decoder)->read(buffer);
        if (!frames || *frames == 0) break;
        FUZZ_CHECK(*frames * channels <= buffer.size());
        for (std::size_t i = 0; i < *frames * channels; ++i)
            FUZZ_CHECK(buffer[i] >= -1.0f && buffer[i] <= 1.0f); // false for NaN too
        frames_total += *frames;
        FUZZ_CHECK(frames_total <= frame_limit);
    }
    return 0;
}
