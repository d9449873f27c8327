#include "sandbox/prepared_audio.hpp"

#include "audio/pcm_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace callscribe::sandbox {

Result<PreparedAudio> prepare_audio(const std::filesystem::path& source,
                                    const std::filesystem::path& dir, std::string_view stem,
                                    std::optional<int> channels, audio::OutputFormat wav_format) {
    CALLSCRIBE_ASSERT(!channels || *channels == 1 || *channels == 2);
    auto reader = audio::PcmReader::open(source, k_recording_rate);
    if (!reader) return reader.error();
    const int in_channels = reader->channels();
    const int out_channels = channels.value_or(std::min(in_channels, 2));

    PreparedAudio prepared;
    prepared.wav = dir / fmt::format("{}.wav", stem);
    prepared.mp3 = dir / fmt::format("{}.mp3", stem);
    prepared.channels = out_channels;
    prepared.sample_rate = k_recording_rate;
    auto wav = audio::WavWriter::create(prepared.wav, k_recording_rate, out_channels, wav_format);
    if (!wav) return wav.error();
    auto mp3 = audio::WavWriter::create(prepared.mp3, k_recording_rate, out_channels,
                                        audio::OutputFormat::mp3);
    if (!mp3) return mp3.error();

    std::vector<std::vector<float>> chunk;
    std::vector<float> interleaved;
    std::size_t frames_written = 0;
    for (;;) {
        auto more = reader->next(chunk);
        if (!more) return more.error();
        if (!*more) break;
        const std::size_t frames = chunk.front().size();
        interleaved.assign(frames * static_cast<std::size_t>(out_channels), 0.0f);
        for (std::size_t i = 0; i < frames; ++i) {
            if (out_channels == 1) {
                float sum = 0;
                for (const auto& channel : chunk)
                    sum += channel[i];
                interleaved[i] = sum / static_cast<float>(chunk.size());
            } else {
                for (std::size_t c = 0; c < 2; ++c)
                    interleaved[i * 2 + c] = chunk[std::min(c, chunk.size() - 1)][i];
            }
        }
        if (auto ok = wav->write(interleaved); !ok) return ok.error();
        if (auto ok = mp3->write(interleaved); !ok) return ok.error();
        frames_written += frames;
    }
    if (auto ok = wav->finish(); !ok) return ok.error();
    if (auto ok = mp3->finish(); !ok) return ok.error();
    prepared.duration_s = static_cast<double>(frames_written) / k_recording_rate;
    return prepared;
}

} // namespace callscribe::sandbox
