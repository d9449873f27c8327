#include "webhook/webhook_sender.hpp"

#include "core/clock.hpp"
#include "net/retry.hpp"
#include "webhook/webhook_log.hpp"
#include "webhook/webhook_signature.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace callscribe::webhook {

namespace {

bool is_success(int status) {
    return status >= 200 && status <= 299;
}

bool is_redirect(int status) {
    return status >= 300 && status <= 399;
}

constexpr int k_gone = 410;

std::string failure_of(const net::HttpResponse& response, std::string_view url) {
    if (!is_redirect(response.status)) return fmt::format("{} answered {}", url, response.status);
    auto location = response.header("location");
    return fmt::format("{} answered {} with a redirect to {}, not followed: webhooks go to "
                       "CALLSCRIBE_WEBHOOK_URL only",
                       url, response.status,
                       location ? net::redact_url(*location) : std::string("nowhere"));
}

std::string failure_of(const Error& error, std::string_view url) {
    // The HttpClient's errors already name the URL, redacted; add it when one does not.
    if (error.message.find(url) != std::string::npos) return error.message;
    return fmt::format("{}: {}", url, error.message);
}

} // namespace

net::HttpRequest delivery_request(const store::WebhookDelivery& delivery,
                                  const config::WebhookSettings& settings, TimePoint now) {
    const std::int64_t timestamp = unix_seconds(now);
    net::HttpRequest request{.method = "POST",
                             .url = settings.url,
                             .headers = {{"content-type", "application/json"},
                                         {"webhook-id", delivery.id},
                                         {"webhook-timestamp", std::to_string(timestamp)}},
                             .body = delivery.payload,
                             .timeout = settings.timeout,
                             .follow_redirects = false};
    if (!settings.secret.empty())
        request.headers.emplace_back(
            "webhook-signature", sign(delivery.id, timestamp, delivery.payload, settings.secret));
    return request;
}

store::WebhookDelivery deliver(store::WebhookDelivery delivery, net::HttpClient& http,
                               const config::WebhookSettings& settings, TimePoint now) {
    if (delivery.state != store::DeliveryState::pending) return delivery;
    if (settings.url.empty()) {
        delivery.state = store::DeliveryState::failed;
        delivery.last_status = 0;
        delivery.last_error = "no CALLSCRIBE_WEBHOOK_URL configured";
        log_no_url(delivery);
        return delivery;
    }

    const std::string url = net::redact_url(settings.url);
    const Stopwatch sending; // for the log line only
    auto response = http.send(delivery_request(delivery, settings, now));
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(sending.elapsed());

    ++delivery.attempts;
    delivery.last_status = response ? response->status : 0;
    if (response && is_success(response->status)) {
        delivery.state = store::DeliveryState::delivered;
        delivery.delivered_at = now;
        delivery.last_error.clear();
        log_delivered(delivery, url, response->status, elapsed.count());
        return delivery;
    }

    delivery.last_error = response ? failure_of(*response, url) : failure_of(response.error(), url);
    if (response && response->status == k_gone) {
        delivery.state = store::DeliveryState::failed;
        log_gone(delivery, url);
        return delivery;
    }
    const std::size_t retry = static_cast<std::size_t>(delivery.attempts);
    if (retry > settings.backoff.size()) {
        delivery.state = store::DeliveryState::failed;
        log_given_up(delivery, delivery.last_error);
        return delivery;
    }
    Seconds delay = settings.backoff[retry - 1];
    if (response)
        if (auto asked = net::retry_after(*response, k_max_retry_after); asked && *asked > delay)
            delay = *asked;
    delivery.next_attempt_at = now + std::chrono::duration_cast<TimePoint::duration>(delay);
    log_retry_scheduled(delivery, delivery.last_error, retry, settings.backoff.size(), delay);
    return delivery;
}

} // namespace callscribe::webhook
