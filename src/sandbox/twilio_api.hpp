#pragma once
// The emulated Twilio REST API for one account (reference/twilio-facts.md §1):
//
//   GET /2010-04-01/Accounts/{AC}/Recordings/{RE}.json            the Recording resource
//   GET /2010-04-01/Accounts/{AC}/Recordings/{RE}[.mp3|.wav]      302 to the storage URL
//   GET /2010-04-01/Accounts/{AC}/Recordings.json[?CallSid=CA…]   list
//   GET /2010-04-01/Accounts/{AC}/Calls/{CA}/Recordings.json      the call's list
//   GET /2010-04-01/Accounts/{AC}/Calls/{CA}/Recordings/{RE}[.json|.mp3|.wav]  the same,
//   call-scoped
//
// As Twilio checks it: HTTP Basic auth whose user is the account SID and whose password is the
// auth token; anything else is 401 {"code":20003,"message":"Authenticate",…} with
// `WWW-Authenticate: Basic realm="Twilio API"`, as is a valid SID of another account in the
// path. A malformed SID in the path, an unknown path or an unknown recording is 404 20404,
// decided before any call is looked at. Methods other than GET and HEAD get 405.
// Then, for a known call: its scripted failures are answered first, one per request, and the
// SandboxCall decides the rest. Thread-safe (state lives in the CallRegistry).

#include "core/clock.hpp"
#include "core/secret.hpp"
#include "net/server/server_types.hpp"
#include "sandbox/call_registry.hpp"

#include <functional>
#include <string>

namespace callscribe::sandbox {

class TwilioApi {
  public:
    // `api_base` and `storage_base` give the servers' base URLs ("http://127.0.0.1:PORT"),
    // known only once they listen.
    TwilioApi(std::string account_sid, Secret auth_token, CallRegistry& registry,
              const Clock& clock, std::function<std::string()> api_base,
              std::function<std::string()> storage_base);

    net::ServerResponse handle(const net::ServerRequest& request);

    // Whether the Authorization header value carries this account's credentials.
    bool authorized(const std::optional<std::string>& authorization) const;

  private:
    struct Route;
    net::ServerResponse fetch(const Route& route);
    net::ServerResponse media(const Route& route);
    net::ServerResponse list(const Route& route, const net::ServerRequest& request);

    std::string m_account_sid;
    Secret m_auth_token;
    CallRegistry& m_registry;
    const Clock& m_clock;
    std::function<std::string()> m_api_base;
    std::function<std::string()> m_storage_base;
};

// A Twilio error response: error_json() as the body, with WWW-Authenticate on a 401.
net::ServerResponse twilio_error(int status, std::string_view path,
                                 std::optional<std::string> message = std::nullopt);

} // namespace callscribe::sandbox
