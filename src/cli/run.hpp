#pragma once

namespace callscribe::cli {

// The composition root: parses the command line, reads configuration, wires the adapters and
// runs one subcommand. Returns the process exit code (0 ok, 1 the work failed, 2 bad usage).
int run(int argc, char** argv);

} // namespace callscribe::cli
