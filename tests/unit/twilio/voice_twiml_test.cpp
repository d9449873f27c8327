#include "twilio/voice_twiml.hpp"

#include <gtest/gtest.h>

namespace callscribe::twilio {
namespace {

using Kind = config::VoiceContinue::Kind;

TEST(VoiceTwiml, StartsTheTranscriptionAndTheDualRecordingThenDialsTheNumber) {
    EXPECT_EQ(voice_twiml({.public_url = "https://calls.example.com",
                           .next = {Kind::dial_number, "+15551234567"}}),
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<Response>\n"
              "  <Start><Transcription statusCallbackUrl=\"https://calls.example.com/twilio/"
              "transcription-status\" track=\"both_tracks\" partialResults=\"true\"/></Start>\n"
              "  <Start><Recording channels=\"dual\" track=\"both\" "
              "recordingStatusCallback=\"https://calls.example.com/twilio/recording-status\" "
              "recordingStatusCallbackEvent=\"completed absent\"/></Start>\n"
              "  <Dial>+15551234567</Dial>\n"
              "</Response>\n");
}

TEST(VoiceTwiml, WithoutTranscriptionOnlyTheRecordingStartsBeforeASipDial) {
    const auto twiml = voice_twiml({.public_url = "https://calls.example.com",
                                    .transcription = false,
                                    .next = {Kind::dial_sip, "sip:desk@pbx.example.com"}});
    EXPECT_EQ(twiml.find("<Transcription"), std::string::npos);
    EXPECT_NE(twiml.find("<Start><Recording "), std::string::npos);
    EXPECT_NE(twiml.find("  <Dial><Sip>sip:desk@pbx.example.com</Sip></Dial>\n</Response>\n"),
              std::string::npos)
        << twiml;
}

TEST(VoiceTwiml, ARedirectKeepsItsQueryEscapedForXml) {
    const auto twiml =
        voice_twiml({.public_url = "https://calls.example.com/base?a=1&b=\"2\"",
                     .next = {Kind::redirect, "https://app.example.com/twiml?step=1&who=<agent>"}});
    EXPECT_NE(twiml.find("  <Redirect method=\"POST\">https://app.example.com/twiml?step=1&amp;"
                         "who=&lt;agent&gt;</Redirect>\n"),
              std::string::npos)
        << twiml;
    EXPECT_NE(
        twiml.find("statusCallbackUrl=\"https://calls.example.com/base?a=1&amp;b=&quot;2&quot;"
                   "/twilio/transcription-status\""),
        std::string::npos)
        << twiml;
}

TEST(VoiceTwiml, AStreamOfBothTracksGoesToTheWebSocketUrlOfThePublicHost) {
    const auto twiml = voice_twiml({.public_url = "https://calls.example.com:8443/cs",
                                    .transcription = false,
                                    .media_stream = true,
                                    .next = {Kind::dial_number, "+15551234567"}});
    EXPECT_NE(twiml.find("<Response>\n"
                         "  <Start><Stream url=\"wss://calls.example.com:8443/cs/twilio/media\" "
                         "track=\"both_tracks\"/></Start>\n"
                         "  <Start><Recording "),
              std::string::npos)
        << twiml;
    EXPECT_EQ(twiml.find("<Transcription"), std::string::npos);
}

TEST(VoiceTwiml, TheStreamUrlTakesTheSchemeOfTheHttpUrl) {
    EXPECT_EQ(websocket_url("https://calls.example.com"), "wss://calls.example.com");
    EXPECT_EQ(websocket_url("http://127.0.0.1:8080/base"), "ws://127.0.0.1:8080/base");
}

TEST(XmlEscaped, EscapesTheFiveCharactersAndNothingElse) {
    EXPECT_EQ(xml_escaped("a&b<c>d\"e'f é"), "a&amp;b&lt;c&gt;d&quot;e&apos;f é");
}

} // namespace
} // namespace callscribe::twilio
