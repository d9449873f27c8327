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
#include <string_view>

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

class Engine {
  public:
    virtual ~Engine() = default;
    virtual std::string_view name() const = 0;
    virtual std::unique_ptr<Transcriber> make_transcriber() const = 0;
};

} // namespace callscribe::stt
