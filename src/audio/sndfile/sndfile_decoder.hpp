#pragma once
// WAV recordings through libsndfile: PCM 16-bit, μ-law and A-law at any rate, and whatever else
// libsndfile reads (PCM 8/24/32-bit, float).
//
// Adapter for audio::Decoder; only this folder includes sndfile.h. Each decoder owns its own
// SNDFILE handle and is not thread-safe. Errors are libsndfile's reason in one line, prefixed by
// the path.

#include "audio/decoder.hpp"

struct sf_private_tag;

namespace callscribe::audio::sndfile {

class SndfileDecoder final : public Decoder {
  public:
    // `expected_frames`, when the caller knows it from the header's data chunk size, lets
    // truncated() tell a file that was cut short.
    static Result<std::unique_ptr<SndfileDecoder>> open(const std::filesystem::path& file,
                                                        std::int64_t expected_frames = -1);

    const AudioInfo& info() const override { return m_info; }
    Result<std::size_t> read(std::span<float> out) override;
    bool truncated() const override { return m_truncated; }

  private:
    struct FileDeleter {
        void operator()(sf_private_tag* file) const noexcept;
    };
    using Handle = std::unique_ptr<sf_private_tag, FileDeleter>;

    SndfileDecoder(std::filesystem::path file, Handle handle, AudioInfo info, bool clamp,
                   std::int64_t expected_frames);

    std::filesystem::path m_file;
    Handle m_handle;
    AudioInfo m_info;
    bool m_clamp = false; // float files may hold samples beyond full scale
    std::int64_t m_expected_frames = -1;
    std::int64_t m_frames_read = 0;
    bool m_truncated = false;
};

} // namespace callscribe::audio::sndfile
