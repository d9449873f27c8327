#include "support/time_factor.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace callscribe::test_support {

int time_factor() {
    const char* text = std::getenv("CALLSCRIBE_TEST_TIME_FACTOR");
    if (text == nullptr || *text == '\0') return 1;
    return std::clamp(std::atoi(text), 1, 100);
}

} // namespace callscribe::test_support
