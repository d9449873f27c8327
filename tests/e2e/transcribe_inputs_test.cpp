// `callscribe transcribe` on what users hand it besides MP3 and WAV: the formats FFmpeg reads,
// standard input, folders. The built binary, real audio made by the ffmpeg program, the real
// engine.

#include "stt/word_error_rate.hpp"
#include "support/command.hpp"
#include "support/ffmpeg.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sstream>

namespace callscribe {
namespace {

using test_support::run_callscribe;
using test_support::TempDir;

const std::string k_demo_call = std::string(CALLSCRIBE_SOURCE_DIR) + "/samples/demo-call.mp3";
const std::string k_eval = CALLSCRIBE_EVAL_DIR;

// The ffmpeg program turns `from` into `to` with `arguments` (codec options).
void convert(const std::filesystem::path& from, const std::filesystem::path& to,
             const std::string& arguments) {
    test_support::ffmpeg(fmt::format("-i '{}' {} '{}'", from.string(), arguments, to.string()));
}

TEST(TranscribeInputs, EveryFormatFfmpegReadsIsTranscribedLikeTheMp3) {
    TempDir dir;
    // Lossy codecs at the rates people use for speech: PocketSphinx hears their artefacts.
    const std::vector<std::pair<std::string, std::string>> formats = {
        {"flac", "-c:a flac"},
        {"ogg", "-c:a libopus -b:a 64k"},
        {"m4a", "-c:a aac -b:a 128k"},
        {"webm", "-c:a libopus -b:a 64k"},
        {"mp4", "-f lavfi -i testsrc=size=64x48:rate=5 -shortest -c:v mpeg4 -c:a aac -b:a 128k"},
    };
    std::vector<std::string> args = {"transcribe", "-j", "2", "-o", (dir / "out").string()};
    for (const auto& [ext, arguments] : formats) {
        convert(k_demo_call, dir / ("call-" + ext + "." + ext), arguments);
        args.push_back((dir / ("call-" + ext + "." + ext)).string());
    }
    const auto r = run_callscribe(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const auto& [ext, arguments] : formats) {
        // The demo call's five turns, in order, its two channels kept apart.
        const auto text = test_support::read_file(dir / "out" / ("call-" + ext + ".txt"));
        std::vector<std::string> turns;
        std::istringstream in(text);
        for (std::string line; std::getline(in, line);)
            turns.push_back(line);
        ASSERT_EQ(turns.size(), 5u) << ext << ":\n" << text;
        for (std::size_t i = 0; i < turns.size(); ++i)
            EXPECT_TRUE(turns[i].starts_with(i % 2 ? "Caller: " : "Agent: "))
                << ext << ": " << turns[i];
        EXPECT_LT(stt::word_errors("is it possible to reschedule my appointment to the first week "
                                   "of june",
                                   turns[1].substr(8))
                      .rate(),
                  0.25)
            << ext << ": " << turns[1];
    }
}

TEST(TranscribeInputs, StandardInputIsReadInAnyFormat) {
    TempDir dir;
    convert(k_demo_call, dir / "call.ogg", "-c:a libopus -b:a 32k");
    auto r = run_callscribe({"transcribe", "-"}, {}, dir / "call.ogg");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(r.out.starts_with("Agent: ")) << r.out;
    EXPECT_NE(r.out.find("appointment"), std::string::npos) << r.out;

    // Written with -o, its transcript is named after it; given twice, it is a usage error.
    r = run_callscribe({"transcribe", "-o", (dir / "out").string(), "-"}, {}, dir / "call.ogg");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(test_support::read_file(dir / "out/stdin.txt").find("appointment"),
              std::string::npos);
    r = run_callscribe({"transcribe", "-", "-"}, {}, dir / "call.ogg");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "callscribe: -: standard input can be read once only\n");

    // What is not audio on standard input is named as "stdin".
    test_support::write_file(dir / "notes.txt", "not a recording\n");
    r = run_callscribe({"transcribe", "-"}, {}, dir / "notes.txt");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "callscribe: stdin: not a recognised audio file\n");
}

TEST(TranscribeInputs, AFolderIsWalkedAndWhatIsNotAudioIsSkipped) {
    TempDir dir;
    const auto calls = dir / "calls";
    std::filesystem::create_directories(calls / "march");
    std::filesystem::copy_file(k_eval + "/synth/phone/flt14.mp3", calls / "a.mp3");
    convert(k_eval + "/synth/phone/flt06.wav", calls / "march/b.flac", "-c:a flac");
    std::filesystem::copy_file(k_eval + "/synth/phone/flt18.mp3", calls / ".partial.mp3");
    test_support::write_file(calls / "notes.txt", "the caller wants a refund\n");
    ASSERT_TRUE(test_support::ffmpeg(fmt::format("-f lavfi -i testsrc=size=64x48 -frames:v 1 '{}'",
                                                 (calls / "cover.png").string())));

    auto r = run_callscribe({"transcribe", "-o", (dir / "out").string(), calls.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(test_support::read_file(dir / "out/a.txt").find("technician"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(dir / "out/b.txt"));
    EXPECT_FALSE(std::filesystem::exists(dir / "out/.partial.txt"));
    EXPECT_EQ(r.err, fmt::format("callscribe: {0}: 1 subfolder not read (--recursive reads them)\n"
                                 "callscribe: {0}/cover.png: skipped, not audio\n"
                                 "callscribe: {0}/notes.txt: skipped, not audio\n",
                                 calls.string()));

    // Recursive, with a FLAC file cut after its header: it fails alone, in one line.
    const std::string flac = test_support::read_file(calls / "march/b.flac");
    test_support::write_file(calls / "march/cut.flac", flac.substr(0, 200));
    r = run_callscribe({"transcribe", "-r", "-o", (dir / "out2").string(), calls.string()});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(test_support::read_file(dir / "out2/b.txt").find("invoice"), std::string::npos);
    EXPECT_TRUE(std::filesystem::exists(dir / "out2/a.txt"));
    EXPECT_NE(r.err.find(fmt::format("callscribe: {}/march/cut.flac: ", calls.string())),
              std::string::npos)
        << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 3) << r.err;

    // A folder with nothing in it.
    std::filesystem::create_directories(dir / "empty");
    r = run_callscribe({"transcribe", (dir / "empty").string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "callscribe: nothing to transcribe: the folders given hold no files\n");
}

} // namespace
} // namespace callscribe
