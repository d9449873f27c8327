#pragma once
// The only way library code reads time. Nothing sleeps: waiting means rescheduling.

#include <chrono>

namespace callscribe {

using TimePoint = std::chrono::system_clock::time_point;
using Seconds = std::chrono::duration<double>;

// `seconds` in the steady clock's ticks, for timers and socket deadlines.
inline std::chrono::steady_clock::duration to_steady(Seconds seconds) {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(seconds);
}

class Clock {
  public:
    virtual ~Clock() = default;
    virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
  public:
    TimePoint now() const override { return std::chrono::system_clock::now(); }
};

// Elapsed time for log lines and metrics, never for a decision (decisions read a Clock): a
// monotonic clock, so a step of the wall clock does not show as a negative duration.
class Stopwatch {
  public:
    Seconds elapsed() const { return std::chrono::steady_clock::now() - m_started; }

  private:
    std::chrono::steady_clock::time_point m_started = std::chrono::steady_clock::now();
};

} // namespace callscribe
