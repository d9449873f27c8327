// `callscribe transcribe`'s files as other programs read them: subtitles cut to the line limits
// and read back by ffmpeg, and every format at once. The built binary, the real engine.

#include "support/command.hpp"
#include "support/ffmpeg.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>
#include <sstream>

namespace callscribe {
namespace {

using test_support::run_callscribe;
using test_support::TempDir;

const std::string k_demo_call = std::string(CALLSCRIBE_SOURCE_DIR) + "/samples/demo-call.mp3";

// What the ffmpeg program reads of a subtitle file, written back out in `format` (srt, webvtt).
std::string read_back(const std::filesystem::path& file, const std::string& format) {
    return test_support::ffmpeg_output(fmt::format("-i '{}' -f {} -", file.string(), format));
}

struct Cue {
    std::vector<std::string> lines;
};

// The cues of an SRT or WebVTT document: the text lines after each timing line.
std::vector<Cue> cues_of(const std::string& document) {
    std::vector<Cue> cues;
    std::istringstream in(document);
    bool in_cue = false;
    for (std::string line; std::getline(in, line);) {
        if (line.ends_with('\r')) line.pop_back(); // ffmpeg ends some lines with CRLF
        if (line.find(" --> ") != std::string::npos) {
            cues.emplace_back();
            in_cue = true;
        } else if (line.empty()) {
            in_cue = false;
        } else if (in_cue) {
            // Voice tags name the speaker apart from the text shown.
            cues.back().lines.push_back(std::regex_replace(line, std::regex("<[^>]*>"), ""));
        }
    }
    return cues;
}

std::size_t characters(const std::string& text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

TEST(TranscribeOutput, SubtitlesReadBackByFfmpegKeepTheLineLimits) {
    TempDir dir;
    for (const auto& [length, count] : {std::pair{42, 2}, std::pair{20, 2}}) {
        const auto out = dir / fmt::format("out-{}-{}", length, count);
        std::vector<std::string> args = {"transcribe", "-q", "--format", "all", "-o", out.string()};
        if (length != 42) {
            args.insert(args.end(), {"--max-line-length", std::to_string(length),
                                     "--max-line-count", std::to_string(count)});
        }
        args.push_back(k_demo_call);
        const auto r = run_callscribe(args);
        ASSERT_EQ(r.exit_code, 0) << r.err;
        for (const char* ext : {"txt", "json", "srt", "vtt"})
            EXPECT_TRUE(std::filesystem::exists(out / (std::string("demo-call.") + ext))) << ext;

        std::size_t words = 0;
        const auto transcript =
            nlohmann::json::parse(test_support::read_file(out / "demo-call.json"));
        for (const auto& segment : transcript.at("segments")) {
            std::istringstream text(segment.at("text").get<std::string>());
            for (std::string word; text >> word;)
                ++words;
        }
        for (const auto& [ext, format] : {std::pair{"srt", "srt"}, std::pair{"vtt", "webvtt"}}) {
            const auto ours =
                cues_of(test_support::read_file(out / (std::string("demo-call.") + ext)));
            const auto theirs = cues_of(read_back(out / (std::string("demo-call.") + ext), format));
            ASSERT_EQ(theirs.size(), ours.size()) << ext << ": ffmpeg reads every cue";
            std::size_t cue_words = 0;
            for (const auto& cue : theirs) {
                EXPECT_LE(cue.lines.size(), static_cast<std::size_t>(count)) << ext;
                for (const auto& line : cue.lines) {
                    EXPECT_LE(characters(line), static_cast<std::size_t>(length))
                        << ext << ": " << line;
                    std::istringstream text(
                        std::regex_replace(line, std::regex("^(Agent|Caller):( |$)"), ""));
                    for (std::string word; text >> word;)
                        ++cue_words;
                }
            }
            EXPECT_EQ(cue_words, words) << ext << ": every word of the transcript, once";
        }
    }
}

TEST(TranscribeOutput, EveryFormatAtOnceNeedsAFolder) {
    const auto r = run_callscribe({"transcribe", "--format", "all", k_demo_call});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "callscribe: --format all writes a file per format: give -o DIR\n");
    EXPECT_TRUE(r.out.empty());
}

TEST(TranscribeOutput, EveryOptionIsCheckedBeforeAnyWork) {
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"--preset", "slow"},      {"--threads", "0"},      {"--max-line-length", "5"},
        {"--max-line-count", "0"}, {"--progress", "fancy"}, {"--format", "docx"},
    };
    for (const auto& [option, value] : bad) {
        const auto r = run_callscribe({"transcribe", option, value, k_demo_call});
        EXPECT_EQ(r.exit_code, 2) << option << " " << value;
        EXPECT_NE(r.err.find(option), std::string::npos) << r.err;
        EXPECT_TRUE(r.out.empty()) << option;
    }
    // A good one is used: the accurate preset's search hears the demo call differently.
    const auto fast = run_callscribe({"transcribe", "--preset", "fast", k_demo_call});
    const auto accurate = run_callscribe({"transcribe", "--preset", "accurate", k_demo_call});
    ASSERT_EQ(fast.exit_code, 0) << fast.err;
    ASSERT_EQ(accurate.exit_code, 0) << accurate.err;
    EXPECT_NE(fast.out, accurate.out);
    EXPECT_NE(accurate.out.find("appointment"), std::string::npos) << accurate.out;
}

} // namespace
} // namespace callscribe
