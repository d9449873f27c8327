#include "net/curl/curl_http_client.hpp"
#include "support/temp_dir.hpp"

#include "fakes/fake_http_server.hpp"
#include "fakes/multipart.hpp"
#include "support/time_factor.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <random>

namespace callscribe::net::curl {
namespace {

using fakes::FakeHttpServer;
using fakes::FakeRequest;
using fakes::FakeResponse;
using ::testing::HasSubstr;
using ::testing::Not;

struct MemorySink final : ByteSink {
    std::string bytes;
    int chunks = 0;
    Result<void> write(std::span<const char> data) override {
        bytes.append(data.data(), data.size());
        ++chunks;
        return {};
    }
};

std::string random_bytes(std::size_t size, unsigned seed) {
    std::mt19937 random(seed);
    std::string bytes(size, '\0');
    for (auto& byte : bytes)
        byte = static_cast<char>(random() & 0xff);
    return bytes;
}

class TempFile {
  public:
    explicit TempFile(const std::string& contents, const std::string& name = "upload.bin")
        : m_path(m_dir / name) {
        test_support::write_file(m_path, contents);
    }
    const std::filesystem::path& path() const { return m_path; }

  private:
    test_support::TempDir m_dir;
    std::filesystem::path m_path;
};

class CurlHttpClientTest : public ::testing::Test {
  protected:
    CurlHttpClient m_client;
};

TEST_F(CurlHttpClientTest, GetReturnsStatusLowerCasedHeadersAndBody) {
    FakeHttpServer server([](const FakeRequest& request) {
        FakeResponse response = FakeResponse::text(200, "hello " + request.target);
        response.headers.emplace_back("X-Custom-Thing", "Yes");
        return response;
    });
    auto response = m_client.send({.url = server.url("/greet?name=x")});
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "hello /greet?name=x");
    EXPECT_EQ(response->header("x-custom-thing"), "Yes");
    EXPECT_THAT(response->headers,
                ::testing::Contains(std::pair<std::string, std::string>("x-custom-thing", "Yes")));
    EXPECT_EQ(response->effective_url, server.url("/greet?name=x"));
    ASSERT_EQ(server.request_count(), 1u);
    EXPECT_EQ(server.requests()[0].method, "GET");
}

TEST_F(CurlHttpClientTest, PostSendsBodyAndHeaders) {
    FakeHttpServer server(
        [](const FakeRequest&) { return FakeResponse::json(201, R"({"ok":true})"); });
    HttpRequest request{.method = "POST",
                        .url = server.url("/items"),
                        .headers = {{"Content-Type", "application/json"}, {"X-Trace", "abc"}},
                        .body = R"({"name":"call"})"};
    auto response = m_client.send(request);
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 201);
    EXPECT_EQ(response->body, R"({"ok":true})");
    const auto received = server.requests().at(0);
    EXPECT_EQ(received.method, "POST");
    EXPECT_EQ(received.target, "/items");
    EXPECT_EQ(received.body, R"({"name":"call"})");
    EXPECT_EQ(received.header("content-type"), "application/json");
    EXPECT_EQ(received.header("x-trace"), "abc");
    EXPECT_EQ(received.header("authorization"), std::nullopt);
}

TEST_F(CurlHttpClientTest, NotFoundIsAResponseNotAnError) {
    FakeHttpServer server(
        [](const FakeRequest&) { return FakeResponse::text(404, "nothing here"); });
    auto response = m_client.send({.url = server.url("/missing")});
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 404);
    EXPECT_EQ(response->body, "nothing here");
}

TEST_F(CurlHttpClientTest, DownloadStreamsSuccessfulBodyToSink) {
    const std::string payload = random_bytes(3 * 1024 * 1024 + 17, 1);
    FakeHttpServer server([&](const FakeRequest&) {
        return FakeResponse{200, {{"Content-Type", "audio/mpeg"}}, payload};
    });
    MemorySink sink;
    auto response = m_client.download({.url = server.url("/media.mp3")}, sink);
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->header("content-type"), "audio/mpeg");
    EXPECT_TRUE(response->body.empty());
    EXPECT_EQ(sink.bytes.size(), payload.size());
    EXPECT_TRUE(sink.bytes == payload);
    EXPECT_GT(sink.chunks, 1);
}

TEST_F(CurlHttpClientTest, DownloadKeepsErrorBodyInResponseCapped) {
    const std::string huge(200 * 1024, 'e');
    FakeHttpServer server([&](const FakeRequest&) { return FakeResponse::text(500, huge); });
    MemorySink sink;
    auto response = m_client.download({.url = server.url("/media")}, sink);
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 500);
    EXPECT_TRUE(sink.bytes.empty());
    EXPECT_EQ(response->body.size(), CurlHttpClient::k_error_body_limit);
}

TEST_F(CurlHttpClientTest, SinkErrorStopsTheDownloadAndIsReturned) {
    struct FullDisk final : ByteSink {
        Result<void> write(std::span<const char>) override { return fail("disk full: /tmp/x"); }
    } sink;
    FakeHttpServer server([](const FakeRequest&) { return FakeResponse::text(200, "data"); });
    auto response = m_client.download({.url = server.url("/media")}, sink);
    ASSERT_FALSE(response);
    EXPECT_EQ(response.error().message, "disk full: /tmp/x");
    EXPECT_FALSE(response.error().retryable);
}

TEST_F(CurlHttpClientTest, AStalledBodyEndsAfterTheStallTimeoutAsARetryableError) {
    FakeHttpServer server([](const FakeRequest&) {
        FakeResponse r = FakeResponse::text(200, std::string(4096, 'a'));
        r.cut_body_at = 100;
        r.cut_pause = std::chrono::seconds(30);
        return r;
    });
    MemorySink sink;
    auto response = m_client.download(
        {.url = server.url("/media"), .timeout = Seconds{30}, .stall_timeout = Seconds{1}}, sink);
    ASSERT_FALSE(response);
    EXPECT_TRUE(response.error().retryable);
    EXPECT_EQ(response.error().message, "no data for 1s, gave up: " + server.url("/media"));
    EXPECT_EQ(sink.bytes.size(), 100u);
}

TEST_F(CurlHttpClientTest, ATruncatedBodyIsARetryableError) {
    FakeHttpServer server([](const FakeRequest&) {
        FakeResponse r = FakeResponse::text(200, std::string(4096, 'a'));
        r.cut_body_at = 1000;
        return r;
    });
    MemorySink sink;
    auto response = m_client.download({.url = server.url("/media")}, sink);
    ASSERT_FALSE(response);
    EXPECT_TRUE(response.error().retryable) << response.error().message;
}

TEST_F(CurlHttpClientTest, MultipartUploadStreamsFileAndFields) {
    const std::string audio = random_bytes(3 * 1024 * 1024 + 5, 2);
    TempFile file(audio, "call.mp3");
    FakeHttpServer server([](const FakeRequest&) { return FakeResponse::json(200, "{}"); });
    HttpRequest request{.method = "POST", .url = server.url("/upload")};
    request.form = {FormPart{.name = "model", .value = "whisper-1"},
                    FormPart{.name = "file", .file = file.path(), .content_type = "audio/mpeg"},
                    FormPart{.name = "tag", .value = "a"}, FormPart{.name = "tag", .value = "b"}};
    auto response = m_client.send(request);
    ASSERT_TRUE(response) << response.error().message;
    ASSERT_EQ(response->status, 200);

    const auto received = server.requests().at(0);
    EXPECT_EQ(received.method, "POST");
    const auto parts =
        fakes::parse_multipart(received.header("content-type").value_or(""), received.body);
    ASSERT_TRUE(parts) << "not multipart: " << received.header("content-type").value_or("(none)");
    ASSERT_EQ(parts->size(), 4u);
    const auto* model = fakes::find_part(*parts, "model");
    ASSERT_NE(model, nullptr);
    EXPECT_EQ(model->data, "whisper-1");
    EXPECT_EQ(model->filename, std::nullopt);
    const auto* uploaded = fakes::find_part(*parts, "file");
    ASSERT_NE(uploaded, nullptr);
    EXPECT_EQ(uploaded->filename, "call.mp3");
    EXPECT_EQ(uploaded->content_type, "audio/mpeg");
    EXPECT_EQ(uploaded->data.size(), audio.size());
    EXPECT_TRUE(uploaded->data == audio);
    EXPECT_EQ((*parts)[2].data, "a");
    EXPECT_EQ((*parts)[3].data, "b");
}

TEST_F(CurlHttpClientTest, MissingUploadFileIsANonRetryableError) {
    FakeHttpServer server;
    HttpRequest request{.method = "POST", .url = server.url("/upload")};
    request.form = {FormPart{.name = "file", .file = "/nonexistent/dir/call.mp3"}};
    auto response = m_client.send(request);
    ASSERT_FALSE(response);
    EXPECT_FALSE(response.error().retryable);
    EXPECT_THAT(response.error().message, HasSubstr("/nonexistent/dir/call.mp3"));
    EXPECT_EQ(server.request_count(), 0u);
}

TEST_F(CurlHttpClientTest, BasicAuthIsSentToTheRequestsHost) {
    FakeHttpServer server([](const FakeRequest&) { return FakeResponse::text(200, "ok"); });
    HttpRequest request{.url = server.url("/private")};
    request.basic_auth = BasicAuth{"AC123", Secret{"s3cret"}};
    auto response = m_client.send(request);
    ASSERT_TRUE(response) << response.error().message;
    // base64("AC123:s3cret")
    EXPECT_EQ(server.requests().at(0).header("authorization"), "Basic QUMxMjM6czNjcmV0");
}

TEST_F(CurlHttpClientTest, BearerTokenIsSentToTheRequestsHost) {
    FakeHttpServer server([](const FakeRequest&) { return FakeResponse::text(200, "ok"); });
    HttpRequest request{.url = server.url("/private")};
    request.bearer_token = Secret{"sk-test"};
    ASSERT_TRUE(m_client.send(request));
    EXPECT_EQ(server.requests().at(0).header("authorization"), "Bearer sk-test");
}

TEST_F(CurlHttpClientTest, RedirectOnTheSameOriginKeepsCredentials) {
    FakeHttpServer server([](const FakeRequest& request) {
        if (request.path() == "/old") return FakeResponse::redirect(302, "/new");
        return FakeResponse::text(200, "moved here");
    });
    HttpRequest request{.url = server.url("/old")};
    request.basic_auth = BasicAuth{"AC123", Secret{"s3cret"}};
    auto response = m_client.send(request);
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "moved here");
    EXPECT_EQ(response->effective_url, server.url("/new"));
    const auto received = server.requests();
    ASSERT_EQ(received.size(), 2u);
    EXPECT_EQ(received[1].header("authorization"), "Basic QUMxMjM6czNjcmV0");
}

TEST_F(CurlHttpClientTest, RedirectToAnotherOriginDropsEveryCredential) {
    FakeHttpServer elsewhere([](const FakeRequest&) { return FakeResponse::text(200, "cdn"); });
    FakeHttpServer origin(
        [&](const FakeRequest&) { return FakeResponse::redirect(307, elsewhere.url("/media")); });

    for (int variant = 0; variant < 3; ++variant) {
        HttpRequest request{.url = origin.url("/Recordings/RE1")};
        if (variant == 0) request.basic_auth = BasicAuth{"AC123", Secret{"s3cret"}};
        if (variant == 1) request.bearer_token = Secret{"sk-test"};
        if (variant == 2) request.headers = {{"Authorization", "Token abc"}};
        auto response = m_client.send(request);
        ASSERT_TRUE(response) << response.error().message;
        EXPECT_EQ(response->body, "cdn");
        EXPECT_EQ(response->effective_url, elsewhere.url("/media"));
        EXPECT_TRUE(origin.requests().back().header("authorization").has_value()) << variant;
        EXPECT_EQ(elsewhere.requests().back().header("authorization"), std::nullopt) << variant;
    }
    EXPECT_EQ(elsewhere.request_count(), 3u);
}

TEST_F(CurlHttpClientTest, RedirectIsReturnedWhenNotFollowing) {
    FakeHttpServer server([](const FakeRequest&) { return FakeResponse::redirect(302, "/new"); });
    auto response = m_client.send({.url = server.url("/old"), .follow_redirects = false});
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 302);
    EXPECT_EQ(response->header("location"), "/new");
    EXPECT_EQ(server.request_count(), 1u);
}

TEST_F(CurlHttpClientTest, SeeOtherAfterPostContinuesWithGetWithoutBody) {
    FakeHttpServer server([](const FakeRequest& request) {
        if (request.path() == "/submit") return FakeResponse::redirect(303, "/result");
        return FakeResponse::text(200, request.method + ":" + request.body);
    });
    auto response = m_client.send({.method = "POST", .url = server.url("/submit"), .body = "x=1"});
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->body, "GET:");
}

// A loop may be a CDN's passing misconfiguration: the caller tries again later.
TEST_F(CurlHttpClientTest, EndlessRedirectsAreARetryableError) {
    FakeHttpServer server([](const FakeRequest&) { return FakeResponse::redirect(302, "/loop"); });
    auto response = m_client.send({.url = server.url("/loop")});
    ASSERT_FALSE(response);
    EXPECT_TRUE(response.error().retryable);
    EXPECT_THAT(response.error().message, HasSubstr("redirects"));
    EXPECT_EQ(server.request_count(), CurlHttpClient::k_max_redirects + 1u);
}

TEST_F(CurlHttpClientTest, TimeoutIsARetryableErrorNamingTheUrlWithoutSecrets) {
    FakeHttpServer server([](const FakeRequest&) {
        FakeResponse slow = FakeResponse::text(200, "too late");
        slow.delay = std::chrono::milliseconds(5000) * test_support::time_factor();
        return slow;
    });
    HttpRequest request{.url = server.url("/slow?token=hunter2"), .timeout = Seconds{0.2}};
    const auto started = std::chrono::steady_clock::now();
    auto response = m_client.send(request);
    const auto took = std::chrono::steady_clock::now() - started;
    ASSERT_FALSE(response);
    EXPECT_TRUE(response.error().retryable);
    EXPECT_EQ(response.error().message, "timed out after 0.2s: " + server.url("/slow"));
    EXPECT_THAT(response.error().message, Not(HasSubstr("hunter2")));
    EXPECT_LT(took, std::chrono::milliseconds(900) * test_support::time_factor());
}

TEST_F(CurlHttpClientTest, ConnectionRefusedIsARetryableErrorNamingTheUrl) {
    const std::string url = "http://127.0.0.1:" + std::to_string(fakes::closed_port()) + "/x";
    HttpRequest request{.url = url};
    request.basic_auth = BasicAuth{"AC123", Secret{"s3cret"}};
    auto response = m_client.send(request);
    ASSERT_FALSE(response);
    EXPECT_TRUE(response.error().retryable);
    EXPECT_THAT(response.error().message, HasSubstr(url));
    EXPECT_THAT(response.error().message, Not(HasSubstr("s3cret")));
    EXPECT_EQ(response.error().message.find('\n'), std::string::npos);
}

TEST_F(CurlHttpClientTest, ConnectionClosedWithoutAnswerIsARetryableError) {
    FakeHttpServer server([](const FakeRequest&) {
        FakeResponse hang_up;
        hang_up.close_without_answer = true;
        return hang_up;
    });
    auto response = m_client.send({.url = server.url("/x")});
    ASSERT_FALSE(response);
    EXPECT_TRUE(response.error().retryable);
    EXPECT_THAT(response.error().message, HasSubstr(server.url("/x")));
}

TEST_F(CurlHttpClientTest, NonHttpUrlIsANonRetryableError) {
    auto response = m_client.send({.url = "file:///etc/passwd"});
    ASSERT_FALSE(response);
    EXPECT_FALSE(response.error().retryable);
}

} // namespace
} // namespace callscribe::net::curl
