#include "stt/engines.hpp"

#include "stt/openai/openai_engine.hpp"
#include "stt/pocketsphinx/pocketsphinx_engine.hpp"
#include "stt/whisper/whisper_engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace callscribe::stt {

std::vector<std::string_view> engine_names() {
    return {"pocketsphinx", "whisper", "openai"};
}

Result<std::unique_ptr<Engine>> make_engine(const config::SttSettings& settings,
                                            std::shared_ptr<net::HttpClient> http,
                                            int transcriptions, ServiceWaits waits) {
    transcriptions = std::max(1, transcriptions);
    auto slots = std::make_shared<CoreSlots>(transcriptions);
    if (settings.engine == "pocketsphinx") {
        PocketSphinxSettings ps;
        ps.hmm = settings.ps_hmm;
        ps.lm = settings.ps_lm;
        ps.dict = settings.ps_dict;
        ps.channel_labels = settings.channel_labels;
        ps.preset = parse_preset(settings.ps_preset).value_or(Preset::fast);
        ps.slots = std::move(slots);
        return make_pocketsphinx_engine(std::move(ps));
    }
    if (settings.engine == "whisper") {
        whisper::WhisperSettings w;
        w.model = settings.whisper_model;
        // By default the cores are shared out between the transcriptions that run at once.
        const int cores = std::max(1, int(std::thread::hardware_concurrency()));
        w.threads = settings.whisper_threads > 0 ? settings.whisper_threads
                                                 : std::max(1, cores / transcriptions);
        w.language = settings.language;
        w.prompt = settings.prompt;
        w.channel_labels = settings.channel_labels;
        w.slots = std::move(slots);
        return whisper::make_whisper_engine(std::move(w));
    }
    if (settings.engine == "openai") {
        openai::OpenAiSettings ai;
        ai.base_url = settings.url;
        ai.model = settings.model;
        ai.api_key = settings.api_key;
        ai.language = settings.language == "auto" ? "" : settings.language;
        ai.channel_labels = settings.channel_labels;
        ai.slots = std::move(slots);
        if (waits == ServiceWaits::returned) ai.max_attempts = 1;
        return std::unique_ptr<Engine>(
            std::make_unique<openai::OpenAiEngine>(std::move(ai), std::move(http)));
    }
    return fail(fmt::format(
        "CALLSCRIBE_STT_ENGINE={}: unknown engine (known: pocketsphinx, whisper, openai)",
        settings.engine));
}

} // namespace callscribe::stt
