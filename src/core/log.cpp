#include "core/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace callscribe {

spdlog::logger& log() {
    static std::shared_ptr<spdlog::logger> logger = [] {
        auto l = spdlog::stderr_color_mt("callscribe");
        l->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
        return l;
    }();
    return *logger;
}

} // namespace callscribe
