#include "cli/sandbox_command.hpp"

#include "core/clock.hpp"
#include "core/sid.hpp"
#include "net/curl/curl_http_client.hpp"
#include "net/server/server_types.hpp"
#include "sandbox/sandbox_server.hpp"

#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <pthread.h>

namespace callscribe::cli {

int run_sandbox(const SandboxOptions& options) {
    sandbox::SandboxSettings settings;
    auto listen = net::parse_listen_address(options.listen);
    if (!listen) {
        fmt::print(stderr, "callscribe sandbox: --listen: {}\n", listen.error().message);
        return 2;
    }
    settings.host = listen->host;
    settings.port = listen->port;
    if (options.storage_listen) {
        auto storage = net::parse_listen_address(*options.storage_listen);
        if (!storage) {
            fmt::print(stderr, "callscribe sandbox: --storage-listen: {}\n",
                       storage.error().message);
            return 2;
        }
        settings.storage_host = storage->host;
        settings.storage_port = storage->port;
    }
    if (!options.account_sid.empty()) settings.account_sid = options.account_sid;
    if (!AccountSid::parse(settings.account_sid)) {
        fmt::print(stderr, "callscribe sandbox: --account-sid: not an Account SID (AC + 32 hex)\n");
        return 2;
    }
    if (!options.auth_token.empty()) settings.auth_token = Secret(options.auth_token);

    // Blocked before any thread starts, so that every thread inherits the mask and the signals
    // wait for sigwait() below instead of killing the process mid-request.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    SystemClock clock;
    net::curl::CurlHttpClient callbacks;
    sandbox::SandboxServer server(settings, clock, callbacks);
    if (auto started = server.start(); !started) {
        fmt::print(stderr, "callscribe sandbox: {}\n", started.error().message);
        return 1;
    }
    // The sandbox's own test credentials: printing them is the point.
    fmt::print("Twilio sandbox on {} TWILIO_API_BASE={} TWILIO_ACCOUNT_SID={} "
               "TWILIO_AUTH_TOKEN={}{}\n",
               server.base_url(), server.base_url(), server.account_sid(),
               server.auth_token().reveal(),
               options.storage_listen ? " storage=" + server.storage_base_url() : "");
    std::fflush(stdout);

    int received = 0;
    sigwait(&signals, &received);
    fmt::print(stderr, "callscribe sandbox: stopping on {}\n",
               received == SIGINT ? "SIGINT" : "SIGTERM");
    server.stop();
    return 0;
}

} // namespace callscribe::cli
