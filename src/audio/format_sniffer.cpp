#include "audio/format_sniffer.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace callscribe::audio {

namespace {

// kbit/s by bitrate index; index 0 (free format) and 15 (reserved) are rejected before lookup.
constexpr std::array<std::array<int, 16>, 5> k_bitrates = {{
    {0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448, 0}, // MPEG-1 layer I
    {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 0},    // MPEG-1 layer II
    {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0},     // MPEG-1 layer III
    {0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256, 0},    // MPEG-2/2.5 I
    {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0},         // MPEG-2/2.5 II, III
}};

bool same_stream(const MpegFrameHeader& a, const MpegFrameHeader& b) {
    return a.version == b.version && a.layer == b.layer && a.sample_rate == b.sample_rate;
}

} // namespace

std::optional<MpegFrameHeader> parse_mpeg_frame_header(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < 4) return std::nullopt;
    const std::uint8_t b1 = bytes[1], b2 = bytes[2], b3 = bytes[3];
    if (bytes[0] != 0xFF || (b1 & 0xE0) != 0xE0) return std::nullopt;

    const int version_bits = (b1 >> 3) & 0x3;
    const int layer_bits = (b1 >> 1) & 0x3;
    const int bitrate_index = (b2 >> 4) & 0xF;
    const int rate_index = (b2 >> 2) & 0x3;
    const int padding = (b2 >> 1) & 0x1;
    const int mode = (b3 >> 6) & 0x3;
    const int emphasis = b3 & 0x3;
    if (version_bits == 1 || layer_bits == 0 || bitrate_index == 0 || bitrate_index == 15 ||
        rate_index == 3 || emphasis == 2) {
        return std::nullopt;
    }

    MpegFrameHeader h;
    h.version = version_bits == 3 ? 1 : version_bits == 2 ? 2 : 25;
    h.layer = 4 - layer_bits;
    constexpr std::array<int, 3> k_mpeg1_rates = {44100, 48000, 32000};
    h.sample_rate = k_mpeg1_rates[static_cast<std::size_t>(rate_index)];
    if (h.version == 2) h.sample_rate /= 2;
    if (h.version == 25) h.sample_rate /= 4;
    const std::size_t table =
        h.version == 1 ? static_cast<std::size_t>(h.layer - 1) : (h.layer == 1 ? 3u : 4u);
    h.bitrate_kbps = k_bitrates[table][static_cast<std::size_t>(bitrate_index)];
    h.channels = mode == 3 ? 1 : 2;

    const long bits_per_second = h.bitrate_kbps * 1000L;
    if (h.layer == 1) {
        h.frame_bytes =
            static_cast<std::size_t>((12 * bits_per_second / h.sample_rate + padding) * 4);
    } else {
        // MPEG-2/2.5 layer III frames hold half as many samples (576) as MPEG-1's (1152).
        const long factor = (h.layer == 3 && h.version != 1) ? 72 : 144;
        h.frame_bytes =
            static_cast<std::size_t>(factor * bits_per_second / h.sample_rate + padding);
    }
    if (h.frame_bytes < 4) return std::nullopt;
    return h;
}

std::size_t id3v2_tag_size(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < 10 || std::memcmp(bytes.data(), "ID3", 3) != 0) return 0;
    // The size is "syncsafe": four 7-bit groups, so no byte may have its top bit set.
    for (std::size_t i = 6; i < 10; ++i) {
        if (bytes[i] & 0x80) return 0;
    }
    const std::size_t body = (std::size_t{bytes[6]} << 21) | (std::size_t{bytes[7]} << 14) |
                             (std::size_t{bytes[8]} << 7) | std::size_t{bytes[9]};
    const bool has_footer = (bytes[5] & 0x10) != 0;
    return 10 + body + (has_footer ? 10 : 0);
}

std::optional<std::size_t> find_mpeg_frames(std::span<const std::uint8_t> bytes,
                                            bool bytes_reach_eof, std::size_t search_limit) {
    const std::size_t end = std::min(bytes.size(), search_limit);
    for (std::size_t pos = 0; pos + 4 <= end; ++pos) {
        const auto first = parse_mpeg_frame_header(bytes.subspan(pos));
        if (!first) continue;
        const std::size_t next = pos + first->frame_bytes;
        if (next + 4 <= bytes.size()) {
            const auto second = parse_mpeg_frame_header(bytes.subspan(next));
            if (second && same_stream(*first, *second)) return pos;
        } else if (bytes_reach_eof && next <= bytes.size()) {
            return pos; // a file of a single frame
        }
    }
    return std::nullopt;
}

bool is_wav_header(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < 12) return false;
    const bool riff =
        std::memcmp(bytes.data(), "RIFF", 4) == 0 || std::memcmp(bytes.data(), "RF64", 4) == 0;
    return riff && std::memcmp(bytes.data() + 8, "WAVE", 4) == 0;
}

WavLayout parse_wav_layout(std::span<const std::uint8_t> bytes) {
    WavLayout layout;
    if (!is_wav_header(bytes)) return layout;
    auto le32 = [&](std::size_t at) {
        return std::uint32_t{bytes[at]} | (std::uint32_t{bytes[at + 1]} << 8) |
               (std::uint32_t{bytes[at + 2]} << 16) | (std::uint32_t{bytes[at + 3]} << 24);
    };
    std::size_t pos = 12;
    while (pos + 8 <= bytes.size()) {
        const std::uint32_t size = le32(pos + 4);
        const std::size_t payload = pos + 8;
        if (std::memcmp(bytes.data() + pos, "fmt ", 4) == 0) {
            layout.has_fmt = size >= 16 && payload + size <= bytes.size();
            if (layout.has_fmt) {
                layout.block_align =
                    static_cast<std::uint16_t>(bytes[payload + 12] | (bytes[payload + 13] << 8));
            }
        } else if (std::memcmp(bytes.data() + pos, "data", 4) == 0) {
            layout.data_offset = payload;
            if (size != 0 && size != 0xFFFFFFFFu) layout.data_bytes = size;
            break;
        }
        // Chunks are padded to an even size.
        pos = payload + std::size_t{size} + (size & 1u);
    }
    return layout;
}

} // namespace callscribe::audio
