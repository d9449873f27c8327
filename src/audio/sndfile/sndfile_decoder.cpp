#include "audio/sndfile/sndfile_decoder.hpp"

#include <sndfile.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace callscribe::audio::sndfile {

namespace {

// More channels than this is not a phone call; it is most likely a corrupt header.
constexpr int k_max_channels = 8;

std::string codec_name(int format) {
    switch (format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8:
        return "pcm_s8";
    case SF_FORMAT_PCM_U8:
        return "pcm_u8";
    case SF_FORMAT_PCM_16:
        return "pcm_s16";
    case SF_FORMAT_PCM_24:
        return "pcm_s24";
    case SF_FORMAT_PCM_32:
        return "pcm_s32";
    case SF_FORMAT_FLOAT:
        return "float";
    case SF_FORMAT_DOUBLE:
        return "double";
    case SF_FORMAT_ULAW:
        return "mulaw";
    case SF_FORMAT_ALAW:
        return "alaw";
    case SF_FORMAT_IMA_ADPCM:
        return "ima_adpcm";
    case SF_FORMAT_MS_ADPCM:
        return "ms_adpcm";
    case SF_FORMAT_GSM610:
        return "gsm610";
    case SF_FORMAT_G721_32:
        return "g721";
    case SF_FORMAT_MPEG_LAYER_III:
        return "mp3";
    default:
        return "other";
    }
}

} // namespace

void SndfileDecoder::FileDeleter::operator()(sf_private_tag* file) const noexcept {
    sf_close(file);
}

Result<std::unique_ptr<SndfileDecoder>> SndfileDecoder::open(const std::filesystem::path& file,
                                                             std::int64_t expected_frames) {
    SF_INFO sf_info{};
    Handle handle(sf_open(file.c_str(), SFM_READ, &sf_info));
    if (!handle) {
        // sf_strerror(nullptr) is the reason the last sf_open failed, in this thread or another:
        // libsndfile keeps it in one global. Good enough for a message; it never drives logic.
        return fail(fmt::format("{}: cannot read WAV: {}", file.string(), sf_strerror(nullptr)));
    }
    if (sf_info.channels < 1 || sf_info.channels > k_max_channels || sf_info.samplerate <= 0) {
        return fail(fmt::format("{}: unsupported WAV: {} channels at {} Hz", file.string(),
                                sf_info.channels, sf_info.samplerate));
    }
    // Integer data comes back scaled to [-1, 1); that is libsndfile's default, made explicit.
    sf_command(handle.get(), SFC_SET_NORM_FLOAT, nullptr, SF_TRUE);

    AudioInfo info;
    info.sample_rate = sf_info.samplerate;
    info.channels = sf_info.channels;
    info.frames = sf_info.frames >= 0 ? static_cast<std::int64_t>(sf_info.frames) : -1;
    info.estimated_frames = info.frames;
    info.codec = codec_name(sf_info.format);
    const int sub = sf_info.format & SF_FORMAT_SUBMASK;
    const bool clamp = sub == SF_FORMAT_FLOAT || sub == SF_FORMAT_DOUBLE;
    return std::unique_ptr<SndfileDecoder>(
        new SndfileDecoder(file, std::move(handle), std::move(info), clamp, expected_frames));
}

SndfileDecoder::SndfileDecoder(std::filesystem::path file, Handle handle, AudioInfo info,
                               bool clamp, std::int64_t expected_frames)
    : m_file(std::move(file)), m_handle(std::move(handle)), m_info(std::move(info)), m_clamp(clamp),
      m_expected_frames(expected_frames) {}

Result<std::size_t> SndfileDecoder::read(std::span<float> out) {
    const auto channels = static_cast<std::size_t>(m_info.channels);
    const auto frames_wanted = static_cast<sf_count_t>(out.size() / channels);
    if (frames_wanted == 0) return std::size_t{0};

    const sf_count_t got = sf_readf_float(m_handle.get(), out.data(), frames_wanted);
    if (got < 0 || sf_error(m_handle.get()) != SF_ERR_NO_ERROR) {
        return fail(fmt::format("{}: WAV decoding failed: {}", m_file.string(),
                                sf_strerror(m_handle.get())));
    }
    const auto frames = static_cast<std::size_t>(got);
    if (m_clamp) {
        // A float file may hold anything: beyond full scale is clipped, NaN is silence.
        for (float& s : out.first(frames * channels))
            s = std::isnan(s) ? 0.0f : std::clamp(s, -1.0f, 1.0f);
    }
    m_frames_read += got;
    if (got == 0 && m_expected_frames > 0) m_truncated = m_frames_read < m_expected_frames;
    return frames;
}

} // namespace callscribe::audio::sndfile
