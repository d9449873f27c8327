#include "support/verified_webhooks.hpp"

#include "webhook/webhook_signature.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace callscribe::test_support {

std::vector<nlohmann::json> verified_webhooks(const fakes::FakeHttpServer& receiver,
                                              const Secret& key) {
    std::vector<nlohmann::json> bodies;
    for (const auto& r : receiver.requests()) {
        auto verified = webhook::verify(r.header("webhook-id").value_or(""),
                                        r.header("webhook-timestamp").value_or(""),
                                        r.header("webhook-signature").value_or(""), r.body, key,
                                        std::chrono::system_clock::now());
        EXPECT_TRUE(verified) << verified.error().message;
        auto body = nlohmann::json::parse(r.body, nullptr, false);
        EXPECT_FALSE(body.is_discarded()) << r.body;
        body["_id"] = r.header("webhook-id").value_or("");
        bodies.push_back(body);
    }
    return bodies;
}

} // namespace callscribe::test_support
