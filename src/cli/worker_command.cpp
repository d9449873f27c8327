#include "cli/worker_command.hpp"

#include "cli/pipeline_parts.hpp"
#include "cli/stop_signal.hpp"
#include "core/log.hpp"
#include "jobs/worker_pool.hpp"

#include <fmt/format.h>

#include <csignal>

namespace callscribe::cli {

int run_worker(const config::Config& config) {
    block_stop_signals();
    auto parts = build_pipeline(config, "worker");
    if (!parts) {
        fmt::print(stderr, "callscribe: {}\n", parts.error().message);
        return 2;
    }
    jobs::WorkerPool pool(*(*parts)->runner, *(*parts)->store, *(*parts)->engine,
                          jobs::WorkerPoolSettings{.cpu_workers = config.jobs.workers},
                          [&] { deliver_webhooks(**parts, config); });
    pool.start();
    log().info("callscribe worker {} started: {} transcription workers, engine {}",
               (*parts)->runner->owner(), config.jobs.workers, (*parts)->engine->name());
    const int signal = wait_for_stop_signal();
    log().info("{} received: finishing the running steps",
               signal == SIGTERM ? "SIGTERM" : "SIGINT");
    pool.stop();
    log().info("callscribe worker stopped");
    return 0;
}

} // namespace callscribe::cli
