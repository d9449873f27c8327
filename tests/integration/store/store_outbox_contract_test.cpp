// The Store contract for the webhook outbox, run against every backend in StoreBackends.

#include "integration/store/store_contract.hpp"

#include <gtest/gtest.h>

namespace callscribe::store::test {
namespace {

template <class Backend> class StoreOutboxContract : public StoreContract<Backend> {};
TYPED_TEST_SUITE(StoreOutboxContract, StoreBackends, BackendName);

TYPED_TEST(StoreOutboxContract, AWebhookIsClaimedRetriedAndOnceDeliveredNeverChanges) {
    EXPECT_FALSE(this->store().next_webhook_due().value());
    EXPECT_FALSE(this->store().claim_webhook("d1", at(0), k_lease).value());
    this->enqueue(1, at(0));
    ASSERT_TRUE(this->finish(this->claim(Lane::io, "w", at(0)), at(10), "msg_1"));
    EXPECT_EQ(this->store().next_webhook_due().value(), at(10));
    EXPECT_FALSE(this->store().claim_webhook("d1", at(9), k_lease).value()) << "not due yet";

    WebhookDelivery held = this->store().claim_webhook("d1", at(10), k_lease).value().value();
    EXPECT_EQ(held.lease_owner, "d1");
    EXPECT_EQ(held.lease_expires, at(70));
    EXPECT_FALSE(this->store().claim_webhook("d2", at(11), k_lease).value()) << "held";
    EXPECT_EQ(this->store().next_webhook_due().value(), at(70));

    held.attempts = 1;
    held.last_status = 503;
    held.last_error = "HTTP 503";
    held.next_attempt_at = at(15);
    ASSERT_TRUE(this->store().save_webhook(held).value());
    EXPECT_FALSE(this->store().save_webhook(held).value()) << "the lease was released";
    EXPECT_EQ(this->store().next_webhook_due().value(), at(15));
    EXPECT_FALSE(this->store().claim_webhook("d2", at(14), k_lease).value());

    WebhookDelivery retry = this->store().claim_webhook("d2", at(15), k_lease).value().value();
    EXPECT_EQ(retry.id, "msg_1");
    EXPECT_EQ(retry.attempts, 1);
    EXPECT_EQ(retry.last_status, 503);
    EXPECT_EQ(retry.last_error, "HTTP 503");
    retry.state = DeliveryState::delivered;
    retry.attempts = 2;
    retry.last_status = 200;
    retry.last_error = "";
    retry.delivered_at = at(16);
    ASSERT_TRUE(this->store().save_webhook(retry).value());

    const auto stored = this->store().find_webhooks(call_sid(1)).value();
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0].state, DeliveryState::delivered);
    EXPECT_EQ(stored[0].attempts, 2);
    EXPECT_EQ(stored[0].delivered_at, at(16));
    EXPECT_EQ(stored[0].lease_owner, "");
    EXPECT_FALSE(this->store().next_webhook_due().value());
    EXPECT_FALSE(this->store().claim_webhook("d3", at(1e6), k_lease).value());
    retry.state = DeliveryState::pending;
    EXPECT_FALSE(this->store().save_webhook(retry).value());
    EXPECT_EQ(describe(this->store().find_webhooks(call_sid(1)).value()), describe(stored));
}

TYPED_TEST(StoreOutboxContract, AnExpiredWebhookLeaseIsTakenOverAndTheOldHolderRefused) {
    this->enqueue(1, at(0));
    ASSERT_TRUE(this->finish(this->claim(Lane::io, "w", at(0)), at(0), "msg_1"));
    WebhookDelivery zombie = this->store().claim_webhook("d1", at(0), k_lease).value().value();
    EXPECT_FALSE(this->store().claim_webhook("d2", at(59), k_lease).value());
    const auto taken = this->store().claim_webhook("d2", at(60), k_lease).value();
    ASSERT_TRUE(taken);
    EXPECT_EQ(taken->lease_owner, "d2");

    const std::string before = describe(this->store().find_webhooks(call_sid(1)).value());
    zombie.state = DeliveryState::failed;
    EXPECT_FALSE(this->store().save_webhook(zombie).value());
    EXPECT_EQ(describe(this->store().find_webhooks(call_sid(1)).value()), before);
}

TYPED_TEST(StoreOutboxContract, AWebhookMarkedFailedIsKeptAndNotRetried) {
    this->enqueue(1, at(0));
    ASSERT_TRUE(this->finish(this->claim(Lane::io, "w", at(0)), at(0), "msg_1"));
    WebhookDelivery held = this->store().claim_webhook("d", at(0), k_lease).value().value();
    held.state = DeliveryState::failed;
    held.attempts = 8;
    ASSERT_TRUE(this->store().save_webhook(held).value());
    EXPECT_FALSE(this->store().claim_webhook("d", at(1e6), k_lease).value());
    EXPECT_EQ(this->store().find_webhooks(call_sid(1)).value().at(0).state, DeliveryState::failed);
}

} // namespace
} // namespace callscribe::store::test
