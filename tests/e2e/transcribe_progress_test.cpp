// `callscribe transcribe`'s progress as a user sees it: on a terminal (a pseudo-terminal here),
// and as plain lines for logs. The built binary, real audio, the real engine.

#include "support/command.hpp"
#include "support/ffmpeg.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <regex>

namespace callscribe {
namespace {

using test_support::TempDir;

const std::string k_demo_call = std::string(CALLSCRIBE_SOURCE_DIR) + "/samples/demo-call.mp3";

// The demo call's first 5 s as FLAC (40,000 frames at 8 kHz: its header says 5 s exactly).
std::filesystem::path five_seconds(const TempDir& dir) {
    const auto file = dir / "short.flac";
    test_support::ffmpeg(fmt::format("-i '{}' -t 5 -c:a flac '{}'", k_demo_call, file.string()));
    return file;
}

TEST(TranscribeProgress, OnATerminalTheBarCountsSecondsOfAudio) {
    TempDir dir;
    const auto short_file = five_seconds(dir);
    // One at a time, the 5-second file first, then the 27.7-second call.
    const auto r = test_support::run_callscribe_in_terminal(
        {"transcribe", "-j", "1", "-o", (dir / "out").string(), short_file.string(), k_demo_call});
    ASSERT_EQ(r.exit_code, 0) << r.out;
    // When the short file is done: 5 of 32.7 seconds, 15 % (by files it would be 50 %).
    EXPECT_NE(r.out.find(" 15%  0:00:05 / 0:00:33 of audio"), std::string::npos) << r.out;
    // Every percentage drawn is at least the one before.
    std::regex percent(R"(\] +(\d+)%)");
    int previous = -1, draws = 0;
    for (auto it = std::sregex_iterator(r.out.begin(), r.out.end(), percent);
         it != std::sregex_iterator(); ++it, ++draws) {
        const int value = std::stoi((*it)[1]);
        EXPECT_GE(value, previous) << r.out;
        previous = value;
    }
    EXPECT_GE(draws, 3) << r.out;
    EXPECT_NE(r.out.find("left  demo-call.mp3"), std::string::npos) << "the file in flight";
    // The bar is cleared, then one summary line stays.
    std::smatch summary;
    ASSERT_TRUE(std::regex_search(r.out, summary,
                                  std::regex(R"(\r\x1b\[Kcallscribe: 2 files: 2 done; 0:00:33 of )"
                                             R"(audio in [0-9.]+s \([0-9.]+× real time\)\r\n$)")))
        << r.out;
}

TEST(TranscribeProgress, PlainIsALinePerFileForLogs) {
    TempDir dir;
    const auto short_file = five_seconds(dir);
    test_support::write_file(dir / "broken.mp3", "not audio\n");
    const auto r = test_support::run_callscribe({"transcribe", "--progress=plain", "-j", "1", "-o",
                                                 (dir / "out").string(), short_file.string(),
                                                 (dir / "broken.mp3").string(), k_demo_call});
    EXPECT_EQ(r.exit_code, 1);
    const std::regex expected(
        "callscribe: \\[1/3\\] " + short_file.string() +
        ": 0:00:05 of audio in [0-9.]+s \\([0-9]+× real time\\)\n"
        "callscribe: " +
        (dir / "broken.mp3").string() +
        ": not a recognised audio file\n"
        "callscribe: \\[3/3\\] " +
        k_demo_call +
        ": 0:00:28 of audio in [0-9.]+s \\([0-9]+× real time\\)\n"
        "callscribe: 3 files: 2 done, 1 failed; 0:00:33 of audio in [0-9.]+s \\([0-9.]+× real "
        "time\\)\n");
    EXPECT_TRUE(std::regex_match(r.err, expected)) << r.err;

    // --quiet: the error alone.
    const auto quiet =
        test_support::run_callscribe({"transcribe", "--progress=plain", "--quiet", "-o",
                                      (dir / "out").string(), (dir / "broken.mp3").string()});
    EXPECT_EQ(quiet.err,
              "callscribe: " + (dir / "broken.mp3").string() + ": not a recognised audio file\n");
}

} // namespace
} // namespace callscribe
