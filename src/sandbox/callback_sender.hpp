#pragma once
// Sends the sandbox's Twilio callbacks (RecordingStatusCallback, call status) from one background
// thread, the way Twilio does: a form-encoded POST signed with X-Twilio-Signature over the URL as
// given (twilio/signature.hpp), with an I-Twilio-Idempotency-Token, no redirects followed, a
// 15 s timeout, and no retries.
//
// A callback waits its delay on the sender's own timer, in real time: the sandbox's Clock may be
// a test's manual clock, which a background thread cannot wait on. Each outcome (the receiver's
// status, or a transport error) is reported through the function given at construction, on the
// sender's thread. Thread-safe; the destructor finishes the callback being sent, drops those not
// yet due and joins the thread.

#include "core/clock.hpp"
#include "core/result.hpp"
#include "core/secret.hpp"
#include "net/http_client.hpp"
#include "net/url_encoding.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace callscribe::sandbox {

struct Callback {
    std::string kind;     // "recording_status", "call_status" or "transcription"
    std::string call_sid; // the call it is about
    std::string url;      // where to POST; the signed URL
    net::FormFields params;
    Seconds delay{0};
};

class CallbackSender {
  public:
    // The receiver's HTTP response, or the transport error.
    using Report = std::function<void(const Callback&, const Result<net::HttpResponse>&)>;

    CallbackSender(net::HttpClient& client, Secret auth_token, Report report);
    ~CallbackSender();
    CallbackSender(const CallbackSender&) = delete;
    CallbackSender& operator=(const CallbackSender&) = delete;

    void send_later(Callback callback);

    // The request as it goes out (for tests of the wire format).
    static net::HttpRequest make_request(const Callback& callback, const Secret& auth_token);

  private:
    struct Pending {
        std::chrono::steady_clock::time_point due;
        Callback callback;
    };
    void run();

    net::HttpClient& m_client;
    Secret m_auth_token;
    Report m_report;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::vector<Pending> m_pending;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace callscribe::sandbox
