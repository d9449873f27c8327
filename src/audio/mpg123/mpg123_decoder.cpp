#include "audio/mpg123/mpg123_decoder.hpp"

#include <mpg123.h>

#include <fmt/format.h>

#include <algorithm>
#include <mutex>

namespace callscribe::audio::mpg123 {

namespace {

// How far libmpg123 may look for the next frame header, at the start and after a broken frame.
// Real recordings need a few hundred bytes at most; the default would let it wade through
// kilobytes of junk and "decode" noise.
constexpr long k_resync_limit = 4096;

// libmpg123 >= 1.27 initialises itself, but older builds need mpg123_init() exactly once and it
// is not thread-safe.
Result<void> init_library() {
    static std::once_flag once;
    static int status = MPG123_OK;
    std::call_once(once, [] { status = mpg123_init(); });
    if (status != MPG123_OK) {
        return fail(
            fmt::format("libmpg123 failed to initialise: {}", mpg123_plain_strerror(status)));
    }
    return {};
}

std::string handle_error(mpg123_handle* handle) {
    return mpg123_strerror(handle);
}

} // namespace

void Mpg123Decoder::HandleDeleter::operator()(mpg123_handle_struct* handle) const noexcept {
    mpg123_close(handle);
    mpg123_delete(handle);
}

Result<std::unique_ptr<Mpg123Decoder>> Mpg123Decoder::open(const std::filesystem::path& file) {
    if (auto ok = init_library(); !ok) return ok.error();

    int err = MPG123_OK;
    Handle handle(mpg123_new(nullptr, &err));
    if (!handle) {
        return fail(fmt::format("{}: cannot start the MP3 decoder: {}", file.string(),
                                mpg123_plain_strerror(err)));
    }
    mpg123_handle* h = handle.get();
    // Quiet: libmpg123 otherwise prints resync notes to stderr, and library code never prints.
    // No "Frankenstein" streams: a recording has one format, and a change of MPEG header after
    // the first frame is junk (a garbage tail, a bad splice) that must not be decoded. This also
    // stops at the end the LAME/Xing header announces.
    mpg123_param(h, MPG123_ADD_FLAGS, MPG123_QUIET | MPG123_NO_FRANKENSTEIN, 0.0);
    mpg123_param(h, MPG123_RESYNC_LIMIT, k_resync_limit, 0.0);

    // Accept every rate and channel count the stream has, in one encoding: float if this build of
    // libmpg123 can produce it (Debian's can), signed 16-bit otherwise.
    const bool float_output = mpg123_format_support(h, 44100, MPG123_ENC_FLOAT_32) != 0;
    const int encoding = float_output ? MPG123_ENC_FLOAT_32 : MPG123_ENC_SIGNED_16;
    mpg123_format_none(h);
    const long* rates = nullptr;
    std::size_t rate_count = 0;
    mpg123_rates(&rates, &rate_count);
    for (std::size_t i = 0; i < rate_count; ++i) {
        mpg123_format(h, rates[i], MPG123_MONO | MPG123_STEREO, encoding);
    }

    if (mpg123_open(h, file.c_str()) != MPG123_OK) {
        return fail(fmt::format("{}: cannot open MP3: {}", file.string(), handle_error(h)));
    }
    // getformat reads up to the first frame: this is where a file without MPEG audio fails.
    long rate = 0;
    int channels = 0;
    int enc = 0;
    if (mpg123_getformat(h, &rate, &channels, &enc) != MPG123_OK || rate <= 0 || channels <= 0) {
        return fail(fmt::format("{}: not an MP3 (no MPEG audio frame found)", file.string()));
    }

    // Pin the format found, as mpg123_open_fixed() would: later frames must match it.
    mpg123_format_none(h);
    mpg123_format(h, rate, channels == 1 ? MPG123_MONO : MPG123_STEREO, enc);

    AudioInfo info;
    info.sample_rate = static_cast<int>(rate);
    info.channels = channels;
    info.codec = "mp3";
    long accurate = 0;
    mpg123_getstate(h, MPG123_ACCURATE, &accurate, nullptr);
    const off_t length = mpg123_length(h);
    // Without a Xing/LAME header the length is a guess from the file size: do not report it.
    if (accurate && length > 0) info.frames = length;
    if (length > 0) info.estimated_frames = length;

    return std::unique_ptr<Mpg123Decoder>(
        new Mpg123Decoder(file, std::move(handle), std::move(info), float_output));
}

Mpg123Decoder::Mpg123Decoder(std::filesystem::path file, Handle handle, AudioInfo info,
                             bool float_output)
    : m_file(std::move(file)), m_handle(std::move(handle)), m_info(std::move(info)),
      m_float_output(float_output) {}

Result<std::size_t> Mpg123Decoder::read(std::span<float> out) {
    const auto channels = static_cast<std::size_t>(m_info.channels);
    const std::size_t frames_wanted = out.size() / channels;
    if (m_done || frames_wanted == 0) return std::size_t{0};

    unsigned char* buffer = nullptr;
    std::size_t bytes_wanted = 0;
    if (m_float_output) {
        buffer = reinterpret_cast<unsigned char*>(out.data());
        bytes_wanted = frames_wanted * channels * sizeof(float);
    } else {
        m_s16.resize(frames_wanted * channels);
        buffer = reinterpret_cast<unsigned char*>(m_s16.data());
        bytes_wanted = m_s16.size() * sizeof(std::int16_t);
    }

    std::size_t bytes_done = 0;
    while (bytes_done < bytes_wanted) {
        std::size_t got = 0;
        const int status =
            mpg123_read(m_handle.get(), buffer + bytes_done, bytes_wanted - bytes_done, &got);
        bytes_done += got;
        if (status == MPG123_OK) continue;
        if (status == MPG123_DONE) {
            m_done = true;
            break;
        }
        if (status == MPG123_NEW_FORMAT) {
            long rate = 0;
            int new_channels = 0;
            int enc = 0;
            mpg123_getformat(m_handle.get(), &rate, &new_channels, &enc);
            // Joined recordings with different formats cannot be one stream of samples.
            if (rate != m_info.sample_rate || new_channels != m_info.channels) {
                return fail(fmt::format("{}: MP3 changes format mid-stream ({} Hz, {} ch to {} Hz, "
                                        "{} ch)",
                                        m_file.string(), m_info.sample_rate, m_info.channels, rate,
                                        new_channels));
            }
            continue;
        }
        return fail(fmt::format("{}: MP3 decoding failed: {}", m_file.string(),
                                handle_error(m_handle.get())));
    }

    const std::size_t sample_bytes = m_float_output ? sizeof(float) : sizeof(std::int16_t);
    const std::size_t frames = bytes_done / (sample_bytes * channels);
    if (!m_float_output) {
        std::transform(m_s16.begin(),
                       m_s16.begin() + static_cast<std::ptrdiff_t>(frames * channels), out.begin(),
                       [](std::int16_t s) { return static_cast<float>(s) / 32768.0f; });
    } else {
        // MP3 decoding can overshoot full scale slightly; the port promises [-1, 1].
        for (float& s : out.first(frames * channels))
            s = std::clamp(s, -1.0f, 1.0f);
    }
    m_frames_read += static_cast<std::int64_t>(frames);
    if (m_done) check_truncation();
    return frames;
}

void Mpg123Decoder::check_truncation() {
    if (m_info.frames <= 0) return;
    // Allow two MPEG-1 frames of slack for encoder delay and padding bookkeeping.
    constexpr std::int64_t k_slack_frames = 2 * 1152;
    m_truncated = m_frames_read + k_slack_frames < m_info.frames;
}

} // namespace callscribe::audio::mpg123
