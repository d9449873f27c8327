#include "support/media_stream_messages.hpp"

#include "audio/mulaw.hpp"
#include "audio/pcm_reader.hpp"
#include "core/base64.hpp"
#include "support/temp_dir.hpp"

#include <fmt/format.h>

#include <cstring>

namespace callscribe::test_support {

std::string connected_message() {
    return R"({"event":"connected","protocol":"Call","version":"1.0.0"})";
}

std::string start_message(std::string_view call_sid, std::string_view tracks,
                          std::string_view encoding) {
    return fmt::format(
        R"({{"event":"start","sequenceNumber":"1","streamSid":"{0}","start":{{"accountSid":"{1}",)"
        R"("streamSid":"{0}","callSid":"{2}","tracks":[{3}],"mediaFormat":{{"encoding":"{4}",)"
        R"("sampleRate":8000,"channels":1}},"customParameters":{{}}}}}})",
        k_stream_sid, k_stream_account, call_sid, tracks, encoding);
}

std::string media_message(std::int64_t sequence, std::string_view track, std::int64_t chunk,
                          std::int64_t timestamp_ms, std::string_view mulaw) {
    return fmt::format(R"({{"event":"media","sequenceNumber":"{}","streamSid":"{}","media":)"
                       R"({{"track":"{}","chunk":"{}","timestamp":"{}","payload":"{}"}}}})",
                       sequence, k_stream_sid, track, chunk, timestamp_ms, encode_base64(mulaw));
}

std::string stop_message(std::int64_t sequence, std::string_view call_sid) {
    return fmt::format(R"({{"event":"stop","sequenceNumber":"{}","streamSid":"{}","stop":)"
                       R"({{"accountSid":"{}","callSid":"{}"}}}})",
                       sequence, k_stream_sid, k_stream_account, call_sid);
}

std::string wav_data(const std::filesystem::path& file) {
    const std::string bytes = read_file(file);
    std::size_t at = 12; // after "RIFF", its size, "WAVE"
    while (at + 8 <= bytes.size()) {
        std::uint32_t size = 0;
        std::memcpy(&size, bytes.data() + at + 4, 4); // little-endian, as this machine
        if (bytes.compare(at, 4, "data") == 0) return bytes.substr(at + 8, size);
        at += 8 + size + (size % 2);
    }
    return {};
}

std::vector<std::uint8_t> mulaw_8k(const std::filesystem::path& file) {
    auto reader = audio::PcmReader::open(file, 8000);
    if (!reader) throw std::runtime_error(reader.error().message);
    std::vector<float> samples;
    std::vector<std::vector<float>> chunk;
    while (*reader->next(chunk))
        samples.insert(samples.end(), chunk[0].begin(), chunk[0].end());
    std::vector<std::uint8_t> bytes;
    audio::encode_mulaw(samples, bytes);
    return bytes;
}

} // namespace callscribe::test_support
