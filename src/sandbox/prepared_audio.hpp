#pragma once
// The sandbox's recordings on disk: one source file (MP3 or WAV, any rate) decoded once, when the
// call is created, and written as the two files Twilio serves, a WAV and an MP3.
//
// Both are written at 8 kHz, the rate of Twilio's own recordings, so that the service under test
// always goes through the same resampling (8 kHz → 16 kHz) and size per second as in production;
// keeping a 16 or 44.1 kHz source rate would test a case Twilio never produces.
//
// Uses the project's audio code only: audio::PcmReader decodes and resamples, audio::WavWriter
// encodes (WAV PCM 16-bit, μ-law or A-law; MP3 through libsndfile's LAME). Streaming: memory does
// not grow with the recording's length. Errors name the source file (unreadable, not audio, no
// samples) or the file that could not be written.

#include "audio/wav_writer.hpp"
#include "core/result.hpp"

#include <filesystem>
#include <optional>
#include <string_view>

namespace callscribe::sandbox {

struct PreparedAudio {
    std::filesystem::path wav; // served for the base URL and .wav
    std::filesystem::path mp3; // served for .mp3
    double duration_s = 0;
    int channels = 1;
    int sample_rate = 0;
};

// Twilio records telephone audio at 8 kHz.
inline constexpr int k_recording_rate = 8000;

// Writes `{dir}/{stem}.wav` and `{dir}/{stem}.mp3`. `channels` 1 or 2, or the source's (at most 2)
// when unset: a mono source asked for as two channels repeats itself on both; a two-channel source
// asked for as mono is mixed down.
Result<PreparedAudio> prepare_audio(const std::filesystem::path& source,
                                    const std::filesystem::path& dir, std::string_view stem,
                                    std::optional<int> channels, audio::OutputFormat wav_format);

} // namespace callscribe::sandbox
