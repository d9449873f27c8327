#pragma once
// MP3 recordings through libmpg123: any rate, mono or stereo, decoded to float as read() asks.
//
// Adapter for audio::Decoder; only this folder includes mpg123.h. The library is initialised
// once per process, thread-safely. Each decoder owns its own mpg123 handle and is not
// thread-safe; different decoders may be used from different threads.
//
// Garbage is not decoded: libmpg123 resyncs through junk by design, so the search for a frame is
// capped and a file in which no frame is found fails with "not an MP3 (no MPEG audio frame
// found)". A file cut short decodes up to the cut; truncated() then says so when the file's
// Xing/LAME header gave the exact length.

#include "audio/decoder.hpp"

#include <vector>

struct mpg123_handle_struct;

namespace callscribe::audio::mpg123 {

class Mpg123Decoder final : public Decoder {
  public:
    static Result<std::unique_ptr<Mpg123Decoder>> open(const std::filesystem::path& file);

    const AudioInfo& info() const override { return m_info; }
    Result<std::size_t> read(std::span<float> out) override;
    bool truncated() const override { return m_truncated; }

  private:
    struct HandleDeleter {
        void operator()(mpg123_handle_struct* handle) const noexcept;
    };
    using Handle = std::unique_ptr<mpg123_handle_struct, HandleDeleter>;

    Mpg123Decoder(std::filesystem::path file, Handle handle, AudioInfo info, bool float_output);
    void check_truncation();

    std::filesystem::path m_file;
    Handle m_handle;
    AudioInfo m_info;
    bool m_float_output = true;      // false: libmpg123 built without float output, convert s16
    std::vector<std::int16_t> m_s16; // conversion buffer for that case
    std::int64_t m_frames_read = 0;
    bool m_done = false;
    bool m_truncated = false;
};

} // namespace callscribe::audio::mpg123
