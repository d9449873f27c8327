#pragma once
// A Clock the test moves by hand: time passes only when the test says so.
#include "core/clock.hpp"

#include <atomic>

namespace callscribe::test_support {

class FakeClock final : public Clock {
  public:
    // 2026-01-01T00:00:00Z: a fixed, readable start.
    FakeClock() : m_now(TimePoint{std::chrono::seconds{1767225600}}) {}
    TimePoint now() const override { return m_now.load(); }
    void advance(Seconds by) {
        m_now = m_now.load() + std::chrono::duration_cast<TimePoint::duration>(by);
    }
    void set(TimePoint to) { m_now = to; }

  private:
    std::atomic<TimePoint> m_now;
};

} // namespace callscribe::test_support
