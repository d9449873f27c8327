#include "stt/word_error_rate.hpp"

#include <gtest/gtest.h>

namespace callscribe::stt {
namespace {

TEST(WordErrorRate, NormalisesLikeTheEvalScorer) {
    EXPECT_EQ(normalised_words("Hi, this is Dr. Miller's office -- I'd say MR Smith's."),
              (std::vector<std::string>{"hi", "this", "is", "doctor", "millers", "office", "id",
                                        "say", "mister", "smiths"}));
    EXPECT_TRUE(normalised_words("  ...  ").empty());
}

TEST(WordErrorRate, CountsSubstitutionsDeletionsAndInsertions) {
    auto e = word_errors("the cat sat on the mat", "the cat sat on a mat");
    EXPECT_EQ(e.substitutions, 1);
    EXPECT_EQ(e.errors(), 1);
    EXPECT_EQ(e.reference_words, 6);

    e = word_errors("one two three four", "one three four five six");
    EXPECT_EQ(e.deletions, 1);
    EXPECT_EQ(e.insertions, 2);
    EXPECT_DOUBLE_EQ(e.rate(), 0.75);

    EXPECT_EQ(word_errors("a b c", "").deletions, 3);
    EXPECT_EQ(word_errors("", "a b").insertions, 2);
    EXPECT_DOUBLE_EQ(word_errors("", "").rate(), 0.0);
}

TEST(WordErrorRate, PoolsOverUtterances) {
    WordErrors total;
    total += word_errors("a b c d", "a b c d");
    total += word_errors("e f", "e x");
    EXPECT_EQ(total.reference_words, 6);
    EXPECT_NEAR(total.rate(), 1.0 / 6, 1e-12);
}

} // namespace
} // namespace callscribe::stt
