#include "stt/engines.hpp"

#include "stt/openai/openai_engine.hpp"
#include "stt/pocketsphinx/pocketsphinx_engine.hpp"
#include "stt/whisper/whisper_engine.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <thread>

namespace callscribe::stt {

namespace {

// What every engine's factory gets besides the settings.
struct EngineContext {
    std::shared_ptr<net::HttpClient> http;
    int transcriptions = 1;
    std::shared_ptr<CoreSlots> slots;
    ServiceWaits waits = ServiceWaits::inside;
};

Result<std::unique_ptr<Engine>> make_pocketsphinx(const config::SttSettings& settings,
                                                  const EngineContext& context) {
    PocketSphinxSettings ps;
    ps.hmm = settings.ps_hmm;
    ps.lm = settings.ps_lm;
    ps.dict = settings.ps_dict;
    ps.channel_labels = settings.channel_labels;
    ps.preset = parse_preset(settings.ps_preset).value_or(Preset::fast);
    ps.slots = context.slots;
    return make_pocketsphinx_engine(std::move(ps));
}

Result<std::unique_ptr<Engine>> make_whisper(const config::SttSettings& settings,
                                             const EngineContext& context) {
    whisper::WhisperSettings w;
    w.model = settings.whisper_model;
    // By default the cores are shared out between the transcriptions that run at once.
    const int cores = std::max(1, int(std::thread::hardware_concurrency()));
    w.threads = settings.whisper_threads > 0 ? settings.whisper_threads
                                             : std::max(1, cores / context.transcriptions);
    w.language = settings.language;
    w.prompt = settings.prompt;
    w.channel_labels = settings.channel_labels;
    w.slots = context.slots;
    return whisper::make_whisper_engine(std::move(w));
}

Result<std::unique_ptr<Engine>> make_openai(const config::SttSettings& settings,
                                            const EngineContext& context) {
    openai::OpenAiSettings ai;
    ai.base_url = settings.url;
    ai.model = settings.model;
    ai.api_key = settings.api_key;
    ai.language = settings.language == "auto" ? "" : settings.language;
    ai.channel_labels = settings.channel_labels;
    ai.slots = context.slots;
    if (context.waits == ServiceWaits::returned) ai.max_attempts = 1;
    return std::unique_ptr<Engine>(
        std::make_unique<openai::OpenAiEngine>(std::move(ai), context.http));
}

struct Registered {
    EngineInfo info;
    Result<std::unique_ptr<Engine>> (*make)(const config::SttSettings&, const EngineContext&);
};

// The one list of engines.
constexpr std::array<Registered, 3> k_engines{{
    {{"pocketsphinx", "offline, built in"}, &make_pocketsphinx},
    {{"whisper", "whisper.cpp in the process (CALLSCRIBE_WHISPER_MODEL)"}, &make_whisper},
    {{"openai", "an OpenAI-compatible transcription service (CALLSCRIBE_STT_URL)"}, &make_openai},
}};

} // namespace

std::vector<EngineInfo> engines() {
    std::vector<EngineInfo> out;
    for (const auto& engine : k_engines)
        out.push_back(engine.info);
    return out;
}

std::vector<std::string> engine_names() {
    std::vector<std::string> names;
    for (const auto& engine : k_engines)
        names.emplace_back(engine.info.name);
    return names;
}

Result<std::unique_ptr<Engine>> make_engine(const config::SttSettings& settings,
                                            std::shared_ptr<net::HttpClient> http,
                                            int transcriptions, ServiceWaits waits) {
    transcriptions = std::max(1, transcriptions);
    const EngineContext context{.http = std::move(http),
                                .transcriptions = transcriptions,
                                .slots = std::make_shared<CoreSlots>(transcriptions),
                                .waits = waits};
    for (const auto& engine : k_engines)
        if (engine.info.name == settings.engine) return engine.make(settings, context);
    return fail(fmt::format("CALLSCRIBE_STT_ENGINE={}: unknown engine (known: {})", settings.engine,
                            fmt::join(engine_names(), ", ")));
}

} // namespace callscribe::stt
