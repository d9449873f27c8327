#pragma once
// Where this build's checkout, `callscribe` binary and PostgreSQL test folder are. Defined in one
// file that tests/CMakeLists.txt generates, not on every test's command line: a test compiled in
// another checkout is then the same compilation, which ccache reuses. Every test file sees
// these names (tests/CMakeLists.txt includes this header in each).

namespace callscribe::test_support::build_paths {
extern const char* const source_dir;
extern const char* const binary;
extern const char* const postgres_dir;
} // namespace callscribe::test_support::build_paths

#define CALLSCRIBE_SOURCE_DIR (::callscribe::test_support::build_paths::source_dir)
#define CALLSCRIBE_BINARY (::callscribe::test_support::build_paths::binary)
#define CALLSCRIBE_TEST_POSTGRES_DIR (::callscribe::test_support::build_paths::postgres_dir)
