// The job queue alone, on SQLite and on PostgreSQL: how many no-op jobs 1, 2 and 4 workers claim
// and complete per second, and how long a job waits from its enqueue to its start when the
// workers sleep until told (LISTEN/NOTIFY on PostgreSQL; the in-process wake-up on SQLite). Each
// worker has its own Store, as separate `callscribe worker` processes would. bench/queue runs it.
//
// usage: queue_bench --sqlite DIR | --postgres URL [--jobs N] [--workers 1,2,4] [--latency-jobs M]
#include "bench_ids.hpp"
#include "store/postgres/connection.hpp"
#include "store/store.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

using namespace callscribe;
using SteadyClock = std::chrono::steady_clock;

namespace {

using bench::call_sid;
using bench::now;

// A fresh database per measurement: a new SQLite file, or PostgreSQL's tables emptied.
struct Target {
    std::string name;
    std::string sqlite_dir;
    std::string postgres_url;
    int runs = 0;

    std::string fresh_url() {
        ++runs;
        if (!sqlite_dir.empty()) return fmt::format("sqlite://{}/queue-{}.db", sqlite_dir, runs);
        auto store = store::open_store(postgres_url); // creates the schema on the first run
        if (!store) throw std::runtime_error(store.error().message);
        store::postgres::Connection db(postgres_url);
        db.exec("TRUNCATE webhooks, jobs, calls");
        return postgres_url;
    }
};

std::unique_ptr<store::Store> open(const std::string& url, int pool) {
    auto store = store::open_store(url, {.pool_size = pool});
    if (!store) throw std::runtime_error(store.error().message);
    return std::move(*store);
}

void must(const Result<bool>& done) {
    if (!done) throw std::runtime_error(done.error().message);
}

// Claims and completes no-op jobs until none is due; returns how many.
int drain(store::Store& store, const std::string& owner) {
    int completed = 0;
    for (;;) {
        auto claimed = store.claim_job(store::Lane::io, owner, now(), Seconds{60});
        if (!claimed) throw std::runtime_error(claimed.error().message);
        if (!*claimed) return completed;
        store::Job job = **claimed;
        job.state = store::JobState::done;
        job.step = store::JobStep::finished;
        must(store.finish_job(job, {.status = store::CallStatus::done}, std::nullopt, now()));
        ++completed;
    }
}

double throughput(Target& target, int workers, int jobs) {
    const std::string url = target.fresh_url();
    auto producer = open(url, 1);
    for (int n = 0; n < jobs; ++n) {
        auto enqueued = producer->enqueue_offline_stt(call_sid(n), std::nullopt, now());
        if (!enqueued) throw std::runtime_error(enqueued.error().message);
    }
    std::vector<std::unique_ptr<store::Store>> stores;
    for (int w = 0; w < (target.sqlite_dir.empty() ? workers : 1); ++w)
        stores.push_back(open(url, 1));
    std::atomic<int> completed{0};
    std::vector<std::thread> threads;
    const auto began = SteadyClock::now();
    for (int w = 0; w < workers; ++w) {
        threads.emplace_back([&, w] {
            auto& store = *stores[static_cast<std::size_t>(w) % stores.size()];
            completed += drain(store, fmt::format("worker-{}", w));
        });
    }
    for (auto& thread : threads)
        thread.join();
    const double seconds = std::chrono::duration<double>(SteadyClock::now() - began).count();
    if (completed != jobs)
        throw std::runtime_error(fmt::format("{} of {} jobs ran", completed.load(), jobs));
    return jobs / seconds;
}

// One worker sleeps until told a job is due, claims what is due and notes when; a producer
// (another Store) enqueues a job every 5 ms. Returns the waits in milliseconds.
std::vector<double> latencies(Target& target, int count) {
    const std::string url = target.fresh_url();
    auto worker_store = open(url, 1);
    auto producer = open(url, 1);
    std::mutex mutex;
    std::condition_variable told;
    std::uint64_t news = 0;
    const auto tell = [&] {
        std::lock_guard lock(mutex);
        ++news;
        told.notify_all();
    };
    // PostgreSQL tells every process; SQLite has no such channel, so the producer wakes the
    // worker itself, as `serve` does for the calls its API enqueues.
    auto listener = worker_store->listen_for_due_jobs(tell);
    const bool in_process = listener == nullptr;

    std::map<std::string, SteadyClock::time_point> enqueued_at, started_at;
    std::atomic<bool> stopping{false};
    std::thread worker([&] {
        std::uint64_t seen = 0;
        while (!stopping) {
            {
                std::unique_lock lock(mutex);
                told.wait_for(lock, std::chrono::seconds(1),
                              [&] { return news != seen || stopping; });
                seen = news;
            }
            for (;;) {
                auto claimed =
                    worker_store->claim_job(store::Lane::io, "worker", now(), Seconds{60});
                if (!claimed || !*claimed) break;
                const auto at = SteadyClock::now();
                store::Job job = **claimed;
                job.state = store::JobState::done;
                job.step = store::JobStep::finished;
                must(worker_store->finish_job(job, {.status = store::CallStatus::done},
                                              std::nullopt, now()));
                std::lock_guard lock(mutex);
                started_at[job.call_sid.str()] = at;
            }
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(500)); // the listener connects
    for (int n = 0; n < count; ++n) {
        const auto at = SteadyClock::now();
        {
            std::lock_guard lock(mutex);
            enqueued_at[call_sid(n).str()] = at;
        }
        auto enqueued = producer->enqueue_offline_stt(call_sid(n), std::nullopt, now());
        if (!enqueued) throw std::runtime_error(enqueued.error().message);
        if (in_process) tell();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const auto deadline = SteadyClock::now() + std::chrono::seconds(30);
    while (SteadyClock::now() < deadline) {
        {
            std::lock_guard lock(mutex);
            if (static_cast<int>(started_at.size()) == count) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    stopping = true;
    tell();
    worker.join();
    std::vector<double> waits;
    for (const auto& [call, start] : started_at)
        waits.push_back(
            std::chrono::duration<double, std::milli>(start - enqueued_at[call]).count());
    std::sort(waits.begin(), waits.end());
    if (static_cast<int>(waits.size()) != count)
        throw std::runtime_error(fmt::format("{} of {} jobs started", waits.size(), count));
    return waits;
}

double percentile(const std::vector<double>& sorted, double p) {
    const auto index = static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1));
    return sorted[index];
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"callscribe job queue benchmark"};
    std::string sqlite_dir, postgres_url, worker_list = "1,2,4";
    int jobs = 5000, latency_jobs = 500;
    app.add_option("--sqlite", sqlite_dir, "a folder for the SQLite files");
    app.add_option("--postgres", postgres_url,
                   "a PostgreSQL database URL (its tables are emptied)");
    app.add_option("--jobs", jobs, "no-op jobs per throughput run");
    app.add_option("--workers", worker_list, "worker counts, comma-separated");
    app.add_option("--latency-jobs", latency_jobs, "jobs for the enqueue-to-start latency");
    CLI11_PARSE(app, argc, argv);
    if (sqlite_dir.empty() == postgres_url.empty()) {
        fmt::print(stderr, "queue_bench: give --sqlite DIR or --postgres URL\n");
        return 2;
    }
    Target target{.name = sqlite_dir.empty() ? "PostgreSQL" : "SQLite",
                  .sqlite_dir = sqlite_dir,
                  .postgres_url = postgres_url};
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    try {
        for (std::string_view rest = worker_list; !rest.empty();) {
            const auto comma = rest.find(',');
            const int workers = std::stoi(std::string(rest.substr(0, comma)));
            rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
            const double rate = throughput(target, workers, jobs);
            fmt::print("| {} | {} | {:.0f} | {:.0f} |\n", target.name, workers, rate, rate / cores);
            std::fflush(stdout);
        }
        if (latency_jobs == 0) return 0;
        const auto waits = latencies(target, latency_jobs);
        fmt::print("latency {} ({}): p50 {:.2f} ms, p99 {:.2f} ms, max {:.2f} ms over {} jobs\n",
                   target.name,
                   sqlite_dir.empty() ? "LISTEN/NOTIFY, another Store" : "in-process wake-up",
                   percentile(waits, 50), percentile(waits, 99), waits.back(), waits.size());
    } catch (const std::exception& e) {
        fmt::print(stderr, "queue_bench: {}\n", e.what());
        return 1;
    }
    return 0;
}
