// Standard Webhooks signatures: the spec's published test vector (the reference libraries'
// tests: secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw), and verification.

#include "webhook/webhook_signature.hpp"

#include "core/base64.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace callscribe::webhook {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view k_secret_base64 = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view k_id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t k_timestamp = 1614265330;
constexpr std::string_view k_body = R"({"test": 2432232314})";
constexpr std::string_view k_signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

Secret key() {
    return Secret(decode_base64(k_secret_base64).value());
}

TimePoint at(std::int64_t unix_seconds) {
    return TimePoint{} + std::chrono::seconds(unix_seconds);
}

Result<void> check(std::string_view header, std::string_view body = k_body,
                   const Secret& with = key(), TimePoint now = at(k_timestamp),
                   std::string_view timestamp = "1614265330", std::string_view id = k_id) {
    return verify(id, timestamp, header, body, with, now);
}

TEST(WebhookSignature, MatchesTheSpecTestVector) {
    EXPECT_EQ(signed_content(k_id, k_timestamp, k_body),
              R"(msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314})");
    EXPECT_EQ(sign(k_id, k_timestamp, k_body, key()), k_signature);
}

TEST(WebhookSignature, UnixSecondsOfATimePoint) {
    EXPECT_EQ(unix_seconds(at(k_timestamp) + 999ms), k_timestamp);
}

TEST(WebhookSignature, VerifiesTheVector) {
    EXPECT_TRUE(check(k_signature));
}

TEST(WebhookSignature, AcceptsAnyOfSeveralSignatures) {
    EXPECT_TRUE(check(std::string("v1,Zm9vYmFyYmF6 ") + std::string(k_signature)));
    EXPECT_TRUE(check(std::string(k_signature) + " v1a,c29tZSBlZDI1NTE5IHNpZ25hdHVyZQ=="));
}

TEST(WebhookSignature, RejectsATamperedBody) {
    auto result = check(k_signature, R"({"test": 2432232315})");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().message, "no matching v1 signature");
}

TEST(WebhookSignature, RejectsATamperedId) {
    EXPECT_FALSE(check(k_signature, k_body, key(), at(k_timestamp), "1614265330",
                       "msg_p5jXN8AQM9LWM0D4loKWxJel"));
}

TEST(WebhookSignature, RejectsAWrongSecret) {
    EXPECT_FALSE(check(k_signature, k_body, Secret("another key entirely")));
    EXPECT_FALSE(check(k_signature, k_body, Secret()));
}

TEST(WebhookSignature, RejectsOtherVersionsAndJunk) {
    std::string base64_part(k_signature.substr(3));
    EXPECT_FALSE(check("v2," + base64_part));
    EXPECT_FALSE(check("v1a," + base64_part));
    EXPECT_FALSE(check(base64_part));
    EXPECT_FALSE(check(""));
    EXPECT_FALSE(check("v1,"));
    EXPECT_FALSE(check(std::string(k_signature) + "x"));
}

TEST(WebhookSignature, RejectsTimestampsOutsideTheTolerance) {
    EXPECT_TRUE(check(k_signature, k_body, key(), at(k_timestamp + 300)));
    EXPECT_TRUE(check(k_signature, k_body, key(), at(k_timestamp - 300)));
    auto old = check(k_signature, k_body, key(), at(k_timestamp + 301));
    ASSERT_FALSE(old);
    EXPECT_EQ(old.error().message, "timestamp 1614265330 is 301s away from now (tolerance 300s)");
    EXPECT_FALSE(check(k_signature, k_body, key(), at(k_timestamp - 301))); // from the future
    EXPECT_TRUE(
        verify(k_id, "1614265330", k_signature, k_body, key(), at(k_timestamp + 3600), 3601s));
}

TEST(WebhookSignature, RejectsATimestampThatIsNotANumber) {
    for (std::string_view bad : {"", "abc", "1614265330.5", " 1614265330", "1614265330s"}) {
        auto result = check(k_signature, k_body, key(), at(k_timestamp), bad);
        ASSERT_FALSE(result) << bad;
        EXPECT_EQ(result.error().message,
                  "webhook-timestamp is not a whole number of unix seconds");
    }
}

TEST(WebhookSignature, ErrorsNeverShowTheKey) {
    for (auto result : {check("v1,AAAA"), check(k_signature, k_body, key(), at(0)),
                        check(k_signature, k_body, key(), at(k_timestamp), "x")}) {
        ASSERT_FALSE(result);
        EXPECT_THAT(result.error().message, Not(HasSubstr(k_secret_base64)));
        EXPECT_THAT(result.error().message, Not(HasSubstr(key().reveal())));
    }
}

} // namespace
} // namespace callscribe::webhook
