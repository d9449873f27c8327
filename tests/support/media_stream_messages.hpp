#pragma once
// Twilio Media Streams messages as Twilio sends them (docs/media-streams.md), for tests that
// play a stream; the μ-law bytes of a WAV file the capture wrote, and of a recording to stream.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace callscribe::test_support {

inline constexpr std::string_view k_stream_sid = "MZ0123456789abcdef0123456789abcdef";
inline constexpr std::string_view k_stream_account = "AC0123456789abcdef0123456789abcdef";

std::string connected_message();
// `tracks`: "\"inbound\",\"outbound\"", say.
std::string start_message(std::string_view call_sid,
                          std::string_view tracks = R"("inbound","outbound")",
                          std::string_view encoding = "audio/x-mulaw");
std::string media_message(std::int64_t sequence, std::string_view track, std::int64_t chunk,
                          std::int64_t timestamp_ms, std::string_view mulaw);
std::string stop_message(std::int64_t sequence, std::string_view call_sid);

// The bytes of the WAV file's "data" chunk (empty when there is none).
std::string wav_data(const std::filesystem::path& file);

// Channel 1 of an audio file as Twilio streams it: μ-law at 8 kHz.
std::vector<std::uint8_t> mulaw_8k(const std::filesystem::path& file);

} // namespace callscribe::test_support
