// docs/logs.md is the contract of the lines operators grep for: each [OFFLINE_STT] line of
// jobs/pipeline_log.cpp and each [WEBHOOK] line of webhook/webhook_log.cpp is in it, with its
// wording up to the first value ("[OFFLINE_STT] Recording fetched: " of
// "[OFFLINE_STT] Recording fetched: {}, duration={}s").
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

namespace callscribe {
namespace {

const std::filesystem::path k_source = CALLSCRIBE_SOURCE_DIR;

using test_support::read_file;

// The first string literal of each log().level(…) call, up to its first "{}".
std::vector<std::string> logged_prefixes(const std::string& source) {
    static const std::regex call(R"re(log\(\)\.\w+\(\s*"((?:[^"\\]|\\.)*)")re");
    std::vector<std::string> prefixes;
    for (std::sregex_iterator it(source.begin(), source.end(), call), end; it != end; ++it) {
        const std::string literal = (*it)[1];
        prefixes.push_back(literal.substr(0, literal.find("{}")));
    }
    return prefixes;
}

TEST(LogDocument, ListsEveryPipelineAndWebhookLine) {
    const std::string document = read_file(k_source / "docs/logs.md");
    ASSERT_FALSE(document.empty()) << "docs/logs.md is missing";
    for (const auto* file : {"src/jobs/pipeline_log.cpp", "src/webhook/webhook_log.cpp"}) {
        const auto prefixes = logged_prefixes(read_file(k_source / file));
        EXPECT_GE(prefixes.size(), 8u) << file;
        for (const auto& prefix : prefixes)
            EXPECT_NE(document.find("`" + prefix), std::string::npos)
                << "\"" << prefix << "…\" (" << file << ") is not in docs/logs.md";
    }
}

} // namespace
} // namespace callscribe
