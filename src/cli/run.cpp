#include "cli/run.hpp"

#include <CLI/CLI.hpp>

namespace callscribe::cli {

int run(int argc, char** argv) {
    CLI::App app{"callscribe: durable offline transcripts of Twilio call recordings"};
    app.require_subcommand(1);
    CLI11_PARSE(app, argc, argv);
    return 0;
}

} // namespace callscribe::cli
