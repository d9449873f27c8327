#include "net/server/connection_limits.hpp"

#include <gtest/gtest.h>

#include <sys/resource.h>

namespace callscribe::net {
namespace {

using std::chrono::seconds;
const std::chrono::steady_clock::time_point t0{seconds(1000)};

TEST(WarningThrottle, WarnsAtOnceThenOncePerIntervalCountingTheEventsBetween) {
    WarningThrottle throttle(seconds(60));
    EXPECT_EQ(throttle.count(t0), 1u) << "the first event is warned about";
    EXPECT_EQ(throttle.count(t0 + seconds(1)), std::nullopt);
    EXPECT_EQ(throttle.count(t0 + seconds(59)), std::nullopt);
    EXPECT_EQ(throttle.count(t0 + seconds(60)), 3u) << "three since the last warning";
    EXPECT_EQ(throttle.count(t0 + seconds(61)), std::nullopt);
    EXPECT_EQ(throttle.count(t0 + seconds(500)), 2u);
}

// The soft limit is lowered for the test and put back (lowering and restoring it up to the hard
// limit needs no privilege).
TEST(DefaultConnectionCap, IsTheDescriptorLimitLessAReserveAndNeverBelowSixteen) {
    rlimit original{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &original), 0);
    ASSERT_TRUE(original.rlim_cur == RLIM_INFINITY || original.rlim_cur >= 200);
    auto with_soft_limit = [&](rlim_t soft) {
        rlimit lowered = original;
        lowered.rlim_cur = soft;
        EXPECT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
        const auto cap = default_connection_cap();
        EXPECT_EQ(::setrlimit(RLIMIT_NOFILE, &original), 0);
        return cap;
    };
    EXPECT_EQ(with_soft_limit(1024), 896u);
    EXPECT_EQ(with_soft_limit(200), 72u);
    EXPECT_EQ(with_soft_limit(100), 16u);
}

} // namespace
} // namespace callscribe::net
