#pragma once
// The only way library code reads time. Nothing sleeps: waiting means rescheduling.

#include <chrono>

namespace callscribe {

using TimePoint = std::chrono::system_clock::time_point;
using Seconds = std::chrono::duration<double>;

class Clock {
  public:
    virtual ~Clock() = default;
    virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
  public:
    TimePoint now() const override { return std::chrono::system_clock::now(); }
};

} // namespace callscribe
