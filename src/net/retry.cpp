#include "net/retry.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace callscribe::net {

std::optional<Seconds> retry_after(const HttpResponse& response, Seconds cap) {
    auto header = response.header("retry-after");
    if (!header) return std::nullopt;
    std::string_view text = *header;
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    double seconds = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec != std::errc{} || end != text.data() + text.size() || !(seconds >= 0)) {
        return std::nullopt;
    }
    return std::min(Seconds{seconds}, cap);
}

Seconds jittered_backoff(const Backoff& backoff, int attempt, double fraction) {
    const double ceiling = std::min(
        backoff.max.count(), backoff.initial.count() * std::pow(2.0, std::max(attempt, 1) - 1));
    return Seconds{ceiling * std::clamp(fraction, 0.0, 1.0)};
}

Seconds jittered_backoff(const Backoff& backoff, int attempt, std::mt19937& random) {
    return jittered_backoff(backoff, attempt,
                            std::uniform_real_distribution<double>(0.0, 1.0)(random));
}

JitterSource uniform_jitter() {
    return [] {
        static thread_local std::mt19937 random{std::random_device{}()};
        return std::uniform_real_distribution<double>(0.0, 1.0)(random);
    };
}

} // namespace callscribe::net
