#pragma once
// The one registry of speech engines: builds the configured engine from its settings.

#include "config/config.hpp"
#include "net/http_client.hpp"
#include "stt/transcriber.hpp"

#include <memory>
#include <string_view>
#include <vector>

namespace callscribe::stt {

// The engines this build knows, e.g. {"pocketsphinx", "openai"}.
std::vector<std::string_view> engine_names();

// `http` is used by engines that call a service (openai). Fails with one line naming the
// engine and what is wrong (model files missing, URL unset, ...).
Result<std::unique_ptr<Engine>> make_engine(const config::SttSettings& settings,
                                            std::shared_ptr<net::HttpClient> http);

} // namespace callscribe::stt
