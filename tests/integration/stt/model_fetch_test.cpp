// `models fetch` underneath: fetch_model() over real HTTP (curl) from a test server on 127.0.0.1
// that serves a generated model file, with Range support, cuts, wrong bytes and 404s.

#include "fakes/fake_http_server.hpp"
#include "net/curl/curl_http_client.hpp"
#include "stt/whisper/model_fetch.hpp"
#include "stt/whisper/model_file.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace callscribe::stt::whisper {
namespace {

using fakes::FakeRequest;
using fakes::FakeResponse;
using test_support::TempDir;

// Serves `bytes` at /ggml-test.bin, honouring "Range: bytes=N-" with a 206.
FakeResponse serve(const FakeRequest& request, const std::string& bytes) {
    if (request.path() != "/ggml-test.bin") return FakeResponse::text(404, "Entry not found");
    FakeResponse response{200, {{"Content-Type", "application/octet-stream"}}, bytes};
    if (auto range = request.header("range")) {
        const std::size_t from = std::stoul(range->substr(range->find('=') + 1));
        response.status = 206;
        response.body = bytes.substr(from);
        response.headers.emplace_back(
            "Content-Range", fmt::format("bytes {}-{}/{}", from, bytes.size() - 1, bytes.size()));
    }
    return response;
}

class ModelFetchTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(write_test_model(m_source / "model.bin"));
        m_bytes = test_support::read_file(m_source / "model.bin");
        auto sha = sha256_of_file(m_source / "model.bin");
        ASSERT_TRUE(sha);
        m_sha = *sha;
    }
    KnownModel known() const { return {"test", m_bytes.size(), m_sha, "tests"}; }
    std::filesystem::path target() const { return m_dir.path() / "ggml-test.bin"; }
    std::filesystem::path part() const { return m_dir.path() / "ggml-test.bin.part"; }

    TempDir m_source, m_dir;
    std::string m_bytes, m_sha;
    net::curl::CurlHttpClient m_http;
};

TEST_F(ModelFetchTest, AGoodDownloadIsVerifiedAndRenamedIntoPlace) {
    fakes::FakeHttpServer server([&](const FakeRequest& r) { return serve(r, m_bytes); });
    std::uint64_t last = 0, total = 0;
    auto result = fetch_model(known(), server.url(""), m_dir.path(), m_http,
                              [&](std::uint64_t done, std::uint64_t of) {
                                  EXPECT_GE(done, last);
                                  last = done;
                                  total = of;
                              });
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->file, target());
    EXPECT_EQ(result->downloaded, m_bytes.size());
    EXPECT_EQ(last, m_bytes.size());
    EXPECT_EQ(total, m_bytes.size());
    EXPECT_EQ(test_support::read_file(target()), m_bytes);
    EXPECT_FALSE(std::filesystem::exists(part()));
    EXPECT_TRUE(inspect_model_file(target()));
}

TEST_F(ModelFetchTest, AFileThatIsThereAndGoodIsNotDownloadedAgain) {
    fakes::FakeHttpServer server([&](const FakeRequest& r) { return serve(r, m_bytes); });
    ASSERT_TRUE(fetch_model(known(), server.url(""), m_dir.path(), m_http));
    auto again = fetch_model(known(), server.url(""), m_dir.path(), m_http);
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->already_there);
    EXPECT_EQ(server.request_count(), 1u);
}

TEST_F(ModelFetchTest, ADownloadCutInTheMiddleKeepsItsPartAndResumesWithARange) {
    fakes::FakeHttpServer server([&](const FakeRequest& r) {
        FakeResponse response = serve(r, m_bytes);
        if (!r.header("range")) response.cut_body_at = m_bytes.size() / 3;
        return response;
    });
    auto first = fetch_model(known(), server.url(""), m_dir.path(), m_http);
    ASSERT_FALSE(first);
    EXPECT_NE(first.error().message.find("run the same command again to resume"), std::string::npos)
        << first.error().message;
    ASSERT_TRUE(std::filesystem::exists(part()));
    const auto kept = std::filesystem::file_size(part());
    EXPECT_GT(kept, 0u);
    EXPECT_FALSE(std::filesystem::exists(target()));

    auto second = fetch_model(known(), server.url(""), m_dir.path(), m_http);
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_EQ(second->resumed_from, kept);
    EXPECT_EQ(second->downloaded, m_bytes.size() - kept);
    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[1].header("range"), fmt::format("bytes={}-", kept));
    EXPECT_EQ(test_support::read_file(target()), m_bytes);
}

TEST_F(ModelFetchTest, AServerThatIgnoresTheRangeStartsItOver) {
    test_support::write_file(part(), m_bytes.substr(0, 1000));
    fakes::FakeHttpServer server([&](const FakeRequest& r) {
        return FakeResponse{200, {}, r.path() == "/ggml-test.bin" ? m_bytes : ""};
    });
    auto result = fetch_model(known(), server.url(""), m_dir.path(), m_http);
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(test_support::read_file(target()), m_bytes);
}

TEST_F(ModelFetchTest, AWrongChecksumIsRefusedAndNothingIsLeftBehind) {
    std::string wrong = m_bytes;
    wrong[wrong.size() / 2] ^= 0x55;
    fakes::FakeHttpServer server([&](const FakeRequest& r) { return serve(r, wrong); });
    auto result = fetch_model(known(), server.url(""), m_dir.path(), m_http);
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("does not match"), std::string::npos)
        << result.error().message;
    EXPECT_NE(result.error().message.find(m_sha), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(target()));
    EXPECT_FALSE(std::filesystem::exists(part()));
}

TEST_F(ModelFetchTest, A404NamesTheUrl) {
    fakes::FakeHttpServer server;
    auto result = fetch_model(known(), server.url("/models"), m_dir.path(), m_http);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().message, server.url("/models/ggml-test.bin") + " answered 404");
    EXPECT_FALSE(std::filesystem::exists(target()));
}

TEST_F(ModelFetchTest, ANamedModelFileIsCheckedByItsSha256) {
    auto sha = sha256_of_file(m_source / "model.bin");
    ASSERT_TRUE(sha);
    EXPECT_EQ(sha->size(), 64u);
    auto missing = sha256_of_file(m_source / "nope.bin");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("nope.bin"), std::string::npos);
}

} // namespace
} // namespace callscribe::stt::whisper
