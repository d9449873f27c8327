#pragma once
// The webhook outbox pump: delivers every due webhook of the store, one at a time.
//
// deliver_due() claims the due delivery with the earliest next_attempt_at (store::Store::
// claim_webhook, leased to `owner` for `lease`), makes one attempt (webhook_sender.hpp), saves
// the outcome (save_webhook, which releases the lease), and goes on until none is due. It ends:
// each attempt either settles a delivery (delivered or failed) or spends one delay of the
// finite backoff list. Time is read from `clock` before each claim and attempt; nothing sleeps.
//
// `lease` must outlast one attempt (k_request_timeout, 15 s) with room to spare, or another
// worker may take the delivery over while it is being sent; the pump then finds its save refused,
// logs it and goes on (the receiver may see the webhook twice, under the same webhook-id).
//
// Thread safety: any number of pumps (threads or processes) may run over one store; the store's
// leases keep them from sending the same delivery at once.
//
// `counts`, when given, counts each attempt's outcome (delivered, retry, failed).
//
// Failure: a store error ends the pass and is returned (the delivery in hand, if any, is sent
// again once its lease expires). Delivery failures are not errors: they are saved outcomes.

#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "net/http_client.hpp"
#include "store/store.hpp"
#include "webhook/delivery_counts.hpp"

#include <string_view>

namespace callscribe::webhook {

// Returns how many deliveries were claimed and handled in this pass.
Result<int> deliver_due(store::Store& store, net::HttpClient& http,
                        const config::WebhookSettings& settings, const Clock& clock,
                        std::string_view owner, Seconds lease, DeliveryCounts* counts = nullptr);

} // namespace callscribe::webhook
