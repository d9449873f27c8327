#pragma once
// Shared by the audio tests: a per-test temporary folder, generated tones and the measurements
// the tests assert on.

#include "audio/pcm_reader.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>
#include <unistd.h>
#include <vector>

namespace callscribe::audio::testing {

// A fresh folder per test, removed with everything in it when the test ends.
class TempDirTest : public ::testing::Test {
  protected:
    std::filesystem::path path(const std::string& name) const { return m_dir / name; }

    std::filesystem::path write_bytes(const std::string& name, const std::string& bytes) const {
        const auto file = path(name);
        test_support::write_file(file, bytes);
        return file;
    }

    static std::string read_bytes(const std::filesystem::path& file) {
        return test_support::read_file(file);
    }

  private:
    test_support::TempDir m_dir;
};

// Interleaved sines, one frequency per channel (0 Hz: silence), `amplitude` of full scale.
inline std::vector<float> tones(int rate, double seconds, const std::vector<double>& freqs,
                                float amplitude = 0.5f, std::int64_t first_frame = 0) {
    const auto frames = static_cast<std::size_t>(std::llround(rate * seconds));
    const std::size_t channels = freqs.size();
    std::vector<float> out(frames * channels);
    for (std::size_t i = 0; i < frames; ++i) {
        const double t = static_cast<double>(first_frame + static_cast<std::int64_t>(i)) / rate;
        for (std::size_t c = 0; c < channels; ++c) {
            out[i * channels + c] =
                freqs[c] == 0
                    ? 0.0f
                    : amplitude * static_cast<float>(std::sin(2 * std::numbers::pi * freqs[c] * t));
        }
    }
    return out;
}

// Every chunk of a reader, joined per channel; fails the test on an error.
struct Decoded {
    std::vector<std::vector<float>> channels;
    std::size_t max_chunk_frames = 0;
    std::size_t chunks = 0;
    std::size_t frames() const { return channels.empty() ? 0 : channels[0].size(); }
};

inline Decoded read_all(PcmReader& reader) {
    Decoded d;
    d.channels.resize(static_cast<std::size_t>(reader.channels()));
    std::vector<std::vector<float>> chunk;
    for (;;) {
        auto more = reader.next(chunk);
        EXPECT_TRUE(more) << (more ? "" : more.error().message);
        if (!more || !*more) break;
        EXPECT_EQ(chunk.size(), d.channels.size());
        for (std::size_t c = 0; c < chunk.size(); ++c) {
            EXPECT_EQ(chunk[c].size(), chunk[0].size()) << "channel " << c;
            d.channels[c].insert(d.channels[c].end(), chunk[c].begin(), chunk[c].end());
        }
        d.max_chunk_frames = std::max(d.max_chunk_frames, chunk[0].size());
        ++d.chunks;
    }
    return d;
}

// The middle of a signal: resampler and codec edges are not what the tests measure.
inline std::span<const float> middle(const std::vector<float>& s) {
    const std::size_t skip = s.size() / 10;
    return std::span<const float>(s).subspan(skip, s.size() - 2 * skip);
}

inline double rms(std::span<const float> s) {
    double sum = 0;
    for (float x : s)
        sum += static_cast<double>(x) * x;
    return s.empty() ? 0.0 : std::sqrt(sum / static_cast<double>(s.size()));
}

// Frequency of a clean tone from its sign changes (two per period).
inline double zero_crossing_hz(std::span<const float> s, int rate) {
    std::size_t crossings = 0;
    for (std::size_t i = 1; i < s.size(); ++i) {
        if ((s[i - 1] < 0) != (s[i] < 0)) ++crossings;
    }
    return static_cast<double>(crossings) * rate / (2.0 * static_cast<double>(s.size()));
}

} // namespace callscribe::audio::testing
