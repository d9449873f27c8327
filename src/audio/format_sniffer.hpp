#pragma once
// Recognising a recording's container from its first bytes, without any codec library.
//
// Pure functions over byte buffers: no I/O, no allocation, thread-safe. They never fail; a buffer
// they do not recognise is `ContainerKind::unknown`.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace callscribe::audio {

enum class ContainerKind { unknown, wav, mp3 };

// The fields of one MPEG audio frame header that matter to a sniffer.
struct MpegFrameHeader {
    int version = 0; // 1, 2 or 25 (MPEG 2.5)
    int layer = 0;   // 1, 2 or 3
    int sample_rate = 0;
    int bitrate_kbps = 0;
    int channels = 0;
    std::size_t frame_bytes = 0; // whole frame, header included
};

// Parses the 4-byte header at the start of `bytes`. Free-format and reserved values are
// rejected: they are what random data looks like far more often than real recordings.
std::optional<MpegFrameHeader> parse_mpeg_frame_header(std::span<const std::uint8_t> bytes);

// Size of the ID3v2 tag at the start of `bytes` (header and footer included), or 0 if there is
// none. Needs the first 10 bytes.
std::size_t id3v2_tag_size(std::span<const std::uint8_t> bytes);

// Offset of the first MPEG audio frame in `bytes` that is followed by a second, matching frame
// header (or by the end of `bytes` when `bytes_reach_eof`), searching only the first
// `search_limit` bytes. `bytes` should start after any ID3v2 tag.
std::optional<std::size_t> find_mpeg_frames(std::span<const std::uint8_t> bytes,
                                            bool bytes_reach_eof, std::size_t search_limit);

// A RIFF/WAVE (or RF64) header at the start of `bytes`: needs the first 12 bytes.
bool is_wav_header(std::span<const std::uint8_t> bytes);

// Where a WAV file's chunks say its samples are, as far as `bytes` (the file's first bytes) shows.
struct WavLayout {
    bool has_fmt = false;                     // a complete "fmt " chunk was seen
    std::uint16_t block_align = 0;            // bytes per frame, from the "fmt " chunk
    std::optional<std::uint64_t> data_offset; // start of the "data" chunk's payload
    std::optional<std::uint64_t> data_bytes;  // its declared size; unset when 0 or 0xFFFFFFFF
                                              // (streaming writers that never came back)
};

// Walks the RIFF chunks of a WAV header; stops at the "data" chunk or the end of `bytes`.
WavLayout parse_wav_layout(std::span<const std::uint8_t> bytes);

} // namespace callscribe::audio
