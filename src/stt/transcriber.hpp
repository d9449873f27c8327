#pragma once
// Port: speech to text.
//
// An Engine is built once from configuration (it loads its model once), is thread-safe and
// outlives its transcribers. A Transcriber is one per worker thread and is not thread-safe.
// transcribe() takes a recording file of any supported format; two-channel recordings come
// back with each segment's speaker set from the configured channel labels. Failures are values:
// a bad file is not retryable, an unreachable or overloaded service is.

#include "core/result.hpp"
#include "stt/transcript.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace callscribe::stt {

// Reports how far a transcription has got: seconds of audio done out of the total (0 when the
// total is not known in advance).
using ProgressFn = std::function<void(double done_s, double total_s)>;

class Transcriber {
  public:
    virtual ~Transcriber() = default;
    virtual Result<Transcript> transcribe(const std::filesystem::path& recording) = 0;
    // Engines that can tell call it while transcribing; others ignore it.
    virtual void on_progress(ProgressFn progress) { (void)progress; }
};

// Live audio, one utterance at a time (16 kHz mono samples): the caller's voice-activity
// detector says where an utterance ends. One per track; not thread-safe.
class UtteranceDecoder {
  public:
    virtual ~UtteranceDecoder() = default;
    // Adds audio to the utterance going on, beginning one when none is.
    virtual Result<void> feed(std::span<const float> samples) = 0;
    // The words heard so far in the utterance going on ("" from an engine that cannot tell
    // before the end). It may decode: a caller that is behind does not ask.
    virtual std::string partial() = 0;
    // Ends the utterance and gives its words ("" for none).
    virtual Result<std::string> finish() = 0;
};

// An utterance's words as UtteranceDecoder::finish() returns them.
inline Result<std::string> words(std::string text) {
    return Result<std::string>(boost::system::in_place_value, std::move(text));
}

class Engine {
  public:
    virtual ~Engine() = default;
    virtual std::string_view name() const = 0;
    virtual std::unique_ptr<Transcriber> make_transcriber() const = 0;
    // For live transcription; an engine that cannot (a service) says so.
    virtual Result<std::unique_ptr<UtteranceDecoder>> make_utterance_decoder() const {
        return fail(fmt::format("the {} engine cannot transcribe live audio", name()));
    }
};

} // namespace callscribe::stt
