#include "jobs/job_metrics.hpp"

namespace callscribe::jobs {

void JobMetrics::record_step(store::JobStep step, Seconds duration) {
    const auto index = static_cast<std::size_t>(step);
    if (index >= m_data.steps.size()) return;
    std::lock_guard lock(m_mutex);
    StepStats& stats = m_data.steps[index];
    ++stats.count;
    stats.total_s += duration.count();
    for (std::size_t i = 0; i < k_buckets.size(); ++i) {
        if (duration.count() <= k_buckets[i]) ++stats.cumulative[i];
    }
}

void JobMetrics::record_transcribed_audio(Seconds audio) {
    std::lock_guard lock(m_mutex);
    m_data.transcribed_audio_s += audio.count();
}

void JobMetrics::record_dropped_segments(const stt::DroppedSegments& dropped) {
    std::lock_guard lock(m_mutex);
    m_data.dropped += dropped;
}

JobMetrics::Snapshot JobMetrics::snapshot() const {
    std::lock_guard lock(m_mutex);
    return m_data;
}

} // namespace callscribe::jobs
