#include "live/stream_recording.hpp"

#include "core/file_sync.hpp"
#include "live/track_aligner.hpp"

#include <system_error>

#include <fmt/format.h>

namespace callscribe::live {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_part_suffix = ".part";
// Written out in pieces of about a second: few system calls, little held in memory.
constexpr std::size_t k_write_piece_frames = k_stream_rate;

// {CallSid}.stream.wav, {CallSid}.stream-2.wav, ...: the first that is neither a recording nor
// a recording being made.
fs::path first_free(const fs::path& dir, const std::string& call) {
    for (int n = 1;; ++n) {
        const auto name = n == 1 ? call + ".stream.wav" : fmt::format("{}.stream-{}.wav", call, n);
        std::error_code ec;
        if (!fs::exists(dir / name, ec) && !fs::exists(dir / (name + ".part"), ec))
            return dir / name;
    }
}

} // namespace

fs::path stream_recording_path(const fs::path& recordings_dir, const CallSid& call) {
    return recordings_dir / (call.str() + ".stream.wav");
}

Result<StreamRecording> StreamRecording::create(const fs::path& recordings_dir, const CallSid& call,
                                                int channels, std::int64_t sync_every_frames) {
    std::error_code ec;
    fs::create_directories(recordings_dir, ec);
    if (ec)
        return fail(fmt::format("{}: cannot create: {}", recordings_dir.string(), ec.message()));
    fs::path part = first_free(recordings_dir, call.str());
    part += k_part_suffix;
    auto writer =
        audio::WavWriter::create(part, k_stream_rate, channels, audio::OutputFormat::wav_mulaw);
    if (!writer) return writer.error();
    return StreamRecording(std::move(*writer), std::move(part), channels, sync_every_frames);
}

StreamRecording::StreamRecording(audio::WavWriter writer, fs::path part, int channels,
                                 std::int64_t sync_every_frames)
    : m_writer(std::move(writer)), m_part(std::move(part)), m_channels(channels),
      m_sync_every(sync_every_frames) {}

Result<void> StreamRecording::write_pending() {
    if (m_pending.empty()) return {};
    if (auto ok = m_writer.write_encoded(m_pending); !ok) return ok;
    m_pending.clear();
    return {};
}

Result<void> StreamRecording::append(std::span<const std::uint8_t> frames) {
    CALLSCRIBE_ASSERT(m_final.empty());
    CALLSCRIBE_ASSERT(frames.size() % static_cast<std::size_t>(m_channels) == 0);
    m_pending.insert(m_pending.end(), frames.begin(), frames.end());
    m_frames += static_cast<std::int64_t>(frames.size()) / m_channels;
    if (m_pending.size() >= k_write_piece_frames * static_cast<std::size_t>(m_channels)) {
        if (auto ok = write_pending(); !ok) return ok;
    }
    if (m_frames - m_frames_at_sync >= m_sync_every) {
        if (auto ok = write_pending(); !ok) return ok;
        if (auto ok = m_writer.sync(); !ok) return ok;
        m_frames_at_sync = m_frames;
    }
    return {};
}

Result<fs::path> StreamRecording::finish() {
    if (!m_final.empty()) return Result<fs::path>(boost::system::in_place_value, m_final);
    if (auto ok = write_pending(); !ok) return ok.error();
    if (auto ok = m_writer.finish(); !ok) return ok.error();
    fs::path final_path = m_part;
    final_path.replace_extension(); // drops ".part"
    std::error_code ec;
    fs::rename(m_part, final_path, ec);
    if (ec) {
        return fail(fmt::format("{}: cannot rename to {}: {}", m_part.string(),
                                final_path.filename().string(), ec.message()));
    }
    sync_directory(final_path.parent_path());
    m_final = final_path;
    return Result<fs::path>(boost::system::in_place_value, m_final);
}

std::vector<Result<RecoveredStream>> recover_stream_recordings(const fs::path& recordings_dir) {
    std::vector<Result<RecoveredStream>> recovered;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(recordings_dir, ec)) {
        const auto name = entry.path().filename().string();
        if (!name.ends_with(".wav.part") || name.find(".stream") == std::string::npos) continue;
        auto frames = audio::finish_unfinished_wav(entry.path());
        if (!frames) {
            recovered.emplace_back(frames.error());
            continue;
        }
        fs::path final_path = entry.path();
        final_path.replace_extension();
        fs::rename(entry.path(), final_path, ec);
        if (ec) {
            recovered.emplace_back(
                fail(fmt::format("{}: cannot rename to {}: {}", entry.path().string(),
                                 final_path.filename().string(), ec.message())));
            continue;
        }
        recovered.emplace_back(RecoveredStream{final_path, *frames});
    }
    if (!recovered.empty()) sync_directory(recordings_dir);
    return recovered;
}

} // namespace callscribe::live
