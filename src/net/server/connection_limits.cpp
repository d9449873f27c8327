#include "net/server/connection_limits.hpp"

#include <algorithm>
#include <utility>

#include <sys/resource.h>

namespace callscribe::net {

namespace {
constexpr std::size_t k_descriptor_reserve = 128;
constexpr std::size_t k_min_connections = 16;
} // namespace

std::size_t default_connection_cap() {
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur == RLIM_INFINITY) return 100'000;
    const auto limit = static_cast<std::size_t>(files.rlim_cur);
    return std::max(k_min_connections,
                    limit > k_descriptor_reserve ? limit - k_descriptor_reserve : std::size_t{0});
}

std::optional<std::size_t> WarningThrottle::count(std::chrono::steady_clock::time_point now) {
    ++m_since_warning;
    if (m_last_warning && now - *m_last_warning < m_interval) return std::nullopt;
    m_last_warning = now;
    return std::exchange(m_since_warning, 0);
}

} // namespace callscribe::net
