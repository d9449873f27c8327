// The layout rules of docs/ARCHITECTURE.md, checked on the source tree: C libraries are reached
// through their one adapter, and library code reads time through the injected Clock (tests
// then control it), not from the system clocks.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace callscribe {
namespace {

namespace fs = std::filesystem;

// Every source file under src/, as a path relative to src/ and its text; read once.
const std::map<std::string, std::string>& sources() {
    static const std::map<std::string, std::string> files = [] {
        std::map<std::string, std::string> read;
        const fs::path root = fs::path(CALLSCRIBE_SOURCE_DIR) / "src";
        for (const auto& entry : fs::recursive_directory_iterator(root)) {
            const auto extension = entry.path().extension();
            if (!entry.is_regular_file() || (extension != ".cpp" && extension != ".hpp")) continue;
            std::ifstream in(entry.path());
            std::stringstream text;
            text << in.rdbuf();
            read[fs::relative(entry.path(), root).string()] = text.str();
        }
        return read;
    }();
    return files;
}

bool under_any(const std::string& file, const std::vector<std::string>& places) {
    for (const auto& place : places) {
        if (file == place || (place.ends_with("/") && file.starts_with(place))) return true;
    }
    return false;
}

// Whether a line of `text` that contains `literal` matches `pattern`. The regex reads only those
// lines: std::regex over whole files takes seconds (tens of seconds under the sanitizers).
bool has_line(const std::string& text, std::string_view literal, const std::regex& pattern) {
    for (auto at = text.find(literal); at != std::string::npos;
         at = text.find(literal, at + literal.size())) {
        const auto begin = text.rfind('\n', at);
        const auto line_begin = begin == std::string::npos ? 0 : begin + 1;
        const auto line_end = std::min(text.find('\n', at), text.size());
        const auto line_first = text.begin() + static_cast<std::ptrdiff_t>(line_begin);
        const auto line_last = text.begin() + static_cast<std::ptrdiff_t>(line_end);
        if (std::regex_search(line_first, line_last, pattern)) return true;
    }
    return false;
}

// The files outside `allowed` (folders end with '/') with a line that contains `literal` and
// matches `pattern`.
std::vector<std::string> offenders(std::string_view literal, const std::regex& pattern,
                                   const std::vector<std::string>& allowed) {
    std::vector<std::string> found;
    for (const auto& [file, text] : sources()) {
        if (!under_any(file, allowed) && has_line(text, literal, pattern)) found.push_back(file);
    }
    return found;
}

TEST(SourceLayout, TheTreeIsThere) {
    const auto files = sources();
    EXPECT_GT(files.size(), 100u);
    EXPECT_TRUE(files.contains("core/clock.hpp"));
}

TEST(SourceLayout, EachCLibraryIsIncludedOnlyByItsAdapter) {
    const std::map<std::string, std::vector<std::string>> adapters{
        {"curl/curl\\.h", {"net/curl/"}},
        {"sqlite3\\.h", {"store/sqlite/"}},
        {"libpq-fe\\.h", {"store/postgres/"}},
        {"pocketsphinx\\.h", {"stt/pocketsphinx/"}},
        {"(whisper|ggml)\\.h", {"stt/whisper/"}},
        {"mpg123\\.h", {"audio/mpg123/"}},
        {"sndfile\\.h", {"audio/sndfile/"}},
        {"soxr\\.h", {"audio/resampler.cpp"}},
        {"boost/beast", {"net/server/", "net/websocket/"}},
        {"lib(avformat|avcodec|avutil|swresample)/", {"audio/ffmpeg/"}},
    };
    for (const auto& [header, allowed] : adapters) {
        EXPECT_EQ(offenders("#include <", std::regex("#include <" + header), allowed),
                  std::vector<std::string>{})
            << header;
    }
}

TEST(SourceLayout, LibraryCodeReadsTimeThroughTheInjectedClock) {
    // Allowed: the clock itself; the adapters, whose timeouts are the operating system's; the
    // command line (the composition root, and its progress display); the Twilio emulator, a
    // program of its own. Stopwatch (core/clock.hpp) is the way to time something for a log line.
    const std::vector<std::string> allowed{
        "core/clock.hpp", "net/curl/",         "net/server/", "store/sqlite/", "store/postgres/",
        "stt/whisper/",   "stt/pocketsphinx/", "stt/openai/", "audio/mpg123/", "audio/sndfile/",
        "cli/",           "sandbox/"};
    EXPECT_EQ(offenders("::now",
                        std::regex("(system_clock|steady_clock|high_resolution_clock)::now"),
                        allowed),
              std::vector<std::string>{});
    // Sleeping is waiting: library code reschedules instead.
    EXPECT_EQ(offenders("sleep_", std::regex("this_thread::sleep_(for|until)"), allowed),
              std::vector<std::string>{});
}

} // namespace
} // namespace callscribe
