#pragma once
// Runs the built `callscribe` binary as a process, as an operator would, and captures what it
// prints. The environment is the test's own plus `env`; nothing from the shell leaks in.

#include "support/temp_dir.hpp"

#include <map>
#include <string>
#include <vector>

namespace callscribe::test_support {

struct CommandResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

CommandResult run_callscribe(const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env = {});

} // namespace callscribe::test_support
