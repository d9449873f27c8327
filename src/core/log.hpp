#pragma once
// One spdlog logger for the whole service. Library code logs through `log()`; a test that
// asserts log lines adds a sink to `log().sinks()`. Secrets never reach a log call (see Secret).

#include <spdlog/spdlog.h>

#include <string>
#include <string_view>

namespace callscribe {

// The process-wide logger ("callscribe"), created on first use, writing to stderr.
spdlog::logger& log();

// A caller's or callee's number as logs show it: "+15551234542" → "+1555…42"; an address such as
// "client:alice" or "sip:bob@pbx" keeps its scheme ("client:…"); "" stays "". A call log keeps
// the whole number; a log line needs only enough to tell calls apart.
std::string masked_number(std::string_view number);

} // namespace callscribe
