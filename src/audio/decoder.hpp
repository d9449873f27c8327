#pragma once
// Port: reading a recording as float samples, in chunks.
//
// A Decoder owns one open file and is not thread-safe. Memory stays bounded by the chunk the
// caller passes in, whatever the recording's length. Every error names the file and says what
// is wrong with it (empty, truncated, not audio, unsupported encoding).

#include "core/result.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

namespace callscribe::audio {

struct AudioInfo {
    int sample_rate = 0;
    int channels = 0;
    std::int64_t frames = -1; // -1 when the container does not say
    // `frames` when known, else the container's estimate (an MP3 without a Xing header: from
    // its size and bitrate); -1 when there is neither. For progress, not for truncation.
    std::int64_t estimated_frames = -1;
    std::string codec; // "mp3", "pcm_s16", "mulaw", "alaw", ...
};

class Decoder {
  public:
    virtual ~Decoder() = default;
    virtual const AudioInfo& info() const = 0;
    // Reads up to out.size() / channels frames of interleaved samples in [-1, 1].
    // Returns the number of frames read; 0 means the end of the recording.
    virtual Result<std::size_t> read(std::span<float> out) = 0;
    // True once read() has returned 0 sooner than the file's own header promised: the file was
    // cut short (an interrupted download, a full disk). What was read is all there is; whether
    // a partial recording is usable is the caller's call. Never an error by itself.
    virtual bool truncated() const { return false; }
};

// Opens a recording by its content, not its name: MP3 (libmpg123), WAV (libsndfile: PCM 16-bit,
// μ-law, A-law, any rate, mono or two channels; also the other encodings libsndfile reads, such
// as PCM 8/24/32-bit and float), and every other container and codec FFmpeg reads (FLAC,
// Ogg/Opus, M4A/AAC, WebM, the audio track of a video file).
//
// Fails, with a message that starts with the path, when the file is missing or unreadable
// ("cannot open: ..."), a directory, empty ("empty file"), not audio ("not a recognised audio
// file"), a video without sound ("no audio track"), a WAV whose header is cut ("truncated WAV
// header"), or a file its library refuses (its reason). A file that opens but holds no samples
// is not an error here: read() returns 0 (PcmReader turns that into "no audio in file").
Result<std::unique_ptr<Decoder>> open_decoder(const std::filesystem::path& file);

// Whether a file is a recording at all, without decoding it (a folder of recordings may also
// hold notes and pictures): an MP3 or WAV header, or a container FFmpeg reads with an audio
// track. Fails as open_decoder() does when the file cannot be read, is empty, or is a WAV or
// ID3 tag cut short: a recording that is damaged, not something else.
Result<bool> holds_audio(const std::filesystem::path& file);

} // namespace callscribe::audio
