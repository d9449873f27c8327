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

std::string masked_number(std::string_view number) {
    if (number.empty()) return {};
    if (const auto colon = number.find(':'); colon != std::string_view::npos)
        return std::string(number.substr(0, colon + 1)) + "…";
    if (number.size() < 9) return "…";
    return std::string(number.substr(0, 5)) + "…" + std::string(number.substr(number.size() - 2));
}

} // namespace callscribe
