// No log line holds a secret. ctest runs this once every other test has finished
// (`secrets_in_logs`, tests/CMakeLists.txt), over every line those tests' logs and `callscribe`
// processes wrote (support/log_archive.hpp), looking for each secret the tests configure:
// Twilio auth tokens and API secrets, webhook keys (raw and as whsec_…), API tokens, OpenAI
// keys and database passwords. Every test group of tests/CMakeLists.txt keeps its lines, the
// PostgreSQL ones included.
#include "core/base64.hpp"
#include "fakes/scripted_twilio.hpp"
#include "sandbox/sandbox_server.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace callscribe {
namespace {

std::vector<std::string> configured_secrets() {
    std::vector<std::string> secrets = {
        fakes::k_token,
        std::string(sandbox::k_default_auth_token),
        "twilio-auth-token-for-tests",
        "s3cr3t-value-that-must-not-leak",
        "apisecret-value",
        "s3cret-api-token",
        "sk-test-4f9a",
        "sk-env-55e2",
        "sk-wrong-7c1d",
        "whsec_TWZLUTlyOEdLWXFyVHdqVVBEOElMUFpJbzJMYUxhU3c=",
        "s3cret-pw", // PostgreSQL passwords in the store tests' URLs
    };
    for (const std::string key :
         {"callscribe-test-webhook-key", "callscribe-serve-test-webhook-key",
          "callscribe-chaos-webhook-key", "callscribe-scale-out-webhook-key"}) {
        secrets.push_back(key);
        secrets.push_back("whsec_" + encode_base64(key));
    }
    return secrets;
}

TEST(SecretsInLogs, NoLineTheSuiteLoggedHoldsASecret) {
    const char* archive = std::getenv("CALLSCRIBE_TEST_LOG_ARCHIVE");
    if (std::getenv("CALLSCRIBE_SECRET_SCAN") == nullptr || archive == nullptr)
        GTEST_SKIP() << "runs after all other tests, as ctest's secrets_in_logs";
    const auto secrets = configured_secrets();
    std::size_t lines = 0;
    for (const auto& entry : std::filesystem::directory_iterator(archive)) {
        std::ifstream in(entry.path());
        std::string line;
        for (std::size_t number = 1; std::getline(in, line); ++number, ++lines) {
            for (const auto& secret : secrets) {
                EXPECT_EQ(line.find(secret), std::string::npos)
                    << entry.path().filename().string() << ':' << number << " holds \"" << secret
                    << "\": " << line;
            }
        }
    }
    EXPECT_GT(lines, 0u) << "nothing was logged to " << archive;
    std::printf("secrets: %zu log lines scanned for %zu secrets\n", lines, secrets.size());
}

} // namespace
} // namespace callscribe
