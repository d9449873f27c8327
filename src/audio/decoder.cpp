#include "audio/decoder.hpp"

#include "audio/ffmpeg/ffmpeg_decoder.hpp"
#include "audio/format_sniffer.hpp"
#include "audio/mpg123/mpg123_decoder.hpp"
#include "audio/sndfile/sndfile_decoder.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>
#include <vector>

namespace callscribe::audio {

namespace {

// Enough for any WAV header and for several MP3 frames after the start or after an ID3 tag.
constexpr std::size_t k_sniff_bytes = 64 * 1024;
// Real MP3s start with a frame (or an ID3 tag followed by one); allow a little junk before it,
// no more, so random bytes are not mistaken for MPEG audio.
constexpr std::size_t k_mp3_search_bytes = 4096;

struct FileCloser {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

struct Head {
    std::vector<std::uint8_t> bytes;
    std::uint64_t file_size = 0;
};

std::string errno_text(int err) {
    return std::generic_category().message(err);
}

Result<std::vector<std::uint8_t>> read_at(std::FILE* f, const std::filesystem::path& file,
                                          std::uint64_t offset, std::size_t max_bytes) {
    std::vector<std::uint8_t> bytes(max_bytes);
    if (fseeko(f, static_cast<off_t>(offset), SEEK_SET) != 0) {
        return fail(fmt::format("{}: cannot read: {}", file.string(), errno_text(errno)));
    }
    const std::size_t got = std::fread(bytes.data(), 1, bytes.size(), f);
    if (got < bytes.size() && std::ferror(f)) {
        return fail(fmt::format("{}: cannot read: {}", file.string(), errno_text(errno)));
    }
    bytes.resize(got);
    return bytes;
}

struct Sniffed {
    ContainerKind kind = ContainerKind::unknown;
    std::int64_t wav_promised_frames = -1; // set only when the data chunk overruns the file
};

Result<Sniffed> sniff(const std::filesystem::path& file) {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) {
        return fail(fmt::format("{}: is a directory, not an audio file", file.string()));
    }
    FilePtr f(std::fopen(file.c_str(), "rb"));
    if (!f) return fail(fmt::format("{}: cannot open: {}", file.string(), errno_text(errno)));

    if (fseeko(f.get(), 0, SEEK_END) != 0) {
        return fail(fmt::format("{}: cannot read: {}", file.string(), errno_text(errno)));
    }
    const auto file_size = static_cast<std::uint64_t>(ftello(f.get()));
    if (file_size == 0) return fail(fmt::format("{}: empty file", file.string()));

    auto head = read_at(f.get(), file, 0, k_sniff_bytes);
    if (!head) return head.error();
    const std::span<const std::uint8_t> bytes = *head;

    if (is_wav_header(bytes)) {
        const WavLayout layout = parse_wav_layout(bytes);
        if (!layout.has_fmt || !layout.data_offset) {
            if (bytes.size() == file_size) {
                return fail(
                    fmt::format("{}: truncated WAV header ({} bytes)", file.string(), file_size));
            }
            return Sniffed{ContainerKind::wav}; // an unusual header; let libsndfile judge it
        }
        // libsndfile quietly shortens a data chunk that overruns the file; keep what the header
        // promised so the decoder can tell the caller the file was cut.
        Sniffed sniffed{ContainerKind::wav};
        if (layout.data_bytes && layout.block_align > 0 &&
            *layout.data_offset + *layout.data_bytes > file_size) {
            sniffed.wav_promised_frames =
                static_cast<std::int64_t>(*layout.data_bytes / layout.block_align);
        }
        return sniffed;
    }

    std::uint64_t mp3_start = 0;
    if (const std::size_t tag = id3v2_tag_size(bytes); tag > 0) {
        if (tag >= file_size) {
            return fail(fmt::format("{}: ID3 tag but no audio after it", file.string()));
        }
        auto after = read_at(f.get(), file, tag, k_sniff_bytes);
        if (!after) return after.error();
        head = std::move(after);
        mp3_start = tag;
    }
    const bool reaches_eof = mp3_start + head->size() >= file_size;
    if (find_mpeg_frames(*head, reaches_eof, k_mp3_search_bytes))
        return Sniffed{ContainerKind::mp3};
    // Anything else (FLAC, Ogg, M4A, WebM, a video, or not audio at all; an ID3 tag may also
    // lead a FLAC or AAC file) is FFmpeg's to recognise.
    return Sniffed{ContainerKind::unknown};
}

} // namespace

Result<std::unique_ptr<Decoder>> open_decoder(const std::filesystem::path& file) {
    auto sniffed = sniff(file);
    if (!sniffed) return sniffed.error();

    if (sniffed->kind == ContainerKind::mp3) {
        auto decoder = mpg123::Mpg123Decoder::open(file);
        if (!decoder) return decoder.error();
        return std::unique_ptr<Decoder>(std::move(*decoder));
    }
    if (sniffed->kind == ContainerKind::unknown) {
        auto decoder = ffmpeg::FfmpegDecoder::open(file);
        if (!decoder) return decoder.error();
        return std::unique_ptr<Decoder>(std::move(*decoder));
    }
    auto decoder = sndfile::SndfileDecoder::open(file, sniffed->wav_promised_frames);
    if (!decoder) return decoder.error();
    return std::unique_ptr<Decoder>(std::move(*decoder));
}

Result<bool> holds_audio(const std::filesystem::path& file) {
    auto sniffed = sniff(file);
    if (!sniffed) return sniffed.error();
    if (sniffed->kind != ContainerKind::unknown) return true;
    return ffmpeg::has_audio_track(file);
}

} // namespace callscribe::audio
