#include "webhook/outbox.hpp"

#include "webhook/webhook_log.hpp"
#include "webhook/webhook_sender.hpp"

namespace callscribe::webhook {

Result<int> deliver_due(store::Store& store, net::HttpClient& http,
                        const config::WebhookSettings& settings, const Clock& clock,
                        std::string_view owner, Seconds lease, DeliveryCounts* counts) {
    int handled = 0;
    for (;;) {
        auto claimed = store.claim_webhook(owner, clock.now(), lease);
        if (!claimed) return claimed.error();
        if (!*claimed) return handled;
        store::WebhookDelivery outcome = deliver(std::move(**claimed), http, settings, clock.now());
        if (counts != nullptr) counts->add(outcome.state);
        auto saved = store.save_webhook(outcome);
        if (!saved) return saved.error();
        if (!*saved) log_lease_lost(outcome);
        ++handled;
    }
}

} // namespace callscribe::webhook
