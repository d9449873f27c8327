#include "core/secret.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace callscribe {

TEST(Secret, FormatsAsStarsWhateverItHolds) {
    Secret s{"sk-live-very-secret"};
    EXPECT_EQ(fmt::format("token={}", s), "token=***");
    std::ostringstream os;
    os << s;
    EXPECT_EQ(os.str(), "***");
    EXPECT_EQ(s.reveal(), "sk-live-very-secret");
}

TEST(Secret, ComparesByContent) {
    EXPECT_EQ(Secret{"abc"}, Secret{"abc"});
    EXPECT_NE(Secret{"abc"}, Secret{"abd"});
    EXPECT_NE(Secret{"abc"}, Secret{"abcd"});
    EXPECT_EQ(Secret{}, Secret{""});
}

} // namespace callscribe
