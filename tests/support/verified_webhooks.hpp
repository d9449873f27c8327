#pragma once
// What a webhook receiver (a FakeHttpServer) got, each request checked against its Standard
// Webhooks signature (a failed check is a test failure).

#include "core/secret.hpp"
#include "fakes/fake_http_server.hpp"

#include <nlohmann/json.hpp>

#include <vector>

namespace callscribe::test_support {

// The bodies in order of arrival, each with "_id" set to its webhook-id header.
std::vector<nlohmann::json> verified_webhooks(const fakes::FakeHttpServer& receiver,
                                              const Secret& key);

} // namespace callscribe::test_support
