#pragma once
// The channels of one recording transcribed in parallel when a core is free.
//
// CoreSlots counts the transcription slots of a process (CALLSCRIBE_WORKERS, or `transcribe -j`).
// A transcription holds one slot while it runs; for each further channel it asks for another
// without waiting, and runs that channel on a thread of its own when it gets one, on its own
// thread after the others when it does not. So an idle machine decodes a two-channel call on two
// cores, and a busy one is never oversubscribed. Thread-safe.

#include "audio/pcm_reader.hpp"
#include "stt/transcriber.hpp"
#include "stt/transcript.hpp"

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>

namespace callscribe::stt {

class CoreSlots {
  public:
    explicit CoreSlots(int slots) : m_free(slots < 1 ? 1 : slots) {}

    // Waits for a slot.
    void acquire();
    // Takes a slot if one is free now.
    bool try_acquire();
    void release();

  private:
    std::mutex m_mutex;
    std::condition_variable m_freed;
    int m_free;
};

// Runs `channel(c)` for c in [0, channels): channel 0 on the calling thread, the others on
// threads of their own where `slots` has one free (nullptr: one after the other). Holds a slot
// for the calling thread meanwhile. Returns when every channel is done. `channel` must not throw.
void run_channels(int channels, CoreSlots* slots, const std::function<void(int)>& channel);

// What one channel of a recording gave.
struct ChannelTranscript {
    std::vector<Segment> segments;
    DroppedSegments dropped;
    std::string language;
    double audio_s = 0, speech_s = 0, model_s = 0;
    std::optional<Error> error; // set: the channel failed, and so does the recording
};

// Reads `reader` to its end and hands channel `c`'s samples to `feed`, chunk by chunk, until
// `feed` returns false; counts out.audio_s and reports it to `progress` (when given). A decoding
// error goes to out.error (false returned); a recording cut short is logged, once, for channel 0.
bool read_channel(audio::PcmReader& reader, int c, const std::filesystem::path& recording,
                  const ProgressFn& progress, ChannelTranscript& out,
                  const std::function<bool(std::span<const float>)>& feed);

// Transcribes every channel of `recording` with `channel(reader, c, out)` through run_channels():
// channel 0 reads from `first` (open already), every other channel from a reader of its own,
// opened here, so that channels can run on threads of their own. Then merges them into one
// Transcript of `engine`: the first channel's error if any failed, else all segments by start
// time (stable: channel order breaks ties), the sums of speech, model time and dropped segments,
// the first language told, and channel 0's length as the audio's.
Result<Transcript>
transcribe_channels(std::string engine, const std::filesystem::path& recording,
                    audio::PcmReader& first, CoreSlots* slots,
                    const std::function<void(audio::PcmReader&, int, ChannelTranscript&)>& channel);

} // namespace callscribe::stt
