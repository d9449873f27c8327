#pragma once
// The one registry of speech engines: builds the configured engine from its settings.

#include "config/config.hpp"
#include "net/http_client.hpp"
#include "stt/transcriber.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace callscribe::stt {

struct EngineInfo {
    std::string_view name;        // CALLSCRIBE_STT_ENGINE, `transcribe --engine`
    std::string_view description; // one line, for --help and --version
};

// The engines this build knows, in the order they are shown: pocketsphinx, whisper, openai.
std::vector<EngineInfo> engines();
std::vector<std::string> engine_names();

// `http` is used by engines that call a service (openai). `transcriptions` is how many
// transcriptions the caller runs at once (CALLSCRIBE_WORKERS, `transcribe -j`): the engine runs
// the channels of a recording in parallel only on slots of those that are idle, and whisper
// shares the cores out between them. Fails with one line naming the engine and what is wrong
// (model files missing or corrupt, URL unset, ...).
//
// `waits`: whether an engine that calls a service may wait inside transcribe() for a retry
// (the transcribe command), or returns a retryable failure at once with the service's
// Retry-After, for a job that reschedules itself instead of holding a worker (the service).
enum class ServiceWaits { inside, returned };
Result<std::unique_ptr<Engine>> make_engine(const config::SttSettings& settings,
                                            std::shared_ptr<net::HttpClient> http,
                                            int transcriptions = 1,
                                            ServiceWaits waits = ServiceWaits::inside);

} // namespace callscribe::stt
