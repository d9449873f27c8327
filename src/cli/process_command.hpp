#pragma once
// `callscribe process CA… [--recording RE…]`: runs each call's offline_stt job now, in the
// foreground, with the code the workers use and on the same database (so the call shows in the
// API). A finished job is run again. Waits (readiness backoff, 404 waits) are real waits here.
#include "cli/pipeline_parts.hpp"
#include "config/config.hpp"

#include <string>
#include <vector>

namespace callscribe::cli {

struct ProcessOptions {
    std::vector<std::string> calls;      // CA…
    std::vector<std::string> recordings; // RE…, none or one per call, in the same order
};

// Each transcript is printed to stdout (text with speaker turns), in the order of the calls.
// 0: every call has a transcript; 1: some job gave up (its line is in the log) or the database
// failed; 2: bad usage or configuration.
int run_process(const ProcessOptions& options, const config::Config& config);

} // namespace callscribe::cli
