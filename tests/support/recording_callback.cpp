#include "support/recording_callback.hpp"

#include "sandbox/callback_sender.hpp"

namespace callscribe::test_support {

bool send_recording_completed(net::HttpClient& client, const sandbox::SandboxServer& sandbox,
                              const sandbox::CreatedCall& call, const std::string& service_url) {
    const sandbox::Callback callback{.kind = "recording_status",
                                     .call_sid = call.call_sid,
                                     .url = service_url + "/twilio/recording-status",
                                     .params = {{"AccountSid", sandbox.account_sid()},
                                                {"CallSid", call.call_sid},
                                                {"RecordingSid", call.recording_sid.value_or("")},
                                                {"RecordingStatus", "completed"}}};
    net::HttpRequest request =
        sandbox::CallbackSender::make_request(callback, sandbox.auth_token());
    request.timeout = Seconds{5};
    const auto answer = client.send(request);
    return answer && answer->status == 204;
}

} // namespace callscribe::test_support
