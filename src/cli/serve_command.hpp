#pragma once
// `callscribe serve [--sandbox]`: the service. The HTTP API and Twilio's callbacks
// (src/api/) on CALLSCRIBE_LISTEN, plus the same workers as `callscribe worker` (downloads,
// transcriptions, the webhook outbox) in one process.
//
// Prints one line to stdout (and the log) once everything runs:
//   callscribe serving on http://HOST:PORT   (with --sandbox: "… — open it in a browser")
// with the port actually bound (CALLSCRIBE_LISTEN may say port 0: pick a free one; the public
// URL then defaults to that address too). Until that line the server answers 503. On SIGTERM
// or SIGINT it stops accepting, finishes the requests in flight, lets every running step
// finish and save, and exits 0. Exit 2: bad configuration (a missing Twilio credential, a
// database that cannot be opened, an address that cannot be bound).
#include "config/config.hpp"

namespace callscribe::cli {

struct ServeOptions {
    bool sandbox =
        false; // --sandbox: the embedded Twilio emulator and a demo call (demo_sandbox.hpp)
};

int run_serve(const ServeOptions& options, const config::Config& config);

} // namespace callscribe::cli
