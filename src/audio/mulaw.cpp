#include "audio/mulaw.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>

namespace callscribe::audio {

namespace {

constexpr int k_bias = 0x84; // G.711's bias, added before the segment is found
constexpr int k_clip = 32635;

constexpr int linear(std::uint8_t byte) {
    const int u = ~byte & 0xFF;
    const int magnitude = (((u & 0x0F) << 3) + k_bias) << ((u & 0x70) >> 4);
    return (u & 0x80) ? k_bias - magnitude : magnitude - k_bias;
}

constexpr std::array<float, 256> k_decoded = [] {
    std::array<float, 256> table{};
    for (int b = 0; b < 256; ++b)
        table[std::size_t(b)] = float(linear(std::uint8_t(b))) / 32768.0f;
    return table;
}();

std::uint8_t mulaw(int pcm) {
    const int sign = pcm < 0 ? 0x80 : 0;
    const int magnitude = std::min(std::abs(pcm), k_clip) + k_bias; // 132 .. 32767
    // The segment is where the highest set bit sits above bit 7: 0 to 7.
    const int exponent = std::bit_width(unsigned(magnitude >> 7)) - 1;
    const int mantissa = (magnitude >> (exponent + 3)) & 0x0F;
    return std::uint8_t(~(sign | (exponent << 4) | mantissa));
}

} // namespace

void decode_mulaw(std::span<const std::uint8_t> mulaw, std::vector<float>& out) {
    out.reserve(out.size() + mulaw.size());
    for (const std::uint8_t byte : mulaw)
        out.push_back(k_decoded[byte]);
}

void encode_mulaw(std::span<const float> samples, std::vector<std::uint8_t>& out) {
    out.reserve(out.size() + samples.size());
    for (const float s : samples)
        out.push_back(mulaw(int(std::lround(std::clamp(s, -1.0f, 1.0f) * 32767.0f))));
}

} // namespace callscribe::audio
