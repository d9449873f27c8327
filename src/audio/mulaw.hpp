#pragma once
// G.711 μ-law, the 8 kHz telephone encoding of Twilio's Media Streams: one byte a sample.
// Pure; thread-safe.

#include <cstdint>
#include <span>
#include <vector>

namespace callscribe::audio {

// One byte of silence (μ-law's zero).
inline constexpr std::uint8_t k_mulaw_silence = 0xFF;

// Appends the samples of `mulaw` to `out`, in [-1, 1].
void decode_mulaw(std::span<const std::uint8_t> mulaw, std::vector<float>& out);

// Appends the μ-law bytes of `samples` (in [-1, 1]; values beyond are clipped) to `out`.
void encode_mulaw(std::span<const float> samples, std::vector<std::uint8_t>& out);

} // namespace callscribe::audio
