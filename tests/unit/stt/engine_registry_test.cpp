// The engine registry (stt/engines.cpp) and the settings (config/) name the same engines: a new
// engine added to one and not the other fails here, not in front of a user.
#include "config/config.hpp"
#include "stt/engines.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace callscribe::stt {
namespace {

TEST(EngineRegistry, TheSettingsAcceptExactlyTheRegisteredEnginesInTheSameOrder) {
    const std::vector<std::string> settings(config::k_stt_engine_names.begin(),
                                            config::k_stt_engine_names.end());
    EXPECT_EQ(engine_names(), settings);
    for (const auto& name : engine_names()) {
        EXPECT_NO_THROW(config::load_config({{"CALLSCRIBE_STT_ENGINE", name},
                                             {"OPENAI_API_KEY", "sk-test"},
                                             {"CALLSCRIBE_WHISPER_MODEL", "/tmp/model.bin"}}))
            << name;
    }
    EXPECT_THROW(config::load_config({{"CALLSCRIBE_STT_ENGINE", "vosk"}}), config::ConfigError);
}

TEST(EngineRegistry, EachEngineHasADescription) {
    for (const auto& engine : engines())
        EXPECT_FALSE(engine.description.empty()) << engine.name;
}

} // namespace
} // namespace callscribe::stt
