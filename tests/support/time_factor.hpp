#pragma once
// How much slower than a plain build on an idle machine this run may be:
// CALLSCRIBE_TEST_TIME_FACTOR (scripts/test-sanitizers.sh sets it for the instrumented build),
// 1 when unset. Tests multiply their wall-clock limits by it, and the waits those limits are
// measured against, so that a limit can still fail.

namespace callscribe::test_support {

int time_factor();

} // namespace callscribe::test_support
