#include "jobs/worker_pool.hpp"

#include "core/log.hpp"

#include <algorithm>

namespace callscribe::jobs {

WorkerPool::WorkerPool(JobRunner& runner, store::Store& store, const stt::Engine& engine,
                       WorkerPoolSettings settings, std::function<void()> background)
    : m_runner(runner), m_store(store), m_engine(engine), m_settings(settings),
      m_background(std::move(background)) {}

WorkerPool::~WorkerPool() {
    stop();
}

void WorkerPool::start() {
    m_listener = m_store.listen_for_due_jobs([this] { wake(); });
    for (int i = 0; i < m_settings.io_workers; ++i) {
        m_threads.emplace_back([this] { work(store::Lane::io); });
    }
    for (int i = 0; i < m_settings.cpu_workers; ++i) {
        m_threads.emplace_back([this] { work(store::Lane::cpu); });
    }
    m_threads.emplace_back([this] { housekeeping(); });
}

void WorkerPool::wake() {
    {
        std::lock_guard lock(m_mutex);
        ++m_wakes;
    }
    m_wakeup.notify_all();
}

void WorkerPool::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wakeup.notify_all();
    for (auto& thread : m_threads) {
        if (thread.joinable()) thread.join();
    }
    m_threads.clear();
    m_listener.reset();
}

bool WorkerPool::idle_for(Seconds duration) {
    std::unique_lock lock(m_mutex);
    const std::uint64_t seen = m_wakes;
    m_wakeup.wait_for(lock, std::max(duration, Seconds{0}),
                      [&] { return m_stopping || m_wakes != seen; });
    return !m_stopping;
}

void WorkerPool::work(store::Lane lane) {
    // A transcriber holds per-thread decoding state: one per cpu worker, made once.
    std::unique_ptr<stt::Transcriber> transcriber;
    if (lane == store::Lane::cpu) transcriber = m_engine.make_transcriber();
    const Seconds max_idle = m_listener ? m_settings.max_idle_listening : m_settings.max_idle;
    while (!m_stopping) {
        auto ran = m_runner.run_one(lane, transcriber.get());
        if (ran && *ran) {
            const auto result = (*ran)->result;
            // A step that handed over to the other lane, whose threads may be idle,
            // and a finished job has a webhook for the housekeeping thread to send.
            if ((result == StepResult::next_step && (*ran)->job.lane != lane) ||
                result == StepResult::done || result == StepResult::gave_up) {
                wake();
            }
            continue;
        }
        Seconds idle = max_idle;
        if (ran) {
            if (auto due = m_store.next_job_due(lane); due && *due) {
                idle = std::min(idle, Seconds(**due - m_runner.clock().now()));
            }
        }
        if (!idle_for(idle)) break;
    }
}

void WorkerPool::housekeeping() {
    const Seconds every = std::min(m_settings.housekeeping_every, m_runner.lease() / 3);
    do {
        m_runner.renew_leases();
        if (m_background) {
            try {
                m_background();
            } catch (const std::exception& e) {
                log().error("background task failed: {}", e.what());
            }
        }
    } while (idle_for(every));
}

} // namespace callscribe::jobs
