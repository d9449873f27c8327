#pragma once
// The worker threads of `serve` and `worker`: `io_workers` threads run the resolve and download
// steps (they wait on the network, so many run at once), `cpu_workers` threads run
// transcriptions (one core each: CALLSCRIBE_WORKERS), and one housekeeping thread renews the
// leases of running steps and runs `background` (the webhook outbox pump).
//
// A job that waits for Twilio is not held by any thread: it sits in the Store with a run_at.
// An idle thread waits until the Store's next due time, at most `max_idle`, or until wake().
// Where the Store tells of jobs other processes made due (PostgreSQL's LISTEN/NOTIFY), that
// news wakes the threads too, and `max_idle_listening` (longer) bounds the wait instead: a
// fall-back for news lost while the listener reconnects, not a poll that loads the database.
//
// stop() stops claiming, lets every running step finish and save, and joins the threads.
#include "jobs/job_runner.hpp"
#include "stt/transcriber.hpp"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace callscribe::jobs {

struct WorkerPoolSettings {
    int io_workers = 8;
    int cpu_workers = 1;
    Seconds max_idle{1}; // how stale a due time from another process may get
    Seconds max_idle_listening{15};
    Seconds housekeeping_every{5};
};

class WorkerPool {
  public:
    // `background` runs on the housekeeping thread after each wake-up (may be empty).
    WorkerPool(JobRunner& runner, store::Store& store, const stt::Engine& engine,
               WorkerPoolSettings settings, std::function<void()> background = {});
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    void start();
    // Something became due now (a new call, a retranscribe): stop waiting.
    void wake();
    void stop();

  private:
    void work(store::Lane lane);
    void housekeeping();
    // Waits for `duration`, or until wake() or stop(); false once stopping.
    bool idle_for(Seconds duration);

    JobRunner& m_runner;
    store::Store& m_store;
    const stt::Engine& m_engine;
    WorkerPoolSettings m_settings;
    std::function<void()> m_background;
    std::unique_ptr<store::DueJobListener> m_listener;
    std::vector<std::thread> m_threads;
    std::mutex m_mutex;
    std::condition_variable m_wakeup;
    std::uint64_t m_wakes = 0;
    std::atomic<bool> m_stopping{false};
};

} // namespace callscribe::jobs
