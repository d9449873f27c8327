#include "cli/process_command.hpp"

#include "core/log.hpp"

#include <fmt/format.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace callscribe::cli {

namespace {

struct Target {
    CallSid call;
    std::optional<RecordingSid> recording;
};

// Keeps the leases of running steps alive while a long transcription runs.
class Heartbeat {
  public:
    explicit Heartbeat(jobs::JobRunner& runner)
        : m_thread([this, &runner] {
              std::unique_lock lock(m_mutex);
              while (!m_wakeup.wait_for(lock, runner.lease() / 3, [this] { return m_stop; })) {
                  lock.unlock();
                  runner.renew_leases();
                  lock.lock();
              }
          }) {}
    ~Heartbeat() {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_wakeup.notify_all();
        m_thread.join();
    }

  private:
    std::mutex m_mutex;
    std::condition_variable m_wakeup;
    bool m_stop = false;
    std::thread m_thread;
};

// Runs one call's job until it is done or gave up. Returns the final state, or an Error when
// the database failed.
Result<store::JobState> drive(PipelineParts& parts, const Target& target,
                              stt::Transcriber& transcriber) {
    const TimePoint now = parts.clock.now();
    auto enqueued = parts.store->enqueue_offline_stt(target.call, target.recording, now);
    if (!enqueued) return enqueued.error();
    const store::JobState state = enqueued->job.state;
    if (state == store::JobState::done || state == store::JobState::failed) {
        log().info("[OFFLINE_STT] {} was processed before; running its job again",
                   target.call.str());
        auto restarted = parts.store->restart_job(target.call, store::JobStep::resolve, now);
        if (!restarted) return restarted.error();
    }
    for (;;) {
        auto ran = parts.runner->run_call(target.call, &transcriber);
        if (!ran) return ran.error();
        if (*ran) {
            const auto result = (*ran)->result;
            if (result == jobs::StepResult::done) return store::JobState::done;
            if (result == jobs::StepResult::gave_up) return store::JobState::failed;
            continue;
        }
        // Not due: wait for its run_at (or for another holder's lease to run out).
        auto job = parts.store->find_job(target.call);
        if (!job) return job.error();
        if (!*job) return fail(fmt::format("the job of {} disappeared", target.call.str()));
        if ((*job)->state == store::JobState::done || (*job)->state == store::JobState::failed) {
            return (*job)->state;
        }
        const TimePoint until =
            (*job)->state == store::JobState::running ? (*job)->lease_expires : (*job)->run_at;
        std::this_thread::sleep_until(until);
    }
}

} // namespace

int run_process(const ProcessOptions& options, const config::Config& config) {
    if (options.calls.empty()) {
        fmt::print(stderr, "callscribe process: give at least one Call SID (CA…)\n");
        return 2;
    }
    if (!options.recordings.empty() && options.recordings.size() != options.calls.size()) {
        fmt::print(stderr,
                   "callscribe process: give one --recording per call ({} calls, {} "
                   "recordings)\n",
                   options.calls.size(), options.recordings.size());
        return 2;
    }
    std::vector<Target> targets;
    for (std::size_t i = 0; i < options.calls.size(); ++i) {
        auto call = CallSid::parse(options.calls[i]);
        if (!call) {
            fmt::print(stderr, "callscribe process: not a Call SID (CA + 32 hex digits): {}\n",
                       options.calls[i]);
            return 2;
        }
        std::optional<RecordingSid> recording;
        if (!options.recordings.empty()) {
            recording = RecordingSid::parse(options.recordings[i]);
            if (!recording) {
                fmt::print(stderr,
                           "callscribe process: not a Recording SID (RE + 32 hex digits): {}\n",
                           options.recordings[i]);
                return 2;
            }
        }
        targets.push_back(Target{*call, recording});
    }
    auto parts = build_pipeline(config, "process");
    if (!parts) {
        fmt::print(stderr, "callscribe: {}\n", parts.error().message);
        return 2;
    }
    auto transcriber = (*parts)->engine->make_transcriber();
    Heartbeat heartbeat(*(*parts)->runner);
    int exit_code = 0;
    for (const auto& target : targets) {
        auto state = drive(**parts, target, *transcriber);
        if (!state) {
            fmt::print(stderr, "callscribe process: {}: {}\n", target.call.str(),
                       state.error().message);
            exit_code = 1;
            continue;
        }
        if (*state != store::JobState::done) {
            exit_code = 1;
            continue;
        }
        // The transcript on stdout, so that `process` composes with other tools.
        auto call = (*parts)->store->find_call(target.call);
        if (call && *call) fmt::print("{}\n", (*call)->final_transcript);
    }
    // The webhook's first attempt; later retries belong to `serve` or `worker`.
    deliver_webhooks(**parts, config);
    return exit_code;
}

} // namespace callscribe::cli
