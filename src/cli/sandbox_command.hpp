#pragma once
// `callscribe sandbox [--listen ADDR] [--storage-listen ADDR] [--account-sid AC…]
//                     [--auth-token T]`
// The Twilio-compatible emulator (sandbox/sandbox_server.hpp) in the foreground: prints
// one line with its base URL and the credentials to use, serves until SIGINT or SIGTERM, exits 0.

#include <optional>
#include <string>

namespace callscribe::cli {

struct SandboxOptions {
    std::string listen = "127.0.0.1:8081";     // host:port, [v6]:port; port 0 picks one
    std::optional<std::string> storage_listen; // media storage on a second listener
    std::string account_sid;                   // empty: the sandbox's fixed test account
    std::string auth_token;                    // empty: the sandbox's fixed test token
};

// Returns 0 after a signal, 2 on bad options, 1 when it cannot listen.
int run_sandbox(const SandboxOptions& options);

} // namespace callscribe::cli
