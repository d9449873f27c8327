// The Recording resource as Twilio's OpenAPI spec shows it, and as the field shows it.

#include "twilio/recording.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace callscribe::twilio {
namespace {

// The spec's own example of a fetched recording.
nlohmann::json spec_example() {
    std::ifstream in(std::string(CALLSCRIBE_REFERENCE_DIR) + "/twilio-recording-openapi.json");
    auto doc = nlohmann::json::parse(in);
    return doc.at("paths")
        .at("/2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}.json")
        .at("get")
        .at("responses")
        .at("200")
        .at("content")
        .at("application/json")
        .at("examples")
        .at("fetch")
        .at("value");
}

TEST(Recording, ParsesTheSpecExampleAsReady) {
    auto r = parse_recording(spec_example().dump());
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->sid.str(), "REaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    EXPECT_EQ(r->call_sid->str(), "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    EXPECT_EQ(r->status, RecordingStatus::completed);
    EXPECT_EQ(r->duration_s, 4.0);
    EXPECT_EQ(r->channels, 1);
    EXPECT_EQ(readiness(*r), Readiness::ready);
    EXPECT_EQ(media_url("https://api.twilio.com/", *r),
              "https://api.twilio.com/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"
              "Recordings/REaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
}

TEST(Recording, UnknownDurationIsNotReadyWhateverItsSpelling) {
    auto example = spec_example();
    for (const nlohmann::json& duration :
         {nlohmann::json(nullptr), nlohmann::json("-1"), nlohmann::json(-1), nlohmann::json(""),
          nlohmann::json("soon")}) {
        example["duration"] = duration;
        auto r = parse_recording(example.dump());
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_FALSE(r->duration_s) << duration;
        EXPECT_EQ(readiness(*r), Readiness::not_ready) << duration;
    }
    example.erase("duration");
    EXPECT_EQ(readiness(*parse_recording(example.dump())), Readiness::not_ready);
}

TEST(Recording, StatusDecidesBetweenWaitingAndGivingUp) {
    auto example = spec_example();
    for (const char* waiting : {"processing", "in-progress", "paused", "stopped", "new-status"}) {
        example["status"] = waiting;
        EXPECT_EQ(readiness(*parse_recording(example.dump())), Readiness::not_ready) << waiting;
    }
    for (const char* gone : {"absent", "deleted", "failed"}) {
        example["status"] = gone;
        EXPECT_EQ(readiness(*parse_recording(example.dump())), Readiness::gone) << gone;
    }
}

TEST(Recording, ListMayBeEmpty) {
    auto list = parse_recording_list(R"({"recordings": [], "next_page_uri": null})");
    ASSERT_TRUE(list) << list.error().message;
    EXPECT_TRUE(list->empty());
    nlohmann::json two = {{"recordings", {spec_example(), spec_example()}}};
    two["recordings"][1]["channels"] = 2;
    list = parse_recording_list(two.dump());
    ASSERT_TRUE(list) << list.error().message;
    ASSERT_EQ(list->size(), 2u);
    EXPECT_EQ((*list)[1].channels, 2);
}

TEST(Recording, MalformedAnswersAreClearErrors) {
    EXPECT_EQ(parse_recording("<html>502 Bad Gateway</html>").error().message,
              "Twilio recording: the answer is not JSON");
    auto example = spec_example();
    example["sid"] = "RE../../etc/passwd";
    EXPECT_NE(parse_recording(example.dump()).error().message.find("\"sid\""), std::string::npos);
    example = spec_example();
    example.erase("uri");
    EXPECT_NE(parse_recording(example.dump()).error().message.find("\"uri\""), std::string::npos);
    EXPECT_FALSE(parse_recording_list(R"({"recordings": {}})"));
    EXPECT_FALSE(parse_recording("[]"));
}

} // namespace
} // namespace callscribe::twilio
