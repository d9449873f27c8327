#pragma once
// Writing float samples to an audio file: WAV (PCM 16-bit, μ-law, A-law), FLAC (for sending one
// channel to a cloud API) and MP3 (so tests and benchmarks can make recordings like Twilio's).
//
// Backed by libsndfile (src/audio/sndfile/). Samples are interleaved, in [-1, 1]; values beyond
// are clipped. A WavWriter owns one open file and is not thread-safe; the file is complete only
// after finish() succeeds (the destructor closes it too, but cannot report errors). Errors name
// the file.

#include "core/result.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>

struct sf_private_tag;

namespace callscribe::audio {

enum class WavEncoding { pcm16, mulaw, alaw };

// Every file format the writer produces.
enum class OutputFormat { wav_pcm16, wav_mulaw, wav_alaw, flac, mp3 };

OutputFormat to_output_format(WavEncoding encoding);

class WavWriter {
  public:
    static Result<WavWriter> create(const std::filesystem::path& file, int rate, int channels,
                                    OutputFormat format);

    WavWriter(WavWriter&&) noexcept = default;
    WavWriter& operator=(WavWriter&&) noexcept = default;
    ~WavWriter() = default;

    // Appends whole frames: interleaved.size() must be a multiple of the channel count.
    Result<void> write(std::span<const float> interleaved);
    // Appends whole frames already in the file's encoding (μ-law bytes for wav_mulaw), as they
    // are: `encoded.size()` must be a multiple of the frame's size in bytes.
    Result<void> write_encoded(std::span<const std::uint8_t> encoded);
    // Flushes what was written to the disk (fsync). The header keeps the sizes of an empty
    // file until finish(): a file left unfinished by a crash is still read whole, and
    // finish_unfinished_wav() completes it.
    Result<void> sync();
    // Flushes and closes. Idempotent.
    Result<void> finish();

  private:
    struct FileDeleter {
        void operator()(sf_private_tag* file) const noexcept;
    };
    WavWriter(std::filesystem::path file, std::unique_ptr<sf_private_tag, FileDeleter> handle,
              int channels);

    std::filesystem::path m_file;
    std::unique_ptr<sf_private_tag, FileDeleter> m_handle;
    int m_channels = 1;
    std::size_t m_frame_bytes = 2; // of an encoded frame
};

// Completes a WAV file that a WavWriter left unfinished (the process stopped before finish()):
// writes the header's sizes from the data actually there (whole frames). Returns the frames.
Result<std::int64_t> finish_unfinished_wav(const std::filesystem::path& file);

// One-shot helpers over WavWriter.
Result<void> write_wav(const std::filesystem::path& file, std::span<const float> interleaved,
                       int rate, int channels, WavEncoding encoding);
// FLAC, 16-bit.
Result<void> write_flac(const std::filesystem::path& file, std::span<const float> interleaved,
                        int rate, int channels);
// MP3 through libsndfile's LAME encoder; rates as MPEG allows (8000 to 48000 Hz).
Result<void> write_mp3(const std::filesystem::path& file, std::span<const float> interleaved,
                       int rate, int channels);

} // namespace callscribe::audio
