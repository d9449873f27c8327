#pragma once
// Every log line the test suite produces, kept for the secrets scan (tests/integration/secrets):
// when CALLSCRIBE_TEST_LOG_ARCHIVE names a folder (ctest sets it), the in-process logger also
// writes there, and so does every `callscribe` process a test runs (its stderr, and its stdout,
// which carries printed transcripts and settings). Without the variable nothing is kept.

#include <string_view>

namespace callscribe::test_support {

// Appends `text` (what `origin` wrote) to this test process's file in the archive, if any.
void archive_output(std::string_view origin, std::string_view text);

} // namespace callscribe::test_support
