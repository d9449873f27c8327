#pragma once
// Claims due offline_stt jobs from the Store and runs one step of each: the unit of work of
// every worker thread, of `callscribe process`, and of the tests (which drive it with a fake
// clock: no threads, no sleeping).
//
// Thread safety: a JobRunner may be shared by worker threads (it holds references, an owner
// name and the set of jobs running now, under a lock). renew_leases() is what the pool's
// heartbeat calls to keep long steps (a transcription) from being taken over.
#include "core/clock.hpp"
#include "core/result.hpp"
#include "jobs/job_metrics.hpp"
#include "jobs/offline_stt_job.hpp"
#include "store/store.hpp"

#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace callscribe::jobs {

class JobRunner {
  public:
    // `owner` names this process in leases (host:pid:…); `lease` is how long a claimed job is
    // ours without renewal.
    JobRunner(store::Store& store, OfflineSttJob& job, const Clock& clock, std::string owner,
              Seconds lease);

    // Claims the next due job of `lane` and runs its current step. Empty when nothing is due.
    Result<std::optional<StepOutcome>> run_one(store::Lane lane, stt::Transcriber* transcriber);
    // Claims this call's job if it is due and runs its current step. Empty when it is not due
    // (or is held by another live worker).
    Result<std::optional<StepOutcome>> run_call(const CallSid& call, stt::Transcriber* transcriber);

    // Extends the lease of every job a thread of this runner is running now.
    void renew_leases();

    const std::string& owner() const { return m_owner; }
    const JobMetrics& metrics() const { return m_metrics; }
    Seconds lease() const { return m_lease; }
    const Clock& clock() const { return m_clock; }

  private:
    Result<std::optional<StepOutcome>> run_claimed(Result<std::optional<store::Job>> claimed,
                                                   stt::Transcriber* transcriber);

    store::Store& m_store;
    OfflineSttJob& m_job;
    const Clock& m_clock;
    std::string m_owner;
    Seconds m_lease;
    std::mutex m_mutex;
    std::map<std::int64_t, store::Job> m_running; // by job id
    JobMetrics m_metrics;
};

} // namespace callscribe::jobs
