#pragma once
// Every call of the sandbox, found by Call SID or Recording SID, and the log of the requests the
// sandbox received.
//
// Thread-safe: one lock. The functions handed to with_call(), with_recording() and for_each()
// run under it, so they must be quick and must not call back into the registry.

#include "sandbox/sandbox_call.hpp"

#include <nlohmann/json.hpp>

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace callscribe::sandbox {

struct RequestRecord {
    std::string listener; // "api" or "storage"
    std::string method;
    std::string path; // without the query
    bool had_authorization = false;
    int status = 0;
};

class CallRegistry {
  public:
    // The request log keeps the most recent requests only, so that a long-running sandbox does
    // not grow without bound.
    static constexpr std::size_t k_request_log_limit = 10000;

    // False (and nothing added) when the call's SID or its recording's SID is taken.
    bool add(SandboxCall call);

    // Runs f(SandboxCall*) under the lock, with nullptr when there is no such call.
    template <class F> auto with_call(std::string_view call_sid, F&& f) {
        std::lock_guard lock(m_mutex);
        return f(find(m_by_call, call_sid));
    }
    template <class F> auto with_recording(std::string_view recording_sid, F&& f) {
        std::lock_guard lock(m_mutex);
        return f(find(m_by_recording, recording_sid));
    }
    // f(SandboxCall&) for every call, in the order they were created.
    template <class F> void for_each(F&& f) {
        std::lock_guard lock(m_mutex);
        for (auto& call : m_calls)
            f(*call);
    }

    void record(RequestRecord request);
    // {"requests": [{listener, method, path, had_auth, status}…] (the most recent, oldest first),
    //  "storage_authorization_headers": n}
    nlohmann::json requests_json() const;

  private:
    static SandboxCall* find(const std::map<std::string, SandboxCall*, std::less<>>& index,
                             std::string_view sid);

    mutable std::mutex m_mutex;
    std::vector<std::unique_ptr<SandboxCall>> m_calls;
    std::map<std::string, SandboxCall*, std::less<>> m_by_call;
    std::map<std::string, SandboxCall*, std::less<>> m_by_recording;
    std::deque<RequestRecord> m_requests;
    int m_storage_authorization = 0;
};

} // namespace callscribe::sandbox
