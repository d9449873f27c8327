#include "sandbox/callback_sender.hpp"

#include "core/log.hpp"
#include "twilio/signature.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <random>

namespace callscribe::sandbox {
namespace {

std::string idempotency_token() {
    std::random_device random;
    std::uniform_int_distribution<unsigned> digit(0, 15);
    std::string token;
    for (int i = 0; i < 32; ++i)
        token += "0123456789abcdef"[digit(random)];
    return token;
}

} // namespace

CallbackSender::CallbackSender(net::HttpClient& client, Secret auth_token, Report report)
    : m_client(client), m_auth_token(std::move(auth_token)), m_report(std::move(report)),
      m_thread([this] { run(); }) {}

CallbackSender::~CallbackSender() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

void CallbackSender::send_later(Callback callback) {
    const auto due = std::chrono::steady_clock::now() + to_steady(callback.delay);
    {
        std::lock_guard lock(m_mutex);
        m_pending.push_back(Pending{due, std::move(callback)});
    }
    m_wake.notify_all();
}

net::HttpRequest CallbackSender::make_request(const Callback& callback, const Secret& auth_token) {
    const twilio::FormParams params(callback.params.begin(), callback.params.end());
    return net::HttpRequest{
        .method = "POST",
        .url = callback.url,
        .headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                    {"X-Twilio-Signature",
                     twilio::compute_signature(callback.url, params, auth_token)},
                    {"I-Twilio-Idempotency-Token", idempotency_token()},
                    {"User-Agent", "TwilioProxy/1.1"}},
        .body = net::encode_form(callback.params),
        .timeout = Seconds(15),
        .connect_timeout = Seconds(5),
        .follow_redirects = false,
    };
}

void CallbackSender::run() {
    std::unique_lock lock(m_mutex);
    for (;;) {
        if (m_stopping) return;
        if (m_pending.empty()) {
            m_wake.wait(lock);
            continue;
        }
        // The earliest due first; callbacks due at the same moment go in the order given.
        auto next = std::ranges::min_element(
            m_pending, [](const Pending& a, const Pending& b) { return a.due < b.due; });
        if (next->due > std::chrono::steady_clock::now()) {
            // A copy: while this waits, send_later() may grow m_pending and move its elements.
            const auto due = next->due;
            m_wake.wait_until(lock, due);
            continue;
        }
        Callback callback = std::move(next->callback);
        m_pending.erase(next);
        lock.unlock();
        const auto response = m_client.send(make_request(callback, m_auth_token));
        if (response) {
            log().info("[SANDBOX] {} callback for {} → {}", callback.kind, callback.call_sid,
                       response->status);
        } else {
            log().warn("[SANDBOX] {} callback for {} failed: {}", callback.kind, callback.call_sid,
                       response.error().message);
        }
        m_report(callback, response);
        lock.lock();
    }
}

} // namespace callscribe::sandbox
