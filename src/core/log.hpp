#pragma once
// One spdlog logger for the whole service. Library code logs through `log()`; a test that
// asserts log lines adds a sink to `log().sinks()`. Secrets never reach a log call (see Secret).

#include <spdlog/spdlog.h>

namespace callscribe {

// The process-wide logger ("callscribe"), created on first use, writing to stderr.
spdlog::logger& log();

} // namespace callscribe
