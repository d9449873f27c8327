#include "cli/progress_bar.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

namespace callscribe::cli {
namespace {

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

TEST(ProgressBar, RedrawsOneLineWithFilesAndFraction) {
    std::unique_ptr<std::FILE, FileClose> out(std::tmpfile());
    {
        ProgressBar bar(true, 4, out.get());
        bar.audio(30, 60, "call-0001.mp3"); // half of the first of four files
        bar.file_done();
    }
    std::string text = contents(out.get());
    EXPECT_NE(text.find("\r\033[K["), std::string::npos);
    EXPECT_NE(text.find(" 12%  0/4 files  call-0001.mp3"), std::string::npos) << text;
    EXPECT_NE(text.find(" 25%  1/4 files"), std::string::npos) << text;
    EXPECT_TRUE(text.ends_with("\r\033[K")) << "the destructor clears the line";
    EXPECT_EQ(text.find('\n'), std::string::npos) << "never scrolls";
}

TEST(ProgressBar, DisabledPrintsNothing) {
    std::unique_ptr<std::FILE, FileClose> out(std::tmpfile());
    {
        ProgressBar bar(false, 2, out.get());
        bar.audio(1, 2, "a.mp3");
        bar.file_done();
        bar.clear();
    }
    EXPECT_EQ(contents(out.get()), "");
}

} // namespace
} // namespace callscribe::cli
