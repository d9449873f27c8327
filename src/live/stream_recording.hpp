#pragma once
// The call's own recording, made from its media stream while the call goes on:
// recordings/{CallSid}.stream.wav, μ-law at 8 kHz, one channel per track (caller, then agent).
//
// Written as {CallSid}.stream.wav.part, flushed to the disk (fsync) every `sync_every` of
// audio, and renamed into place by finish(). After a crash, recover_stream_recordings() at the
// next start completes every .part it finds (the audio flushed before the crash, and usually
// more) and renames it. A second stream of the same call does not overwrite the first: it
// becomes {CallSid}.stream-2.wav, and so on.
//
// A StreamRecording is not thread-safe (one stream, one connection). Errors name the file.
#include "audio/wav_writer.hpp"
#include "core/result.hpp"
#include "core/sid.hpp"

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace callscribe::live {

// recordings/{CallSid}.stream.wav: where the offline job looks for the stream's recording.
std::filesystem::path stream_recording_path(const std::filesystem::path& recordings_dir,
                                            const CallSid& call);

class StreamRecording {
  public:
    // Creates the .part file (fails when one is open for this call already: a stream that
    // is still going on).
    static Result<StreamRecording> create(const std::filesystem::path& recordings_dir,
                                          const CallSid& call, int channels,
                                          std::int64_t sync_every_frames);

    // Appends interleaved μ-law frames; writes them out in pieces, flushing to the disk every
    // `sync_every_frames`.
    Result<void> append(std::span<const std::uint8_t> frames);
    // Writes what is pending, completes the header, flushes and renames the file into place.
    // Returns the final path. Idempotent.
    Result<std::filesystem::path> finish();

    std::int64_t frames() const { return m_frames; }
    const std::filesystem::path& part_path() const { return m_part; }

  private:
    StreamRecording(audio::WavWriter writer, std::filesystem::path part, int channels,
                    std::int64_t sync_every_frames);
    Result<void> write_pending();

    audio::WavWriter m_writer;
    std::filesystem::path m_part;
    int m_channels;
    std::int64_t m_sync_every;
    std::vector<std::uint8_t> m_pending;
    std::int64_t m_frames = 0;         // appended
    std::int64_t m_frames_at_sync = 0; // flushed to the disk
    std::filesystem::path m_final{};   // once finished
};

struct RecoveredStream {
    std::filesystem::path path; // the completed recording
    std::int64_t frames = 0;
};

// Completes and renames every .stream.wav.part in `recordings_dir` (a stream cut by a crash).
// One that cannot be completed is left as it is, and the error says which and why.
std::vector<Result<RecoveredStream>>
recover_stream_recordings(const std::filesystem::path& recordings_dir);

} // namespace callscribe::live
