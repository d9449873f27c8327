#include "audio/decoder.hpp"
#include "net/curl/curl_http_client.hpp"
#include "support/command.hpp"
#include "support/temp_dir.hpp"
#include "twilio/recording.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>

namespace callscribe {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using test_support::BackgroundCommand;

const std::string k_demo_call = std::string(CALLSCRIBE_SOURCE_DIR) + "/samples/demo-call.mp3";

// "NAME=value" from the sandbox's first line.
std::string field(const std::string& line, const std::string& name) {
    std::smatch match;
    if (!std::regex_search(line, match, std::regex(name + "=(\\S+)"))) return {};
    return match[1];
}

TEST(SandboxCli, ServesARecordingAndStopsOnSigterm) {
    BackgroundCommand sandbox({"sandbox", "--listen", "127.0.0.1:0"});
    ASSERT_TRUE(sandbox.running());
    const auto line = sandbox.read_line(30s);
    ASSERT_TRUE(line) << sandbox.stop().err;
    const std::string base = field(*line, "TWILIO_API_BASE");
    const std::string account = field(*line, "TWILIO_ACCOUNT_SID");
    const Secret token(field(*line, "TWILIO_AUTH_TOKEN"));
    ASSERT_TRUE(std::regex_match(base, std::regex(R"(http://127\.0\.0\.1:\d+)"))) << *line;
    ASSERT_TRUE(AccountSid::parse(account)) << *line;
    ASSERT_FALSE(token.empty());

    net::curl::CurlHttpClient client;
    auto created = client.send({.method = "POST",
                                .url = base + "/sandbox/calls",
                                .body = json{{"audio", k_demo_call}}.dump()});
    ASSERT_TRUE(created) << created.error().message;
    ASSERT_EQ(created->status, 201) << created->body;
    const json call = json::parse(created->body);

    const net::BasicAuth auth{account, token};
    auto metadata = client.send({.url = base + "/2010-04-01/Accounts/" + account + "/Recordings/" +
                                        call["recording_sid"].get<std::string>() + ".json",
                                 .basic_auth = auth});
    ASSERT_TRUE(metadata);
    ASSERT_EQ(metadata->status, 200) << metadata->body;
    auto recording = twilio::parse_recording(metadata->body);
    ASSERT_TRUE(recording) << recording.error().message;
    EXPECT_EQ(twilio::readiness(*recording), twilio::Readiness::ready);
    EXPECT_EQ(recording->channels, 2);

    auto media =
        client.send({.url = twilio::media_url(base, *recording) + ".mp3", .basic_auth = auth});
    ASSERT_TRUE(media);
    ASSERT_EQ(media->status, 200);
    EXPECT_EQ(media->header("content-type"), "audio/mpeg");
    test_support::TempDir dir;
    test_support::write_file(dir / "call.mp3", media->body);
    auto decoder = audio::open_decoder(dir / "call.mp3");
    ASSERT_TRUE(decoder) << decoder.error().message;
    EXPECT_EQ((*decoder)->info().channels, 2);

    const auto stopped = sandbox.stop();
    EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
}

TEST(SandboxCli, BadListenAddressIsAUsageError) {
    auto r = test_support::run_callscribe({"sandbox", "--listen", "127.0.0.1"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--listen"), std::string::npos) << r.err;
}

} // namespace
} // namespace callscribe
