#pragma once
// How long to wait before trying a request again: the server's Retry-After when it sent one,
// else an exponential backoff with full jitter (a uniform draw in [0, min(cap, base·2^(n-1))]),
// so that many clients that failed together do not come back together.
#include "core/clock.hpp"
#include "net/http_client.hpp"

#include <optional>
#include <random>

namespace callscribe::net {

struct Backoff {
    Seconds initial{1};
    Seconds max{60};
};

// Retry-After as delta seconds (decimals allowed), capped at `cap`. An HTTP-date, a negative or
// a malformed value gives nothing: the caller's backoff applies.
std::optional<Seconds> retry_after(const HttpResponse& response, Seconds cap = Seconds{600});

// The delay before attempt `attempt + 1`, after `attempt` (>= 1) consecutive failures.
Seconds jittered_backoff(const Backoff& backoff, int attempt, std::mt19937& random);

} // namespace callscribe::net
