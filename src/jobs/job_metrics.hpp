#pragma once
// How long the job steps take, per step: counts, total seconds and a histogram, for /metrics
// (Prometheus buckets) and the pipeline benchmark. Durations are real elapsed time of the
// step's work (steady clock), not the injected Clock that schedules jobs.
//
// Thread safety: record() and snapshot() may be called from any thread.
#include "core/clock.hpp"
#include "store/store.hpp"
#include "stt/segment_guard.hpp"

#include <array>
#include <cstdint>
#include <mutex>

namespace callscribe::jobs {

class JobMetrics {
  public:
    // Upper bounds (seconds) of the histogram buckets; the last, +Inf, is implied.
    static constexpr std::array<double, 14> k_buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                      1,     2.5,  5,     10,   30,  60,   300};

    struct StepStats {
        std::uint64_t count = 0;
        double total_s = 0;
        std::array<std::uint64_t, k_buckets.size()> cumulative{}; // count with duration <= bound
    };
    struct Snapshot {
        std::array<StepStats, 3> steps{}; // resolve, download, transcribe
        double transcribed_audio_s = 0;   // seconds of audio transcribed
        stt::DroppedSegments dropped{};   // segments the engines' guards dropped, by reason
        const StepStats& of(store::JobStep step) const {
            return steps[static_cast<std::size_t>(step)];
        }
    };

    void record_step(store::JobStep step, Seconds duration);
    void record_transcribed_audio(Seconds audio);
    void record_dropped_segments(const stt::DroppedSegments& dropped);
    Snapshot snapshot() const;

  private:
    mutable std::mutex m_mutex;
    Snapshot m_data;
};

} // namespace callscribe::jobs
