#pragma once
// What the benchmarks that fill a store share: numbered Call SIDs and the wall-clock time the
// store's records carry.
#include "core/clock.hpp"
#include "core/sid.hpp"

#include <fmt/format.h>

#include <chrono>

namespace callscribe::bench {

inline CallSid call_sid(int n) {
    return *CallSid::parse(fmt::format("CA{:032x}", n));
}

inline TimePoint now() {
    return std::chrono::time_point_cast<TimePoint::duration>(std::chrono::system_clock::now());
}

} // namespace callscribe::bench
