#pragma once
// How long to wait before trying a request again: the server's Retry-After when it sent one,
// else an exponential backoff with full jitter (a uniform draw in [0, min(cap, base·2^(n-1))]),
// so that many clients that failed together do not come back together.
#include "core/clock.hpp"
#include "net/http_client.hpp"

#include <functional>
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

// The delay before attempt `attempt + 1`, after `attempt` (>= 1) consecutive failures:
// `fraction` (in [0, 1]) of the ceiling min(max, initial·2^(attempt-1)).
Seconds jittered_backoff(const Backoff& backoff, int attempt, double fraction);
// The same with a uniform fraction drawn from `random`.
Seconds jittered_backoff(const Backoff& backoff, int attempt, std::mt19937& random);

// Where a backoff's fraction comes from: uniform in [0, 1) in the service; whatever a test
// needs (0, 1, a fixed sequence) in tests. Called from any thread.
using JitterSource = std::function<double()>;
// Uniform in [0, 1) from a generator per thread, seeded by the OS.
JitterSource uniform_jitter();

} // namespace callscribe::net
