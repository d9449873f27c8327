#include "stt/formats.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>
#include <sstream>

namespace callscribe::stt {
namespace {

Transcript two_speaker_call() {
    Transcript t;
    t.engine = "pocketsphinx";
    t.audio_s = 3725.5;
    t.segments = {
        {0.5, 2.25, "Agent", "thank you for calling", {{0.5, 0.9, "thank"}, {0.9, 1.1, "you"}}},
        {2.0, 4.0, "Caller", "i'd like to move my appointment", {}},
        {4.1, 5.0, "Caller", "to friday", {}},
        {3725.0, 3725.4, "Agent", "bye <now> & then", {}},
    };
    return t;
}

double parse_time(const std::string& t) { // HH:MM:SS,mmm or HH:MM:SS.mmm
    return std::stoi(t.substr(0, 2)) * 3600 + std::stoi(t.substr(3, 2)) * 60 +
           std::stoi(t.substr(6, 2)) + std::stoi(t.substr(9, 3)) / 1000.0;
}

// Every cue line of an SRT/VTT document must be well-formed, start in order, end after start.
void expect_monotonic_cues(const std::string& doc, const std::string& pattern) {
    std::regex cue(pattern);
    std::istringstream lines(doc);
    std::string line;
    double previous_start = -1;
    int count = 0;
    while (std::getline(lines, line)) {
        if (line.find("-->") == std::string::npos) continue;
        std::smatch m;
        ASSERT_TRUE(std::regex_match(line, m, cue)) << line;
        double start = parse_time(m[1]), end = parse_time(m[2]);
        EXPECT_GE(start, previous_start) << line;
        EXPECT_GT(end, start) << line;
        previous_start = start;
        ++count;
    }
    EXPECT_EQ(count, 4);
}

TEST(Transcript, TextHasOneLinePerSpeakerTurn) {
    EXPECT_EQ(two_speaker_call().text(), "Agent: thank you for calling\n"
                                         "Caller: i'd like to move my appointment to friday\n"
                                         "Agent: bye <now> & then");
}

TEST(Transcript, MonoTextIsSegmentsJoinedBySpaces) {
    Transcript t;
    t.segments = {{0, 1, "", "hello there", {}}, {1, 2, "", "", {}}, {2, 3, "", "general", {}}};
    EXPECT_EQ(t.text(), "hello there general");
}

TEST(Formats, SrtCuesAreNumberedWellFormedAndMonotonic) {
    std::string srt = render(two_speaker_call(), Format::srt);
    EXPECT_EQ(srt.substr(0, 62),
              "1\n00:00:00,500 --> 00:00:02,250\nAgent: thank you for calling\n\n");
    EXPECT_NE(srt.find("4\n01:02:05,000 --> 01:02:05,400\nAgent: bye <now> & then\n"),
              std::string::npos);
    expect_monotonic_cues(srt, R"((\d\d:\d\d:\d\d,\d\d\d) --> (\d\d:\d\d:\d\d,\d\d\d))");
}

TEST(Formats, VttHasHeaderVoiceTagsAndEscapes) {
    std::string vtt = render(two_speaker_call(), Format::vtt);
    EXPECT_EQ(vtt.rfind("WEBVTT\n\n", 0), 0u);
    EXPECT_NE(
        vtt.find("00:00:02.000 --> 00:00:04.000\n<v Caller>i'd like to move my appointment\n"),
        std::string::npos);
    EXPECT_NE(vtt.find("<v Agent>bye &lt;now&gt; &amp; then"), std::string::npos);
    expect_monotonic_cues(vtt, R"((\d\d:\d\d:\d\d\.\d\d\d) --> (\d\d:\d\d:\d\d\.\d\d\d))");
}

TEST(Formats, CuesAreSortedAndNeverEndBeforeTheyStart) {
    Transcript t;
    t.segments = {{5, 4, "", "backwards", {}}, {-1, 0.5, "", "early", {}}, {1, 1, "", "zero", {}}};
    std::string srt = render(t, Format::srt);
    EXPECT_EQ(srt, "1\n00:00:00,000 --> 00:00:00,500\nearly\n\n"
                   "2\n00:00:01,000 --> 00:00:01,001\nzero\n\n"
                   "3\n00:00:05,000 --> 00:00:05,001\nbackwards\n\n");
}

TEST(Formats, JsonCarriesSegmentsWordsAndSpeakers) {
    auto doc = nlohmann::json::parse(render(two_speaker_call(), Format::json));
    EXPECT_EQ(doc["engine"], "pocketsphinx");
    EXPECT_DOUBLE_EQ(doc["audio_s"].get<double>(), 3725.5);
    ASSERT_EQ(doc["segments"].size(), 4u);
    EXPECT_EQ(doc["segments"][0]["speaker"], "Agent");
    EXPECT_EQ(doc["segments"][0]["words"][1]["word"], "you");
    EXPECT_FALSE(doc["segments"][1].contains("words"));
    EXPECT_EQ(doc["text"], two_speaker_call().text());
}

TEST(Formats, JsonTimesAreToTheMillisecond) {
    Transcript t;
    t.audio_s = 12.00049;
    t.segments = {{0.1 + 1.83, 2.0000004, "", "hi", {{0.1 + 1.83, 1.9996, "hi"}}}};
    const std::string json = render(t, Format::json);
    const auto doc = nlohmann::json::parse(json);
    EXPECT_EQ(doc["segments"][0]["start"].get<double>(), 1.93);
    EXPECT_EQ(doc["segments"][0]["end"].get<double>(), 2.0);
    EXPECT_EQ(doc["segments"][0]["words"][0]["end"].get<double>(), 2.0);
    EXPECT_EQ(doc["audio_s"].get<double>(), 12.0);
    EXPECT_NE(json.find("\"start\": 1.93,"), std::string::npos) << json;
    EXPECT_EQ(json.find("0000000"), std::string::npos) << json;
}

TEST(Formats, InvalidUtf8InJsonIsReplacedNotFatal) {
    Transcript t;
    t.segments = {{0, 1, "Caf\xe9", "ol\xe9", {}}}; // Latin-1 bytes, as a label might be
    auto doc = nlohmann::json::parse(render(t, Format::json));
    EXPECT_EQ(doc["segments"][0]["speaker"], "Caf\xef\xbf\xbd");
    EXPECT_EQ(doc["segments"][0]["text"], "ol\xef\xbf\xbd");
}

TEST(Formats, TimestampRoundsAndClamps) {
    EXPECT_EQ(timestamp(0.0004, ','), "00:00:00,000");
    EXPECT_EQ(timestamp(59.9996, '.'), "00:01:00.000");
    EXPECT_EQ(timestamp(-3, ','), "00:00:00,000");
    EXPECT_EQ(timestamp(36000 + 0.25, '.'), "10:00:00.250");
}

TEST(Formats, ParsesKnownNamesOnly) {
    EXPECT_EQ(parse_format("srt"), Format::srt);
    EXPECT_EQ(parse_format("SRT"), std::nullopt);
    EXPECT_EQ(parse_format("doc"), std::nullopt);
    EXPECT_EQ(extension(Format::vtt), "vtt");
}

TEST(Formats, JsonParsesBackToTheSameTranscript) {
    const Transcript original = two_speaker_call();
    auto parsed = parse_json(render(original, Format::json));
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->engine, "pocketsphinx");
    EXPECT_DOUBLE_EQ(parsed->audio_s, 3725.5);
    ASSERT_EQ(parsed->segments.size(), original.segments.size());
    EXPECT_EQ(parsed->segments[0].words.size(), 2u);
    EXPECT_EQ(parsed->segments[0].words[1].text, "you");
    EXPECT_EQ(parsed->segments[1].speaker, "Caller");
    for (auto format : {Format::txt, Format::json, Format::srt, Format::vtt})
        EXPECT_EQ(render(*parsed, format), render(original, format)) << extension(format);
}

TEST(Formats, JsonWithoutSpeakersOrWordsParses) {
    auto parsed = parse_json(R"({"segments": [{"start": 0, "end": 1.5, "text": "hi"}]})");
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->engine, "");
    EXPECT_EQ(parsed->segments[0].speaker, "");
    EXPECT_EQ(render(*parsed, Format::srt), "1\n00:00:00,000 --> 00:00:01,500\nhi\n\n");
}

TEST(Formats, MalformedJsonTranscriptsAreErrorsNotExceptions) {
    for (const char* text :
         {"", "[]", "{", R"({"segments": 1})", R"({"segments": [1]})",
          R"({"segments": [{"start": "0", "end": 1, "text": "a"}]})",
          R"({"segments": [{"start": 0, "end": 1}]})",
          R"({"segments": [{"start": 0, "end": 1, "text": "a", "words": {}}]})",
          R"({"segments": [{"start": 0, "end": 1, "text": "a", "words": [{"start": 0}]}]})",
          R"({"segments": [{"start": 0, "end": 1, "text": "a", "speaker": 3}]})"}) {
        Result<Transcript> parsed = Transcript{};
        EXPECT_NO_THROW(parsed = parse_json(text)) << text;
        if (std::string_view(text).find("speaker") != std::string_view::npos) {
            EXPECT_TRUE(parsed) << text; // a speaker of the wrong type reads as none
            continue;
        }
        EXPECT_FALSE(parsed) << text;
    }
}

} // namespace
} // namespace callscribe::stt
