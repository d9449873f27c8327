// `callscribe serve` on a bad day: a Twilio that answers slowly, a damaged database, a full
// descriptor table, health checkers that ask with HEAD. The service runs as its own process.
// The faults' rows go into docs/reliability.md's fault matrix (scripts/reliability.sh runs
// every FaultMatrix* test).
#include "fakes/fake_http_server.hpp"
#include "fakes/scripted_twilio.hpp"
#include "net/curl/curl_http_client.hpp"
#include "net/url_encoding.hpp"
#include "support/command.hpp"
#include "support/damaged_database.hpp"
#include "support/fault_row.hpp"
#include "support/finished_call.hpp"
#include "support/loopback.hpp"
#include "support/temp_dir.hpp"
#include "support/time_factor.hpp"
#include "twilio/signature.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <future>
#include <thread>

namespace callscribe {
namespace {

using fakes::FakeHttpServer;
using fakes::FakeRequest;
using fakes::FakeResponse;
using test_support::BackgroundCommand;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr std::string_view k_ready_line = "callscribe serving on ";
using fakes::k_account;

constexpr std::chrono::seconds k_twilio_delay{5};

CallSid call_sid(int n) {
    return CallSid::parse(fmt::format("CA{:032x}", n)).value();
}
RecordingSid recording_sid(int n) {
    return RecordingSid::parse(fmt::format("RE{:032x}", n)).value();
}

class FaultMatrixServe : public ::testing::Test {
  protected:
    ~FaultMatrixServe() override {
        for (const int fd : m_sockets)
            ::close(fd);
    }

    std::map<std::string, std::string> env() const {
        return {{"TWILIO_ACCOUNT_SID", k_account},
                {"TWILIO_AUTH_TOKEN", fakes::k_token},
                {"TWILIO_API_BASE", m_twilio.url("/")},
                {"CALLSCRIBE_LISTEN", "127.0.0.1:0"},
                {"CALLSCRIBE_DATA_DIR", m_dir.path().string()},
                {"CALLSCRIBE_WORKERS", "1"}};
    }

    // Starts `serve`; false (with the reason added to the test) when it did not come up.
    bool start(std::map<std::string, std::string> extra = {}) {
        auto settings = env();
        for (auto& [name, value] : extra)
            settings[name] = value;
        m_service =
            std::make_unique<BackgroundCommand>(std::vector<std::string>{"serve"}, settings);
        const auto line = m_service->read_line(60s);
        if (!line || !line->starts_with(k_ready_line)) {
            ADD_FAILURE() << "serve did not start: " << m_service->stop().err;
            return false;
        }
        m_url = line->substr(k_ready_line.size());
        m_port = static_cast<std::uint16_t>(std::stoi(m_url.substr(m_url.rfind(':') + 1)));
        return true;
    }

    // Calls whose jobs ended without a recording on disk (as on a machine that is not the
    // worker's): their downloads go to Twilio.
    void add_finished_calls(const std::vector<std::pair<CallSid, RecordingSid>>& calls) {
        for (const auto& [call, recording] : calls)
            test_support::add_finished_call(m_dir.path(), call, recording);
    }

    net::HttpResponse send(net::HttpRequest request) {
        request.url = m_url + request.url;
        request.timeout = Seconds{30};
        auto answer = m_client.send(request);
        EXPECT_TRUE(answer) << answer.error().message;
        return answer ? *answer : net::HttpResponse{};
    }

    // Twilio's signed call-status callback for `call`.
    net::HttpRequest call_status(const CallSid& call) const {
        const net::FormFields fields = {
            {"AccountSid", k_account}, {"CallSid", call.str()}, {"CallStatus", "completed"}};
        return {
            .method = "POST",
            .url = "/twilio/call-status",
            .headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                        {"X-Twilio-Signature",
                         twilio::compute_signature(m_url + "/twilio/call-status",
                                                   twilio::FormParams(fields.begin(), fields.end()),
                                                   Secret(fakes::k_token))}},
            .body = net::encode_form(fields)};
    }

    // How long `request` took to be answered with `status`.
    std::chrono::milliseconds answered_in(net::HttpRequest request, int status) {
        const auto began = std::chrono::steady_clock::now();
        EXPECT_EQ(send(std::move(request)).status, status);
        return std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - began);
    }

    // The first line of `log` holding `marker`, without its time stamp.
    static std::string line_with(const std::string& log, std::string_view marker) {
        const auto at = log.find(marker);
        if (at == std::string::npos) return "(no such line)";
        const auto begin = log.rfind('\n', at) + 1; // npos + 1 == 0
        const auto end = log.find('\n', at);
        const std::string line = log.substr(begin, end - begin);
        const auto bracket = line.find('[');
        return bracket == std::string::npos ? line : line.substr(bracket);
    }

    test_support::TempDir m_dir;
    std::function<FakeResponse(const FakeRequest&)> m_answer = [](const FakeRequest&) {
        return FakeResponse::json(404, R"({"code":20404,"message":"not found","status":404})");
    };
    FakeHttpServer m_twilio{[this](const FakeRequest& r) { return m_answer(r); }};
    std::unique_ptr<BackgroundCommand> m_service;
    net::curl::CurlHttpClient m_client;
    std::string m_url;
    std::uint16_t m_port = 0;
    std::vector<int> m_sockets;
};

TEST_F(FaultMatrixServe, ASlowTwilioStarvesNeitherCallbacksNorHealthChecks) {
    m_answer = [](const FakeRequest&) {
        auto answer = FakeResponse::json(404, R"({"code":20404,"message":"not found"})");
        answer.delay = k_twilio_delay;
        return answer;
    };
    add_finished_calls({{call_sid(1), recording_sid(1)},
                        {call_sid(2), recording_sid(2)},
                        {call_sid(3), recording_sid(3)},
                        {call_sid(4), recording_sid(4)}});
    ASSERT_TRUE(start());

    // Four downloads for recordings not on disk, two of them for the same call.
    const auto began_downloads = std::chrono::steady_clock::now();
    std::vector<std::future<int>> downloads;
    for (const int n : {1, 1, 2, 3, 4}) {
        downloads.push_back(std::async(std::launch::async, [this, n] {
            net::curl::CurlHttpClient client;
            auto answer =
                client.send({.url = m_url + "/api/calls/" + call_sid(n).str() + "/download",
                             .timeout = Seconds{60}});
            return answer ? answer->status : 0;
        }));
    }
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (m_twilio.request_count() < 4 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(10ms);
    ASSERT_EQ(m_twilio.request_count(), 4u) << "one fetch per call";

    const auto limit = 100ms * test_support::time_factor();
    for (int round = 0; round < 3; ++round) {
        EXPECT_LT(answered_in({.url = "/healthz"}, 200), limit);
        EXPECT_LT(answered_in({.url = "/readyz"}, 200), limit);
        EXPECT_LT(answered_in(call_status(call_sid(1)), 204), limit);
        EXPECT_LT(answered_in({.url = "/api/calls/" + call_sid(2).str()}, 200), limit);
    }
    for (auto& download : downloads) {
        ASSERT_EQ(download.wait_for(0s), std::future_status::timeout)
            << "the downloads were still waiting for Twilio; one answered " << download.get()
            << " after " << (std::chrono::steady_clock::now() - began_downloads) / 1ms << " ms";
    }
    for (auto& download : downloads)
        EXPECT_EQ(download.get(), 404) << "Twilio's answer, shared by both requests for call 1";
    EXPECT_EQ(m_twilio.request_count(), 4u);
    const auto stopped = m_service->stop();
    EXPECT_EQ(stopped.exit_code, 0);
    test_support::write_fault_row(
        {.group = "Service",
         .fault = "Twilio answers a download's fetch after 5 s; five downloads of recordings not "
                  "on disk at once",
         .outcome = "callbacks, /healthz, /readyz and the call log answer in under 100 ms "
                    "meanwhile; one fetch per call, the second request for a call gets the "
                    "first one's answer",
         .log = line_with(stopped.err, "POST /twilio/call-status 204"),
         .call_log = "unchanged",
         .lost = "nothing"});
}

TEST_F(FaultMatrixServe, ADamagedDatabaseStopsTheStartInOneLineNamingIt) {
    const auto file = m_dir / "callscribe.db";
    test_support::open_then_damage(file);
    auto settings = env();
    const auto result = test_support::run_callscribe({"serve"}, settings);
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.err, HasSubstr("database " + file.string() + ": the file is damaged"));
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_TRUE(std::filesystem::exists(file)) << "left as it is, for a restore or a look";
    test_support::write_fault_row(
        {.group = "Service",
         .fault = "the SQLite file damaged (pages overwritten)",
         .outcome = "serve exits 2 at start with one line; a running service that meets the "
                    "damage answers /readyz 503 (unit test), so a load balancer stops sending "
                    "it callbacks",
         .log = line_with(result.err, "the file is damaged"),
         .call_log = "kept as it is",
         .lost = "nothing written to a damaged file"});
}

TEST_F(FaultMatrixServe, ADatabaseFolderThatDoesNotExistIsNotCreated) {
    auto settings = env();
    settings["CALLSCRIBE_DATABASE_URL"] = "sqlite://" + (m_dir / "no/such/dir/db").string();
    const auto result = test_support::run_callscribe({"serve"}, settings);
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.err,
                HasSubstr("the folder " + (m_dir / "no/such/dir").string() + " does not exist"));
    EXPECT_FALSE(std::filesystem::exists(m_dir / "no"));
    test_support::write_fault_row(
        {.group = "Service",
         .fault = "CALLSCRIBE_DATABASE_URL in a folder that does not exist (a typo)",
         .outcome = "serve exits 2 at start with one line naming the folder; nothing is created",
         .log = line_with(result.err, "does not exist"),
         .call_log = "none created",
         .lost = "nothing"});
}

// Not a fault: no row in the fault matrix.
class ServeHeadRequests : public FaultMatrixServe {};

TEST_F(ServeHeadRequests, HeadAnswersAsGetWithoutTheBody) {
    fakes::ScriptedTwilio twilio;
    m_answer = [&](const FakeRequest& r) { return twilio.answer(r); };
    add_finished_calls({{fakes::k_call, fakes::k_recording}});
    ASSERT_TRUE(start());
    for (const std::string& path :
         std::vector<std::string>{"/healthz", "/readyz", "/", "/assets/app.js", "/api/calls",
                                  "/api/calls/" + fakes::k_call.str()}) {
        const auto get = send({.url = path});
        const auto head = send({.method = "HEAD", .url = path});
        EXPECT_EQ(head.status, 200) << path;
        EXPECT_TRUE(head.body.empty()) << path;
        EXPECT_EQ(head.header("content-length"), std::to_string(get.body.size())) << path;
        EXPECT_EQ(head.header("content-type"), get.header("content-type")) << path;
    }
    const auto download =
        send({.method = "HEAD", .url = "/api/calls/" + fakes::k_call.str() + "/download"});
    EXPECT_EQ(download.status, 200) << "fetched from Twilio, then measured";
    EXPECT_EQ(download.header("content-length"), std::to_string(fakes::audio_bytes().size()));
    EXPECT_EQ(download.header("accept-ranges"), "bytes");
    const auto refused = send({.method = "POST", .url = "/healthz"});
    EXPECT_EQ(refused.status, 405);
    EXPECT_EQ(refused.header("allow"), "GET, HEAD");
}

// Idle connections fill the descriptor table: connections over the cap are answered 503 at once
// (never a hang), one warning says so, and the service answers again once they go.
TEST_F(FaultMatrixServe, ConnectionsOverTheCapGet503AndOneWarning) {
    rlimit files{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &files), 0);
    const rlimit mine = files;
    files.rlim_cur = std::min<rlim_t>(256, files.rlim_max); // inherited by the service
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &files), 0);
    const bool started = start();
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &mine), 0);
    ASSERT_TRUE(started);

    for (int i = 0; i < 300; ++i) {
        const int fd = test_support::connect_loopback(m_port);
        ASSERT_GE(fd, 0) << "connection " << i;
        m_sockets.push_back(fd);
    }
    const auto began = std::chrono::steady_clock::now();
    const auto over = m_client.send({.url = m_url + "/healthz", .timeout = Seconds{10}});
    ASSERT_TRUE(over) << over.error().message;
    EXPECT_EQ(over->status, 503);
    EXPECT_EQ(over->header("retry-after"), "1");
    EXPECT_LT(std::chrono::steady_clock::now() - began, 2s * test_support::time_factor());

    for (const int fd : m_sockets)
        ::close(fd);
    m_sockets.clear();
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    int status = 0;
    while (status != 200 && std::chrono::steady_clock::now() < deadline) {
        const auto again = m_client.send({.url = m_url + "/healthz", .timeout = Seconds{5}});
        status = again ? again->status : 0;
    }
    EXPECT_EQ(status, 200) << "answering again once the idle connections went";
    const auto stopped = m_service->stop();
    EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
    std::size_t warnings = 0;
    for (std::size_t at = 0;
         (at = stopped.err.find("new ones are answered 503", at)) != std::string::npos; ++at)
        ++warnings;
    EXPECT_EQ(warnings, 1u) << stopped.err;
    EXPECT_THAT(stopped.err, ::testing::Not(HasSubstr("accept failed"))) << stopped.err;
    test_support::write_fault_row(
        {.group = "Service",
         .fault = "300 idle connections with `ulimit -n 256`",
         .outcome = "connections over the cap (the limit less 128) are answered 503 with "
                    "Retry-After at once, never a hang; one warning a minute; answering again "
                    "once they go",
         .log = line_with(stopped.err, "new ones are answered 503"),
         .call_log = "unchanged",
         .lost = "nothing"});
}

} // namespace
} // namespace callscribe
