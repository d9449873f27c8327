#pragma once
// Twilio's signed RecordingStatusCallback ("completed") for a call the sandbox created, sent to a
// running service the way the sandbox's CallbackSender sends it; for tests that re-send it until
// it is answered, as Twilio's retries would.

#include "net/http_client.hpp"
#include "sandbox/sandbox_server.hpp"

#include <string>

namespace callscribe::test_support {

// POSTs the callback to {service_url}/twilio/recording-status (5 s at most); true when the
// service answered 204.
bool send_recording_completed(net::HttpClient& client, const sandbox::SandboxServer& sandbox,
                              const sandbox::CreatedCall& call, const std::string& service_url);

} // namespace callscribe::test_support
