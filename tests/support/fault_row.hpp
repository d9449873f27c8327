#pragma once
// One row of docs/reliability.md's fault matrix: a test that injected a fault writes what it
// observed to $CALLSCRIBE_FAULT_MATRIX_OUT (JSON lines, read by scripts/reliability.sh); without
// that variable nothing is written.
#include <string>
#include <string_view>

namespace callscribe::test_support {

struct FaultRow {
    std::string_view group;   // "Twilio", "Engine", "Service", …
    std::string_view fault;   // what was done
    std::string_view outcome; // what happened, as the test asserted it
    std::string log;          // the telling log line
    std::string call_log;     // what the call log shows
    std::string lost;         // "nothing", or what was lost
};

void write_fault_row(const FaultRow& row);

} // namespace callscribe::test_support
