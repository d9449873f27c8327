#include "stt/engines.hpp"

#include "stt/openai/openai_engine.hpp"
#include "stt/pocketsphinx/pocketsphinx_engine.hpp"

#include <fmt/format.h>

namespace callscribe::stt {

std::vector<std::string_view> engine_names() {
    return {"pocketsphinx", "openai"};
}

Result<std::unique_ptr<Engine>> make_engine(const config::SttSettings& settings,
                                            std::shared_ptr<net::HttpClient> http) {
    if (settings.engine == "pocketsphinx") {
        PocketSphinxSettings ps;
        ps.hmm = settings.ps_hmm;
        ps.lm = settings.ps_lm;
        ps.dict = settings.ps_dict;
        ps.channel_labels = settings.channel_labels;
        ps.preset = parse_preset(settings.ps_preset).value_or(Preset::fast);
        return make_pocketsphinx_engine(std::move(ps));
    }
    if (settings.engine == "openai") {
        openai::OpenAiSettings ai;
        ai.base_url = settings.url;
        ai.model = settings.model;
        ai.api_key = settings.api_key;
        ai.language = settings.language;
        ai.channel_labels = settings.channel_labels;
        return std::unique_ptr<Engine>(
            std::make_unique<openai::OpenAiEngine>(std::move(ai), std::move(http)));
    }
    return fail(fmt::format(
        "CALLSCRIBE_STT_ENGINE={}: unknown engine (known: pocketsphinx, openai)", settings.engine));
}

} // namespace callscribe::stt
