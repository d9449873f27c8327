#pragma once
// Every other recording through FFmpeg's libraries (libavformat, libavcodec, libswresample):
// FLAC, Ogg (Opus, Vorbis), M4A/AAC, WebM, AIFF, and the audio track of a video file; whatever
// container and codec the installed FFmpeg reads.
//
// Adapter for audio::Decoder; only this folder includes FFmpeg's headers. FFmpeg's own log
// lines are silenced once per process (library code never prints). Each decoder owns its
// demuxer and codec and is not thread-safe; different decoders may be used from different
// threads. Decodes packet by packet: memory stays flat in the recording's length.
//
// Mono and two-channel audio keep their channels (caller and agent); more channels (a film's
// 5.1) are mixed down to mono. A file FFmpeg recognises only with a low score (what random
// bytes look like) is refused as "not a recognised audio file", one with no audio track as
// "no audio track". A packet that does not decode is skipped, as players do; a file in which
// none decodes fails naming the codec's reason. truncated() says a file ended sooner than its
// container announced (a cut download).

#include "audio/decoder.hpp"

#include <vector>

struct AVFormatContext;
struct AVCodecContext;
struct AVPacket;
struct AVFrame;
struct SwrContext;

namespace callscribe::audio::ffmpeg {

// Whether FFmpeg recognises the file's container and finds an audio track in it; a container
// it recognises but cannot read counts as audio (opening it says what is wrong).
Result<bool> has_audio_track(const std::filesystem::path& file);

class FfmpegDecoder final : public Decoder {
  public:
    static Result<std::unique_ptr<FfmpegDecoder>> open(const std::filesystem::path& file);
    ~FfmpegDecoder() override;

    const AudioInfo& info() const override { return m_info; }
    Result<std::size_t> read(std::span<float> out) override;
    bool truncated() const override { return m_truncated; }

  private:
    FfmpegDecoder() = default;
    // Decodes the next frame into m_pending; false at the end of the stream.
    Result<bool> decode_next();
    Result<void> convert(const AVFrame& frame);
    void check_truncation();

    std::filesystem::path m_file;
    AVFormatContext* m_format = nullptr;
    AVCodecContext* m_codec = nullptr;
    AVPacket* m_packet = nullptr;
    AVFrame* m_frame = nullptr;
    SwrContext* m_convert = nullptr;
    int m_stream = -1;
    AudioInfo m_info;
    std::vector<float> m_pending; // interleaved samples decoded and not yet read
    std::size_t m_pending_at = 0;
    std::int64_t m_frames_read = 0;
    std::int64_t m_expected_frames = -1; // from the container's duration, when it gives one
    int m_bad_packets = 0;
    std::string m_last_error;
    bool m_input_done = false; // the demuxer has no more packets (the decoder is being drained)
    bool m_done = false;
    bool m_truncated = false;
};

} // namespace callscribe::audio::ffmpeg
