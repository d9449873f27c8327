#pragma once
// `callscribe worker`: the pipeline's workers without the HTTP API — for platforms that run
// many workers on one database. Runs until SIGTERM or SIGINT, then lets every running step
// finish and save, and exits 0.
#include "config/config.hpp"

namespace callscribe::cli {

int run_worker(const config::Config& config);

} // namespace callscribe::cli
