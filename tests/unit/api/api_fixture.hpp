#pragma once
// The API's routes called directly, as the HttpServer would: a real SQLite store in a temp
// folder, a fake clock, no sockets.
#include "api/api_context.hpp"
#include "api/api_router.hpp"
#include "api/live_transcript.hpp"
#include "core/sid.hpp"
#include "net/server/server_types.hpp"
#include "net/url_encoding.hpp"
#include "store/store.hpp"
#include "support/fake_clock.hpp"
#include "support/temp_dir.hpp"
#include "unit/api/server_request.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>

namespace callscribe::api::test {

inline const CallSid k_call = *CallSid::parse("CA0123456789abcdef0123456789abcdef");
inline const CallSid k_other_call = *CallSid::parse("CAfedcba9876543210fedcba9876543210");
inline const RecordingSid k_recording = *RecordingSid::parse("RE0123456789abcdef0123456789abcdef");
inline const std::string k_account = "AC0123456789abcdef0123456789abcdef";
inline const std::string k_auth_token = "twilio-auth-token-for-tests";
inline const std::string k_public_url = "https://callscribe.example.com";

class ApiFixture : public ::testing::Test {
  protected:
    ApiFixture();

    // A deferred answer is run here, as the HttpServer runs it on its slow pool.
    net::ServerResponse send(const net::ServerRequest& request) {
        net::ServerResponse response = router().handle(request);
        if (!response.deferred) return response;
        const auto work = std::move(response.deferred);
        return work();
    }
    net::ServerResponse get(const std::string& target, net::ServerHeaders headers = {}) {
        return send(make_request("GET", target, {}, std::move(headers)));
    }
    // As JSON, unless `headers` name another Content-Type.
    net::ServerResponse post(const std::string& target, std::string body = {},
                             net::ServerHeaders headers = {}) {
        if (!std::ranges::any_of(headers, [](const auto& h) { return h.first == "content-type"; }))
            headers.emplace_back("content-type", "application/json");
        return send(make_request("POST", target, std::move(body), std::move(headers)));
    }

    // The router over the current settings (tests change m_settings before their first call).
    Router& router();
    store::Store& store() { return *m_store; }
    std::optional<store::CallLog> find_call(const CallSid& call);
    // A call whose job finished with a transcript and whose recording is on disk.
    void add_transcribed_call(const CallSid& call, const std::string& recording_bytes);

    static nlohmann::json body_json(const net::ServerResponse& response);
    // POSTs `fields` to `target`, signed as Twilio signs it for k_public_url + target.
    net::ServerResponse signed_post(const std::string& target, const net::FormFields& fields,
                                    const std::string& token = k_auth_token);

    test_support::TempDir m_dir;
    test_support::FakeClock m_clock;
    std::unique_ptr<store::Store> m_store;
    ApiSettings m_settings;
    MetricsSources m_metrics; // what GET /metrics reads (tests set it before their first call)
    RecordingFallback* m_recording_fallback = nullptr; // likewise, for downloads
    LivePartials m_live_partials;
    live::MediaStreams* m_media_streams = nullptr; // GET /twilio/media (set before the first call)
    std::atomic<int> m_wakes{0};

  private:
    std::unique_ptr<ApiContext> m_context;
    std::unique_ptr<Router> m_router;
};

} // namespace callscribe::api::test
