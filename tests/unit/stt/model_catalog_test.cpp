#include "stt/whisper/model_catalog.hpp"

#include <gtest/gtest.h>

#include <set>

namespace callscribe::stt::whisper {
namespace {

TEST(ModelCatalog, EveryKnownModelHasAUniqueNameASizeAndASha256) {
    std::set<std::string_view> names;
    std::uint64_t previous = 0;
    for (const auto& m : known_models()) {
        EXPECT_TRUE(names.insert(m.name).second) << m.name;
        EXPECT_GT(m.bytes, 10'000'000u) << m.name;
        EXPECT_GE(m.bytes, previous) << "smallest first: " << m.name;
        previous = m.bytes;
        EXPECT_EQ(m.sha256.size(), 64u) << m.name;
        EXPECT_EQ(m.sha256.find_first_not_of("0123456789abcdef"), std::string_view::npos);
        EXPECT_FALSE(m.suits.empty());
    }
    for (auto name : {"tiny.en", "base.en", "small.en", "base.en-q8_0", "small.en-q8_0"})
        EXPECT_TRUE(names.contains(name)) << name;
}

TEST(ModelCatalog, ModelsAreFoundByNameAndSavedUnderTheirPublishedFileName) {
    auto base = find_known_model("base.en");
    ASSERT_TRUE(base);
    EXPECT_EQ(base->file_name(), "ggml-base.en.bin");
    EXPECT_EQ(base->bytes, 147'964'211u);
    EXPECT_FALSE(find_known_model("base.english"));
}

} // namespace
} // namespace callscribe::stt::whisper
