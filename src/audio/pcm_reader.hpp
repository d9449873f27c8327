#pragma once
// A recording as 16 kHz (or another rate) float samples, channel by channel, in chunks.
//
// Decodes and resamples as it goes: memory does not grow with the recording's length. Two-channel
// recordings keep their channels apart (caller and agent). Not thread-safe.
//
// Each next() decodes about half a second of the source, so a chunk holds about
// rate() / 2 frames (a little more for the last one, which carries the resampler's tail).
// open() fails as open_decoder() does; next() fails on a decoding error mid-file and, on the
// first call, with "FILE: no audio in file" when the recording holds no samples at all.

#include "audio/decoder.hpp"

#include <vector>

namespace callscribe::audio {

class PcmReader {
  public:
    static constexpr int k_default_rate = 16000;

    static Result<PcmReader> open(const std::filesystem::path& file, int rate = k_default_rate);

    PcmReader(PcmReader&&) noexcept;
    PcmReader& operator=(PcmReader&&) noexcept;
    ~PcmReader();

    const AudioInfo& source_info() const;
    int channels() const;
    int rate() const;

    // Replaces `out` with the next chunk: one vector per channel, of equal length. Returns false
    // (and leaves `out` empty) once the recording is done.
    Result<bool> next(std::vector<std::vector<float>>& out);

    // True once next() has returned false for a file that was cut short (see
    // Decoder::truncated()): the chunks were all the file held.
    bool truncated() const;

  private:
    struct Impl;
    explicit PcmReader(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace callscribe::audio
