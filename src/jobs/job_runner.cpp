#include "jobs/job_runner.hpp"

#include "core/log.hpp"

namespace callscribe::jobs {

JobRunner::JobRunner(store::Store& store, OfflineSttJob& job, const Clock& clock, std::string owner,
                     Seconds lease)
    : m_store(store), m_job(job), m_clock(clock), m_owner(std::move(owner)), m_lease(lease) {}

Result<std::optional<StepOutcome>> JobRunner::run_one(store::Lane lane,
                                                      stt::Transcriber* transcriber) {
    return run_claimed(m_store.claim_job(lane, m_owner, m_clock.now(), m_lease), transcriber);
}

Result<std::optional<StepOutcome>> JobRunner::run_call(const CallSid& call,
                                                       stt::Transcriber* transcriber) {
    return run_claimed(m_store.claim_call_job(call, m_owner, m_clock.now(), m_lease), transcriber);
}

Result<std::optional<StepOutcome>> JobRunner::run_claimed(Result<std::optional<store::Job>> claimed,
                                                          stt::Transcriber* transcriber) {
    if (!claimed) return claimed.error();
    if (!*claimed) return std::optional<StepOutcome>{};
    const store::Job job = **claimed;
    {
        std::lock_guard lock(m_mutex);
        m_running.insert_or_assign(job.id, job);
    }
    const Stopwatch step_time;
    Result<StepOutcome> outcome = [&]() -> Result<StepOutcome> {
        try {
            return m_job.run_step(job, transcriber);
        } catch (const std::exception& e) {
            // A worker never lets an exception escape: the lease runs out and the step is
            // tried again by whoever claims it next.
            return fail_retryable(std::string("unexpected error: ") + e.what());
        }
    }();
    {
        std::lock_guard lock(m_mutex);
        m_running.erase(job.id);
    }
    m_metrics.record_step(job.step, step_time.elapsed());
    if (outcome && outcome->transcribed_audio.count() > 0) {
        m_metrics.record_transcribed_audio(outcome->transcribed_audio);
        m_metrics.record_dropped_segments(outcome->dropped);
    }
    if (!outcome) {
        log().error("[OFFLINE_STT] Step {} of {} failed, it will run again: {}",
                    store::to_string(job.step), job.call_sid.str(), outcome.error().message);
        return outcome.error();
    }
    if (outcome->result == StepResult::lease_lost) {
        log().warn("[OFFLINE_STT] Lost the lease on {} to another worker; its result was dropped",
                   job.call_sid.str());
    }
    return std::optional<StepOutcome>(std::move(*outcome));
}

void JobRunner::renew_leases() {
    std::map<std::int64_t, store::Job> running;
    {
        std::lock_guard lock(m_mutex);
        running = m_running;
    }
    const TimePoint expires =
        m_clock.now() + std::chrono::duration_cast<TimePoint::duration>(m_lease);
    for (const auto& [id, job] : running) {
        auto renewed = m_store.renew_job_lease(job, expires);
        if (!renewed) {
            log().warn("[OFFLINE_STT] Could not renew the lease on {}: {}", job.call_sid.str(),
                       renewed.error().message);
        }
    }
}

} // namespace callscribe::jobs
