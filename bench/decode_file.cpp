// callscribe_decode: the audio path on its own, for measuring time and memory.
//
//   callscribe_decode FILE...                       decode each FILE through PcmReader (16 kHz)
//                                                   and print its frames, chunks and flags
//   callscribe_decode --decoder default|ffmpeg FILE...
//                                                   decode only (no resampling) through the
//                                                   decoder open_decoder picks, or through FFmpeg's
//                                                   whatever the format: bench/decode compares them
//   callscribe_decode --generate SECONDS OUT FORMAT write a synthetic 8 kHz mono telephone-like
//                                                   recording; FORMAT: pcm16 mulaw alaw mp3 flac
//   callscribe_decode --call SECONDS OUT FORMAT SPEECH...
//                                                   a call of real speech: the SPEECH files in
//                                                   turn, 1.5 s of line hiss between them
//   callscribe_decode --call2 SECONDS OUT FORMAT SPEECH...
//                                                   the same as a two-channel call: the turns
//                                                   alternate between the channels, the other
//                                                   one hears line hiss meanwhile
//
// Generation streams through WavWriter a second at a time, so it needs no more memory for an
// hour than for a minute.

#include "audio/ffmpeg/ffmpeg_decoder.hpp"
#include "audio/pcm_reader.hpp"
#include "audio/wav_writer.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace callscribe::audio;

constexpr int k_rate = 8000;

std::optional<WavWriter> open_writer(const std::string& out, const std::string& format_name,
                                     int channels = 1) {
    const std::map<std::string, OutputFormat> formats = {{"pcm16", OutputFormat::wav_pcm16},
                                                         {"mulaw", OutputFormat::wav_mulaw},
                                                         {"alaw", OutputFormat::wav_alaw},
                                                         {"mp3", OutputFormat::mp3},
                                                         {"flac", OutputFormat::flac}};
    const auto format = formats.find(format_name);
    if (format == formats.end()) {
        fmt::print(stderr, "unknown format {}\n", format_name);
        return std::nullopt;
    }
    auto writer = WavWriter::create(out, k_rate, channels, format->second);
    if (!writer) {
        fmt::print(stderr, "{}\n", writer.error().message);
        return std::nullopt;
    }
    return std::move(*writer);
}

int call(double seconds, const std::string& out, const std::string& format_name,
         const std::vector<std::string>& speech_files, int channels) {
    auto writer = open_writer(out, format_name, channels);
    if (!writer) return 2;
    std::vector<std::vector<float>> utterances;
    for (const auto& file : speech_files) {
        auto reader = PcmReader::open(file, k_rate);
        if (!reader) {
            fmt::print(stderr, "{}\n", reader.error().message);
            return 1;
        }
        std::vector<float> samples;
        std::vector<std::vector<float>> chunk;
        while (*reader->next(chunk))
            samples.insert(samples.end(), chunk[0].begin(), chunk[0].end());
        utterances.push_back(std::move(samples));
    }
    std::uint32_t noise = 7;
    auto hiss = [&](std::size_t n) {
        std::vector<float> out(n);
        for (float& s : out) {
            noise = noise * 1664525u + 1013904223u;
            s = static_cast<float>((static_cast<double>(noise >> 8) / (1 << 24) - 0.5) * 0.003);
        }
        return out;
    };
    const std::vector<float> gap = hiss(std::size_t(1.5 * k_rate));
    const auto total = static_cast<std::size_t>(seconds * k_rate);
    std::size_t written = 0;
    for (std::size_t i = 0; written < total; ++i) {
        const std::vector<float>* parts[] = {&utterances[i % utterances.size()], &gap};
        for (const std::vector<float>* part : parts) {
            const auto n = std::min(part->size(), total - written);
            std::vector<float> frames(part->begin(), part->begin() + std::ptrdiff_t(n));
            if (channels == 2) { // turn i on channel i % 2, hiss on the other
                const std::vector<float> quiet = part == &gap ? frames : hiss(n);
                std::vector<float> both(2 * n);
                for (std::size_t k = 0; k < n; ++k) {
                    both[2 * k + i % 2] = frames[k];
                    both[2 * k + 1 - i % 2] = quiet[k];
                }
                frames = std::move(both);
            }
            if (auto ok = writer->write(frames); !ok) {
                fmt::print(stderr, "{}\n", ok.error().message);
                return 1;
            }
            written += n;
        }
    }
    if (auto ok = writer->finish(); !ok) {
        fmt::print(stderr, "{}\n", ok.error().message);
        return 1;
    }
    return 0;
}

int generate(double seconds, const std::string& out, const std::string& format_name) {
    auto writer = open_writer(out, format_name);
    if (!writer) return 2;
    // A voice-band "talker": a wandering tone with a syllable-rate envelope, plus a little noise.
    std::vector<float> second(k_rate);
    std::uint32_t noise = 1;
    const auto total = static_cast<long>(seconds * k_rate);
    for (long start = 0; start < total; start += k_rate) {
        const long n = std::min<long>(k_rate, total - start);
        second.resize(static_cast<std::size_t>(n));
        for (long i = 0; i < n; ++i) {
            const double t = static_cast<double>(start + i) / k_rate;
            const double pitch = 300 + 200 * std::sin(2 * std::numbers::pi * 0.3 * t);
            const double envelope = 0.5 + 0.5 * std::sin(2 * std::numbers::pi * 4 * t);
            noise = noise * 1664525u + 1013904223u;
            const double hiss = (static_cast<double>(noise >> 8) / (1 << 24) - 0.5) * 0.02;
            second[static_cast<std::size_t>(i)] = static_cast<float>(
                0.4 * envelope * std::sin(2 * std::numbers::pi * pitch * t) + hiss);
        }
        if (auto ok = writer->write(second); !ok) {
            fmt::print(stderr, "{}\n", ok.error().message);
            return 1;
        }
    }
    if (auto ok = writer->finish(); !ok) {
        fmt::print(stderr, "{}\n", ok.error().message);
        return 1;
    }
    return 0;
}

int decode(const std::string& file) {
    auto reader = PcmReader::open(file);
    if (!reader) {
        fmt::print(stderr, "{}\n", reader.error().message);
        return 1;
    }
    std::vector<std::vector<float>> chunk;
    std::size_t frames = 0;
    std::size_t chunks = 0;
    std::size_t max_chunk = 0;
    for (;;) {
        auto more = reader->next(chunk);
        if (!more) {
            fmt::print(stderr, "{}\n", more.error().message);
            return 1;
        }
        if (!*more) break;
        frames += chunk[0].size();
        max_chunk = std::max(max_chunk, chunk[0].size());
        ++chunks;
    }
    const AudioInfo& info = reader->source_info();
    fmt::print("{}: {} {} Hz {} ch, source frames {}, {} frames at {} Hz ({:.3f} s) in {} chunks "
               "(max {}){}\n",
               file, info.codec, info.sample_rate, info.channels, info.frames, frames,
               reader->rate(), static_cast<double>(frames) / reader->rate(), chunks, max_chunk,
               reader->truncated() ? ", truncated" : "");
    return 0;
}

int decode_only(const std::string& file, bool through_ffmpeg) {
    auto open = [&]() -> callscribe::Result<std::unique_ptr<Decoder>> {
        if (!through_ffmpeg) return open_decoder(file);
        auto ffmpeg_decoder = ffmpeg::FfmpegDecoder::open(file);
        if (!ffmpeg_decoder) return ffmpeg_decoder.error();
        return std::unique_ptr<Decoder>(std::move(*ffmpeg_decoder));
    };
    auto decoder = open();
    if (!decoder) {
        fmt::print(stderr, "{}\n", decoder.error().message);
        return 1;
    }
    const AudioInfo& info = (*decoder)->info();
    std::vector<float> buffer(static_cast<std::size_t>(info.sample_rate / 2 * info.channels));
    std::int64_t frames = 0;
    for (;;) {
        auto got = (*decoder)->read(buffer);
        if (!got) {
            fmt::print(stderr, "{}\n", got.error().message);
            return 1;
        }
        if (*got == 0) break;
        frames += static_cast<std::int64_t>(*got);
    }
    fmt::print("{}: {} {} Hz {} ch, {} frames ({:.3f} s) decoded by {}\n", file, info.codec,
               info.sample_rate, info.channels, frames,
               static_cast<double>(frames) / info.sample_rate,
               through_ffmpeg ? "ffmpeg" : "default");
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() >= 5 && (args[0] == "--call" || args[0] == "--call2")) {
        return call(std::atof(args[1].c_str()), args[2], args[3],
                    std::vector<std::string>(args.begin() + 4, args.end()),
                    args[0] == "--call2" ? 2 : 1);
    }
    if (args.size() == 4 && args[0] == "--generate") {
        return generate(std::atof(args[1].c_str()), args[2], args[3]);
    }
    if (args.size() >= 3 && args[0] == "--decoder" &&
        (args[1] == "default" || args[1] == "ffmpeg")) {
        int status = 0;
        for (auto file = args.begin() + 2; file != args.end(); ++file)
            status = std::max(status, decode_only(*file, args[1] == "ffmpeg"));
        return status;
    }
    if (args.empty() || args[0].starts_with("--")) {
        fmt::print(stderr, "usage: callscribe_decode FILE... | --generate SECONDS OUT FORMAT\n");
        return 2;
    }
    int status = 0;
    for (const auto& file : args)
        status = std::max(status, decode(file));
    return status;
}
