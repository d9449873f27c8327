#include "support/log_archive.hpp"

#include "core/log.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>

namespace callscribe::test_support {
namespace {

std::filesystem::path archive_folder() {
    const char* folder = std::getenv("CALLSCRIBE_TEST_LOG_ARCHIVE");
    return folder != nullptr ? folder : "";
}

std::filesystem::path archive_file(std::string_view kind) {
    return archive_folder() / (std::string(kind) + "-" + std::to_string(::getpid()) + ".log");
}

// Adds the archive to the in-process logger before the first test runs.
class ArchiveLogger final : public ::testing::Environment {
  public:
    void SetUp() override {
        if (archive_folder().empty()) return;
        std::filesystem::create_directories(archive_folder());
        log().sinks().push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(
            archive_file("in-process").string()));
    }
};

[[maybe_unused]] const auto* const k_registered =
    ::testing::AddGlobalTestEnvironment(new ArchiveLogger);

} // namespace

void archive_output(std::string_view origin, std::string_view text) {
    if (archive_folder().empty() || text.empty()) return;
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    std::filesystem::create_directories(archive_folder());
    std::ofstream(archive_file("processes"), std::ios::app)
        << "--- " << origin << '\n'
        << text << (text.ends_with('\n') ? "" : "\n");
}

} // namespace callscribe::test_support
