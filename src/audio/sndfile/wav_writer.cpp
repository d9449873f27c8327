#include "audio/wav_writer.hpp"

#include <sndfile.h>

#include <fmt/format.h>

namespace callscribe::audio {

namespace {

int sf_format(OutputFormat format) {
    switch (format) {
    case OutputFormat::wav_pcm16:
        return SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    case OutputFormat::wav_mulaw:
        return SF_FORMAT_WAV | SF_FORMAT_ULAW;
    case OutputFormat::wav_alaw:
        return SF_FORMAT_WAV | SF_FORMAT_ALAW;
    case OutputFormat::flac:
        return SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
    case OutputFormat::mp3:
        return SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
    }
    CALLSCRIBE_ASSERT(false);
}

Result<void> write_all(const std::filesystem::path& file, std::span<const float> interleaved,
                       int rate, int channels, OutputFormat format) {
    auto writer = WavWriter::create(file, rate, channels, format);
    if (!writer) return writer.error();
    if (auto ok = writer->write(interleaved); !ok) return ok;
    return writer->finish();
}

} // namespace

OutputFormat to_output_format(WavEncoding encoding) {
    switch (encoding) {
    case WavEncoding::pcm16:
        return OutputFormat::wav_pcm16;
    case WavEncoding::mulaw:
        return OutputFormat::wav_mulaw;
    case WavEncoding::alaw:
        return OutputFormat::wav_alaw;
    }
    CALLSCRIBE_ASSERT(false);
}

void WavWriter::FileDeleter::operator()(sf_private_tag* file) const noexcept {
    sf_close(file);
}

Result<WavWriter> WavWriter::create(const std::filesystem::path& file, int rate, int channels,
                                    OutputFormat format) {
    SF_INFO info{};
    info.samplerate = rate;
    info.channels = channels;
    info.format = sf_format(format);
    if (rate <= 0 || channels <= 0 || !sf_format_check(&info)) {
        return fail(fmt::format("{}: cannot write this format at {} Hz with {} channels",
                                file.string(), rate, channels));
    }
    std::unique_ptr<sf_private_tag, FileDeleter> handle(sf_open(file.c_str(), SFM_WRITE, &info));
    if (!handle) {
        return fail(fmt::format("{}: cannot create: {}", file.string(), sf_strerror(nullptr)));
    }
    // Clip instead of wrapping around when a float sample is beyond full scale.
    sf_command(handle.get(), SFC_SET_CLIPPING, nullptr, SF_TRUE);
    WavWriter writer(file, std::move(handle), channels);
    const int sample_bytes =
        format == OutputFormat::wav_mulaw || format == OutputFormat::wav_alaw ? 1 : 2;
    writer.m_frame_bytes = static_cast<std::size_t>(sample_bytes * channels);
    return writer;
}

WavWriter::WavWriter(std::filesystem::path file,
                     std::unique_ptr<sf_private_tag, FileDeleter> handle, int channels)
    : m_file(std::move(file)), m_handle(std::move(handle)), m_channels(channels) {}

Result<void> WavWriter::write(std::span<const float> interleaved) {
    CALLSCRIBE_ASSERT(m_handle);
    CALLSCRIBE_ASSERT(interleaved.size() % static_cast<std::size_t>(m_channels) == 0);
    const auto frames =
        static_cast<sf_count_t>(interleaved.size() / static_cast<std::size_t>(m_channels));
    if (sf_writef_float(m_handle.get(), interleaved.data(), frames) != frames) {
        return fail(
            fmt::format("{}: write failed: {}", m_file.string(), sf_strerror(m_handle.get())));
    }
    return {};
}

Result<void> WavWriter::write_encoded(std::span<const std::uint8_t> encoded) {
    CALLSCRIBE_ASSERT(m_handle);
    CALLSCRIBE_ASSERT(encoded.size() % m_frame_bytes == 0);
    const auto bytes = static_cast<sf_count_t>(encoded.size());
    if (sf_write_raw(m_handle.get(), encoded.data(), bytes) != bytes) {
        return fail(
            fmt::format("{}: write failed: {}", m_file.string(), sf_strerror(m_handle.get())));
    }
    return {};
}

Result<void> WavWriter::sync() {
    CALLSCRIBE_ASSERT(m_handle);
    sf_write_sync(m_handle.get());
    if (sf_error(m_handle.get()) != SF_ERR_NO_ERROR) {
        return fail(
            fmt::format("{}: cannot flush: {}", m_file.string(), sf_strerror(m_handle.get())));
    }
    return {};
}

Result<void> WavWriter::finish() {
    if (!m_handle) return {};
    sf_write_sync(m_handle.get());
    const int err = sf_error(m_handle.get());
    std::string reason = err != SF_ERR_NO_ERROR ? sf_strerror(m_handle.get()) : "";
    // sf_close() writes the final header sizes; its failure is the last chance to notice a full
    // disk.
    const int close_err = sf_close(m_handle.release());
    if (err != SF_ERR_NO_ERROR || close_err != 0) {
        if (reason.empty()) reason = sf_error_number(close_err);
        return fail(fmt::format("{}: cannot finish writing: {}", m_file.string(), reason));
    }
    return {};
}

Result<std::int64_t> finish_unfinished_wav(const std::filesystem::path& file) {
    // libsndfile reads a WAV whose header still says "empty" as running to the end of the file
    // ("wasn't closed properly. Fixing it."); updating the header then writes the true sizes.
    SF_INFO info{};
    SNDFILE* handle = sf_open(file.c_str(), SFM_RDWR, &info);
    if (!handle) {
        return fail(
            fmt::format("{}: cannot open to finish it: {}", file.string(), sf_strerror(nullptr)));
    }
    sf_command(handle, SFC_UPDATE_HEADER_NOW, nullptr, 0);
    const int err = sf_close(handle);
    if (err != 0)
        return fail(fmt::format("{}: cannot finish: {}", file.string(), sf_error_number(err)));
    return static_cast<std::int64_t>(info.frames);
}

Result<void> write_wav(const std::filesystem::path& file, std::span<const float> interleaved,
                       int rate, int channels, WavEncoding encoding) {
    return write_all(file, interleaved, rate, channels, to_output_format(encoding));
}

Result<void> write_flac(const std::filesystem::path& file, std::span<const float> interleaved,
                        int rate, int channels) {
    return write_all(file, interleaved, rate, channels, OutputFormat::flac);
}

Result<void> write_mp3(const std::filesystem::path& file, std::span<const float> interleaved,
                       int rate, int channels) {
    return write_all(file, interleaved, rate, channels, OutputFormat::mp3);
}

} // namespace callscribe::audio
