// Twilio Media Streams messages, as Twilio's "WebSocket Messages" page shows them.
#include "core/base64.hpp"
#include "twilio/media_stream.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace callscribe::twilio {
namespace {

constexpr auto k_call = "CA0123456789abcdef0123456789abcdef";
constexpr auto k_account = "AC0123456789abcdef0123456789abcdef";
constexpr auto k_stream = "MZ0123456789abcdef0123456789abcdef";

std::string media(std::string_view track, std::string_view payload, std::string_view timestamp) {
    return fmt::format(R"({{"event":"media","sequenceNumber":"3","streamSid":"{}","media":)"
                       R"({{"track":"{}","chunk":"2","timestamp":"{}","payload":"{}"}}}})",
                       k_stream, track, timestamp, payload);
}

TEST(MediaStreamMessage, ReadsConnected) {
    const auto message =
        parse_media_message(R"({"event":"connected","protocol":"Call","version":"1.0.0"})");
    ASSERT_TRUE(message) << message.error().message;
    EXPECT_EQ(message->event, MediaEvent::connected);
    EXPECT_FALSE(message->sequence);
}

TEST(MediaStreamMessage, ReadsStartWithBothTracksAndCustomParameters) {
    const auto message = parse_media_message(fmt::format(
        R"({{"event":"start","sequenceNumber":"1","streamSid":"{2}","start":{{"accountSid":"{0}",)"
        R"("streamSid":"{2}","callSid":"{1}","tracks":["inbound","outbound"],)"
        R"("mediaFormat":{{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}},)"
        R"("customParameters":{{"tenant":"acme","lang":"en"}}}}}})",
        k_account, k_call, k_stream));
    ASSERT_TRUE(message) << message.error().message;
    EXPECT_EQ(message->event, MediaEvent::start);
    EXPECT_EQ(message->stream_sid, k_stream);
    EXPECT_EQ(message->sequence, 1);
    ASSERT_TRUE(message->start);
    EXPECT_EQ(message->start->call_sid.str(), k_call);
    EXPECT_EQ(message->start->account_sid, k_account);
    EXPECT_EQ(message->start->tracks,
              (std::vector<MediaTrack>{MediaTrack::inbound, MediaTrack::outbound}));
    EXPECT_EQ(message->start->encoding, "audio/x-mulaw");
    EXPECT_EQ(message->start->sample_rate, 8000);
    EXPECT_EQ(message->start->channels, 1);
    ASSERT_EQ(message->start->custom_parameters.size(), 2U);
    EXPECT_EQ(message->start->custom_parameters[0].second, "acme");
}

TEST(MediaStreamMessage, ReadsMediaWithNumbersAsStringsOrNumbers) {
    const std::string payload = encode_base64(std::string(160, '\x7f'));
    auto message = parse_media_message(media("outbound", payload, "52"));
    ASSERT_TRUE(message) << message.error().message;
    ASSERT_TRUE(message->media);
    EXPECT_EQ(message->media->track, MediaTrack::outbound);
    EXPECT_EQ(message->media->chunk, 2);
    EXPECT_EQ(message->media->timestamp_ms, 52);
    EXPECT_EQ(message->media->payload, std::string(160, '\x7f'));

    message = parse_media_message(fmt::format(
        R"({{"event":"media","sequenceNumber":4,"streamSid":"{}","media":{{"track":"inbound",)"
        R"("chunk":3,"timestamp":72,"payload":"{}"}}}})",
        k_stream, payload));
    ASSERT_TRUE(message) << message.error().message;
    EXPECT_EQ(message->sequence, 4);
    EXPECT_EQ(message->media->timestamp_ms, 72);
}

TEST(MediaStreamMessage, ReadsMarkDtmfAndStop) {
    auto mark = parse_media_message(fmt::format(
        R"({{"event":"mark","sequenceNumber":"5","streamSid":"{}","mark":{{"name":"m1"}}}})",
        k_stream));
    ASSERT_TRUE(mark);
    EXPECT_EQ(mark->mark_name, "m1");
    auto dtmf =
        parse_media_message(fmt::format(R"({{"event":"dtmf","sequenceNumber":"6","streamSid":"{}",)"
                                        R"("dtmf":{{"track":"inbound_track","digit":"7"}}}})",
                                        k_stream));
    ASSERT_TRUE(dtmf);
    EXPECT_EQ(dtmf->dtmf_digit, "7");
    auto stop =
        parse_media_message(fmt::format(R"({{"event":"stop","sequenceNumber":"7","streamSid":"{}",)"
                                        R"("stop":{{"accountSid":"{}","callSid":"{}"}}}})",
                                        k_stream, k_account, k_call));
    ASSERT_TRUE(stop);
    EXPECT_EQ(stop->event, MediaEvent::stop);
}

TEST(MediaStreamMessage, AnUnknownEventIsReturnedWithItsName) {
    const auto message = parse_media_message(R"({"event":"clear","streamSid":"MZ1"})");
    ASSERT_TRUE(message);
    EXPECT_EQ(message->event, MediaEvent::unknown);
    EXPECT_EQ(message->event_name, "clear");
}

TEST(MediaStreamMessage, EachMalformedMessageIsAnErrorNamingTheMember) {
    const std::string payload = encode_base64("abc");
    const std::vector<std::pair<std::string, std::string>> cases{
        {"{not json", "the message is not JSON"},
        {"[1,2]", "the message is not a JSON object"},
        {R"({"sequenceNumber":"1"})", "event is not a string"},
        {media("inbound", "@@@not base64@@@", "0"), "media.payload is not base64"},
        {media("sideways", payload, "0"), "media.track is neither inbound nor outbound"},
        {media("inbound", payload, "-20"), "media.timestamp is not a whole number"},
        {media("inbound", payload, "12ms"), "media.timestamp is not a whole number"},
        {R"({"event":"media","sequenceNumber":"2","media":{}})", "streamSid is not a string"},
        {R"({"event":"media","streamSid":"MZ1","sequenceNumber":"2"})", "media is not an object"},
        {R"({"event":"start","streamSid":"MZ1","sequenceNumber":"1","start":{"accountSid":"AC1",)"
         R"("callSid":"CA1","tracks":["inbound"]}})",
         "start.callSid is not a Call SID (CA + 32 hex digits)"},
        {fmt::format(R"({{"event":"start","streamSid":"MZ1","sequenceNumber":"1","start":{{)"
                     R"("accountSid":"AC1","callSid":"{}","tracks":[],"mediaFormat":{{}}}}}})",
                     k_call),
         "start.tracks is not a list of tracks"},
    };
    for (const auto& [text, error] : cases) {
        const auto message = parse_media_message(text);
        ASSERT_FALSE(message) << text;
        EXPECT_EQ(message.error().message, error) << text;
    }
}

} // namespace
} // namespace callscribe::twilio
