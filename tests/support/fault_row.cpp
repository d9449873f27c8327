#include "support/fault_row.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>

namespace callscribe::test_support {

void write_fault_row(const FaultRow& row) {
    const char* out = std::getenv("CALLSCRIBE_FAULT_MATRIX_OUT");
    if (out == nullptr || *out == '\0') return;
    const nlohmann::json line{
        {"group", row.group},
        {"fault", row.fault},
        {"outcome", row.outcome},
        {"log", row.log},
        {"call_log", row.call_log},
        {"lost", row.lost},
        {"test", ::testing::UnitTest::GetInstance()->current_test_info()->name()}};
    std::ofstream(out, std::ios::app) << line.dump() << '\n';
}

} // namespace callscribe::test_support
