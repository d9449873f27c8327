#include "audio/ffmpeg/ffmpeg_decoder.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
}

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>

namespace callscribe::audio::ffmpeg {

namespace {

// A container recognised with no more than this score is a guess (FFmpeg's own threshold for
// probing further); random bytes score that low, real files score 50 to 100.
constexpr int k_min_probe_score = AVPROBE_SCORE_RETRY;
// Packets that fail to decode in a row before the file is judged undecodable.
constexpr int k_max_bad_packets_in_a_row = 50;
// Slack for encoder delay and padding when the decoded length is compared with the container's.
constexpr double k_truncation_slack_s = 0.1;

// Probing reads the file's start in growing steps, as FFmpeg's own probe does, up to its limit.
constexpr std::size_t k_first_probe_bytes = 2048;
constexpr std::size_t k_max_probe_bytes = 1 << 20;

std::string error_text(int code) {
    char text[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(code, text, sizeof text);
    return text;
}

void silence_library_logs() {
    static std::once_flag once;
    std::call_once(once, [] { av_log_set_level(AV_LOG_QUIET); });
}

// The container FFmpeg recognises in the file's first bytes, by content alone: FFmpeg would
// otherwise also trust the name (any .txt opens as ANSI art). Null when nothing scores above
// k_min_probe_score.
Result<const AVInputFormat*> probe(const std::filesystem::path& file) {
    std::FILE* f = std::fopen(file.c_str(), "rb");
    if (!f) return fail(fmt::format("{}: cannot open: {}", file.string(), std::strerror(errno)));
    std::vector<std::uint8_t> bytes;
    const AVInputFormat* found = nullptr;
    for (std::size_t want = k_first_probe_bytes; !found && want <= k_max_probe_bytes; want *= 2) {
        const std::size_t had = bytes.size();
        bytes.resize(want + AVPROBE_PADDING_SIZE);
        const std::size_t got = std::fread(bytes.data() + had, 1, want - had, f);
        bytes.resize(had + got);
        const bool at_end = got < want - had;
        bytes.resize(bytes.size() + AVPROBE_PADDING_SIZE, 0); // FFmpeg reads past the end
        AVProbeData data{};
        data.filename = "";
        data.buf = bytes.data();
        data.buf_size = static_cast<int>(bytes.size() - AVPROBE_PADDING_SIZE);
        int score = 0;
        const AVInputFormat* format = av_probe_input_format3(&data, 1, &score);
        bytes.resize(bytes.size() - AVPROBE_PADDING_SIZE);
        if (format && score > k_min_probe_score) found = format;
        if (at_end) break;
    }
    std::fclose(f);
    return found;
}

} // namespace

Result<bool> has_audio_track(const std::filesystem::path& file) {
    silence_library_logs();
    auto format = probe(file);
    if (!format) return format.error();
    if (!*format) return false;
    AVFormatContext* context = nullptr;
    if (avformat_open_input(&context, file.c_str(), *format, nullptr) < 0) return true;
    // Most containers list their tracks in their header; the others (MPEG-TS) need a look in.
    if (context->nb_streams == 0 && avformat_find_stream_info(context, nullptr) < 0) {
        avformat_close_input(&context);
        return true;
    }
    bool audio = false;
    for (unsigned i = 0; i < context->nb_streams; ++i)
        audio = audio || context->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO;
    avformat_close_input(&context);
    return audio;
}

FfmpegDecoder::~FfmpegDecoder() {
    swr_free(&m_convert);
    av_frame_free(&m_frame);
    av_packet_free(&m_packet);
    avcodec_free_context(&m_codec);
    avformat_close_input(&m_format);
}

Result<std::unique_ptr<FfmpegDecoder>> FfmpegDecoder::open(const std::filesystem::path& file) {
    silence_library_logs();
    std::unique_ptr<FfmpegDecoder> d(new FfmpegDecoder());
    d->m_file = file;
    const std::string name = file.string();

    auto format = probe(file);
    if (!format) return format.error();
    if (!*format) return fail(fmt::format("{}: not a recognised audio file", name));
    // A container recognised that then does not open is damaged or cut (an MP4 whose index was
    // to come at its end).
    auto unreadable = [&](int rc) {
        return fail(fmt::format("{}: cannot read its {} container: {}", name, (*format)->name,
                                error_text(rc)));
    };
    if (const int rc = avformat_open_input(&d->m_format, file.c_str(), *format, nullptr); rc < 0)
        return unreadable(rc);
    if (const int rc = avformat_find_stream_info(d->m_format, nullptr); rc < 0)
        return unreadable(rc);
    const AVCodec* codec = nullptr;
    d->m_stream = av_find_best_stream(d->m_format, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
    if (d->m_stream == AVERROR_STREAM_NOT_FOUND)
        return fail(fmt::format("{}: no audio track ({} file)", name, d->m_format->iformat->name));
    if (d->m_stream < 0 || !codec) {
        return fail(fmt::format("{}: no decoder for its audio track ({} file)", name,
                                d->m_format->iformat->name));
    }
    const AVStream* stream = d->m_format->streams[d->m_stream];
    // The demuxer hands over the chosen track's packets only.
    for (unsigned i = 0; i < d->m_format->nb_streams; ++i) {
        if (static_cast<int>(i) != d->m_stream) d->m_format->streams[i]->discard = AVDISCARD_ALL;
    }

    d->m_codec = avcodec_alloc_context3(codec);
    if (!d->m_codec) return fail(fmt::format("{}: out of memory for the decoder", name));
    if (const int rc = avcodec_parameters_to_context(d->m_codec, stream->codecpar); rc < 0)
        return fail(
            fmt::format("{}: cannot set up the {} decoder: {}", name, codec->name, error_text(rc)));
    d->m_codec->thread_count = 1; // one file per worker; the pipeline parallelises across files
    if (const int rc = avcodec_open2(d->m_codec, codec, nullptr); rc < 0)
        return fail(
            fmt::format("{}: cannot open the {} decoder: {}", name, codec->name, error_text(rc)));
    const int source_channels = d->m_codec->ch_layout.nb_channels;
    if (d->m_codec->sample_rate <= 0 || source_channels <= 0) {
        return fail(fmt::format("{}: its {} audio track has no sample rate or channel count", name,
                                codec->name));
    }

    // Interleaved float at the source's rate; the channel count kept for a call (1 or 2),
    // mixed down to mono beyond.
    AVChannelLayout out_layout{};
    av_channel_layout_default(&out_layout, source_channels <= 2 ? source_channels : 1);
    const int rc = swr_alloc_set_opts2(&d->m_convert, &out_layout, AV_SAMPLE_FMT_FLT,
                                       d->m_codec->sample_rate, &d->m_codec->ch_layout,
                                       d->m_codec->sample_fmt, d->m_codec->sample_rate, 0, nullptr);
    if (rc < 0 || swr_init(d->m_convert) < 0)
        return fail(fmt::format("{}: cannot convert its {} samples", name, codec->name));

    d->m_packet = av_packet_alloc();
    d->m_frame = av_frame_alloc();
    if (!d->m_packet || !d->m_frame) return fail(fmt::format("{}: out of memory", name));

    d->m_info.sample_rate = d->m_codec->sample_rate;
    d->m_info.channels = out_layout.nb_channels;
    d->m_info.codec = codec->name;
    if (stream->duration > 0 && stream->time_base.den > 0) {
        d->m_expected_frames = av_rescale_q(stream->duration, stream->time_base,
                                            AVRational{1, d->m_codec->sample_rate});
        d->m_info.frames = d->m_expected_frames;
    }
    d->m_info.estimated_frames = d->m_info.frames;
    if (d->m_info.estimated_frames < 0 && d->m_format->duration > 0) {
        d->m_info.estimated_frames = av_rescale_q(d->m_format->duration, AV_TIME_BASE_Q,
                                                  AVRational{1, d->m_codec->sample_rate});
    }
    return d;
}

Result<std::size_t> FfmpegDecoder::read(std::span<float> out) {
    const auto channels = static_cast<std::size_t>(m_info.channels);
    const std::size_t frames_wanted = out.size() / channels;
    std::size_t frames = 0;
    while (frames < frames_wanted) {
        if (m_pending_at == m_pending.size()) {
            if (m_done) break;
            auto more = decode_next();
            if (!more) return more.error();
            if (!*more) break;
            continue;
        }
        const std::size_t n =
            std::min((m_pending.size() - m_pending_at) / channels, frames_wanted - frames);
        std::copy_n(m_pending.begin() + static_cast<std::ptrdiff_t>(m_pending_at), n * channels,
                    out.begin() + static_cast<std::ptrdiff_t>(frames * channels));
        m_pending_at += n * channels;
        frames += n;
        m_frames_read += static_cast<std::int64_t>(n);
    }
    // Lossy codecs overshoot full scale slightly; the port promises [-1, 1].
    for (float& s : out.first(frames * channels))
        s = std::clamp(s, -1.0f, 1.0f);
    return frames;
}

Result<bool> FfmpegDecoder::decode_next() {
    m_pending.clear();
    m_pending_at = 0;
    int bad_in_a_row = 0;
    for (;;) {
        const int got = avcodec_receive_frame(m_codec, m_frame);
        if (got == 0) {
            auto converted = convert(*m_frame);
            av_frame_unref(m_frame);
            if (!converted) return converted.error();
            if (!m_pending.empty()) return true;
            continue;
        }
        if (got == AVERROR_EOF) {
            m_done = true;
            if (m_frames_read == 0 && m_bad_packets > 0) {
                return fail(fmt::format("{}: its {} audio does not decode: {}", m_file.string(),
                                        m_info.codec, m_last_error));
            }
            check_truncation();
            return false;
        }
        if (got != AVERROR(EAGAIN)) {
            ++m_bad_packets;
            m_last_error = error_text(got);
            // The decoder is left in an unknown state: start it afresh on the next packet.
            avcodec_flush_buffers(m_codec);
        }
        if (m_input_done) {
            // A draining decoder that fails has nothing more to give.
            if (got != AVERROR(EAGAIN)) continue;
            m_done = true;
            check_truncation();
            return false;
        }
        const int read = av_read_frame(m_format, m_packet);
        if (read == AVERROR_EOF) {
            m_input_done = true;
            avcodec_send_packet(m_codec, nullptr); // drain
            continue;
        }
        if (read < 0) {
            // A damaged container past the part already read: what was read is all there is.
            m_input_done = true;
            m_truncated = true;
            avcodec_send_packet(m_codec, nullptr);
            continue;
        }
        if (m_packet->stream_index != m_stream) {
            av_packet_unref(m_packet);
            continue;
        }
        const int sent = avcodec_send_packet(m_codec, m_packet);
        av_packet_unref(m_packet);
        if (sent < 0 && sent != AVERROR(EAGAIN)) {
            ++m_bad_packets;
            m_last_error = error_text(sent);
            if (++bad_in_a_row >= k_max_bad_packets_in_a_row) {
                return fail(fmt::format("{}: its {} audio does not decode: {}", m_file.string(),
                                        m_info.codec, m_last_error));
            }
        } else {
            bad_in_a_row = 0;
        }
    }
}

Result<void> FfmpegDecoder::convert(const AVFrame& frame) {
    if (frame.nb_samples <= 0) return {};
    const int out_capacity = swr_get_out_samples(m_convert, frame.nb_samples);
    if (out_capacity < 0) return fail(fmt::format("{}: cannot convert samples", m_file.string()));
    m_pending.resize(static_cast<std::size_t>(out_capacity) *
                     static_cast<std::size_t>(m_info.channels));
    auto* out = reinterpret_cast<std::uint8_t*>(m_pending.data());
    const int converted =
        swr_convert(m_convert, &out, out_capacity,
                    const_cast<const std::uint8_t**>(frame.extended_data), frame.nb_samples);
    if (converted < 0) {
        return fail(
            fmt::format("{}: cannot convert samples: {}", m_file.string(), error_text(converted)));
    }
    m_pending.resize(static_cast<std::size_t>(converted) *
                     static_cast<std::size_t>(m_info.channels));
    // NaN from a broken stream would poison every later computation.
    for (float& s : m_pending)
        if (std::isnan(s)) s = 0.0f;
    return {};
}

void FfmpegDecoder::check_truncation() {
    if (m_expected_frames <= 0) return;
    const auto slack = static_cast<std::int64_t>(k_truncation_slack_s * m_info.sample_rate);
    if (m_frames_read + slack < m_expected_frames) m_truncated = true;
}

} // namespace callscribe::audio::ffmpeg
