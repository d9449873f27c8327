// The batch's progress by seconds of audio, on a file, with the clock injected.
#include "cli/progress_bar.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

namespace callscribe::cli {
namespace {

using namespace std::chrono_literals;

struct FileClose {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

std::string contents(std::FILE* f) {
    std::fflush(f);
    std::rewind(f);
    std::string out;
    for (int c; (c = std::fgetc(f)) != EOF;)
        out += char(c);
    return out;
}

// A clock the test moves by hand.
struct TestClock {
    ProgressBar::Clock::time_point now{};
    ProgressBar::Now function() {
        return [this] { return now; };
    }
};

TEST(ProgressBar, TheBarFollowsSecondsOfAudioNotFiles) {
    std::unique_ptr<std::FILE, FileClose> out(std::tmpfile());
    TestClock clock;
    {
        ProgressBar bar(ProgressStyle::bar, {"short.mp3", "long.mp3"}, {10.0, 90.0}, out.get(),
                        clock.function());
        bar.started(0);
        bar.finished(0, true); // a tenth of the audio, half of the files
        bar.started(1);
        clock.now += 1s;
        bar.audio(1, 45.0);
    }
    const std::string text = contents(out.get());
    EXPECT_NE(text.find(" 10%  0:00:10 / 0:01:40 of audio"), std::string::npos) << text;
    EXPECT_NE(text.find(" 55%  0:00:55 / 0:01:40 of audio"), std::string::npos) << text;
    EXPECT_EQ(text.find(" 50%"), std::string::npos) << text;
    EXPECT_NE(text.find("left  long.mp3"), std::string::npos) << "the file in flight: " << text;
    EXPECT_TRUE(text.ends_with("\r\033[K")) << "the destructor clears the line";
    EXPECT_EQ(text.find('\n'), std::string::npos) << "never scrolls";
}

TEST(ProgressBar, TimeLeftIsThePaceSoFar) {
    std::unique_ptr<std::FILE, FileClose> out(std::tmpfile());
    TestClock clock;
    ProgressBar bar(ProgressStyle::bar, {"a.wav"}, {400.0}, out.get(), clock.function());
    bar.started(0);
    EXPECT_NE(contents(out.get()).find("-- left"), std::string::npos) << "nothing to go by yet";
    clock.now += 20s;
    bar.audio(0, 100.0); // a quarter in 20 s: 60 s to go
    EXPECT_NE(contents(out.get()).find(" 25%  0:01:40 / 0:06:40 of audio  1m00s left  a.wav"),
              std::string::npos)
        << contents(out.get());
    clock.now += 50ms;
    bar.audio(0, 200.0); // within a tenth of a second of the last draw: not redrawn
    EXPECT_EQ(contents(out.get()).find(" 50%"), std::string::npos);
}

TEST(ProgressBar, AFileOfUnknownLengthWeighsAsTheMeanOfTheOthers) {
    std::unique_ptr<std::FILE, FileClose> out(std::tmpfile());
    ProgressBar bar(ProgressStyle::bar, {"a.mp3", "b.webm", "c.mp3"}, {30.0, 0.0, 90.0}, out.get(),
                    [] { return ProgressBar::Clock::time_point{}; });
    bar.started(0);
    bar.finished(0, true);
    bar.started(1);
    bar.audio(1, 50.0); // no length to measure it against: counts when it is done
    bar.finished(1, true);
    const std::string text = contents(out.get());
    EXPECT_NE(text.find(" 17%  0:00:30"), std::string::npos) << text; // 30 of 30 + 60 + 90
    EXPECT_NE(text.find(" 50%  0:01:20"), std::string::npos) << text; // 90 of 180
}

TEST(ProgressBar, PlainGivesALinePerFileDoneAndTheSummary) {
    std::unique_ptr<std::FILE, FileClose> out(std::tmpfile());
    TestClock clock;
    ProgressBar bar(ProgressStyle::plain, {"calls/a.mp3", "calls/b.mp3", "calls/notes.txt"},
                    {3600.0, 60.0, 0.0}, out.get(), clock.function());
    bar.skipped(2);
    bar.started(0);
    clock.now += 120s;
    bar.audio(0, 1800.0);
    bar.finished(0, true);
    bar.started(1);
    clock.now += 2s;
    bar.finished(1, false);
    bar.summary();
    EXPECT_EQ(contents(out.get()),
              "callscribe: [1/3] calls/a.mp3: 1:00:00 of audio in 2m00s (30× real time)\n"
              "callscribe: 3 files: 1 done, 1 failed, 1 skipped; 1:00:00 of audio in 2m02s "
              "(29.5× real time)\n");
}

TEST(ProgressBar, NonePrintsNothing) {
    std::unique_ptr<std::FILE, FileClose> out(std::tmpfile());
    {
        ProgressBar bar(ProgressStyle::none, {"a.mp3"}, {2.0}, out.get());
        bar.started(0);
        bar.audio(0, 1.0);
        bar.finished(0, true);
        bar.clear();
        bar.summary();
    }
    EXPECT_EQ(contents(out.get()), "");
}

TEST(ProgressBar, TimesReadAsPeopleWriteThem) {
    EXPECT_EQ(clock_text(0), "0:00:00");
    EXPECT_EQ(clock_text(3599.6), "1:00:00");
    EXPECT_EQ(clock_text(27.705), "0:00:28");
    EXPECT_EQ(span_text(12.14), "12.1s");
    EXPECT_EQ(span_text(312), "5m12s");
    EXPECT_EQ(span_text(3720), "1h02m");
}

} // namespace
} // namespace callscribe::cli
