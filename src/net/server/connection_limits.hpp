#pragma once
// What keeps a server standing under a flood of connections: how many it may hold open, and
// warnings that say how many were refused without writing one line each.
//
// Thread safety: a WarningThrottle is used by one thread (or strand) at a time.

#include <chrono>
#include <cstddef>
#include <optional>

namespace callscribe::net {

// The descriptor limit (ulimit -n) less a reserve for the database, recordings and outgoing
// requests; at least 16, and 100,000 when the limit is unlimited or unknown.
std::size_t default_connection_cap();

// Counts events of one kind (a refused connection, a failed accept) and says when a warning
// about them is due: the first one, then at most once per interval.
class WarningThrottle {
  public:
    explicit WarningThrottle(std::chrono::steady_clock::duration interval) : m_interval(interval) {}

    // Counts one event at `now`; when a warning is due, the events since the last one.
    std::optional<std::size_t> count(std::chrono::steady_clock::time_point now);

  private:
    std::chrono::steady_clock::duration m_interval;
    std::optional<std::chrono::steady_clock::time_point> m_last_warning{};
    std::size_t m_since_warning = 0;
};

} // namespace callscribe::net
