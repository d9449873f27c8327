// config::load_config with any bytes as the TOML file and an empty environment: either a
// Config or one ConfigError, never another exception or a crash.

#include "config/config.hpp"
#include "fuzz_support.hpp"

using namespace callscribe;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fuzz::ScratchFile file("config.toml");
    const auto& path = file.write(data, size);
    try {
        const config::Config config = config::load_config({}, path);
        (void)config::describe(config);
    } catch (const config::ConfigError& e) {
        FUZZ_CHECK(std::string_view(e.what()).find('\n') == std::string_view::npos);
    }
    return 0;
}
