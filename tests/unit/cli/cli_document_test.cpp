// docs/cli.md is the command line's contract: every command, subcommand, argument and flag that
// `callscribe … --help` shows is in it. The help is the real parser's (cli::run), in-process.
#include "cli/run.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace callscribe::cli {
namespace {

std::string cli_document() {
    std::ifstream in(std::filesystem::path(CALLSCRIBE_SOURCE_DIR) / "docs/cli.md");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// What `callscribe ARGS… --help` prints, and its exit code.
std::pair<std::string, int> help_of(std::vector<std::string> args) {
    args.insert(args.begin(), "callscribe");
    args.emplace_back("--help");
    std::vector<char*> argv;
    for (auto& arg : args)
        argv.push_back(arg.data());
    testing::internal::CaptureStdout();
    const int code = run(static_cast<int>(argv.size()), argv.data());
    return {testing::internal::GetCapturedStdout(), code};
}

// The names a help text of `command` lists, as the document spells them: a flag as `--name`, a
// positional as its bare name, a subcommand with its command (`callscribe serve`, `models list`).
std::vector<std::string> names_in(const std::string& help,
                                  const std::vector<std::string>& command) {
    const std::string parent = command.empty() ? "callscribe" : command.back();
    std::vector<std::string> names;
    std::istringstream lines(help);
    std::string section;
    const std::regex flag(R"((?:^|[ ,])(--?[a-z][a-z-]*))");
    for (std::string line; std::getline(lines, line);) {
        if (!line.empty() && line.back() == ':' && line.front() != ' ') {
            section = line;
            continue;
        }
        if (!line.starts_with("  ") || line.starts_with("   ")) continue;
        const std::string first = line.substr(2, line.find(' ', 2) - 2);
        if (section == "Options:") {
            for (std::sregex_iterator it(first.begin(), first.end(), flag), end; it != end; ++it)
                names.push_back((*it)[1]);
        } else if (section == "Positionals:") {
            names.push_back(first);
        } else if (section == "Subcommands:") {
            names.push_back(parent + " " + first);
        }
    }
    return names;
}

TEST(CliDocument, ListsEveryCommandArgumentAndFlagTheHelpShows) {
    const std::string document = cli_document();
    ASSERT_FALSE(document.empty()) << "docs/cli.md is missing";
    const std::vector<std::vector<std::string>> commands = {{},
                                                            {"serve"},
                                                            {"worker"},
                                                            {"process"},
                                                            {"sandbox"},
                                                            {"transcribe"},
                                                            {"models"},
                                                            {"models", "list"},
                                                            {"models", "fetch"},
                                                            {"models", "verify"},
                                                            {"models", "make-test-model"}};
    std::size_t checked = 0;
    for (const auto& command : commands) {
        const auto [help, code] = help_of(command);
        const std::string shown = "callscribe " + testing::PrintToString(command);
        EXPECT_EQ(code, 0) << shown;
        const auto names = names_in(help, command);
        EXPECT_FALSE(names.empty()) << shown << " --help listed nothing:\n" << help;
        for (const auto& name : names) {
            ++checked;
            EXPECT_NE(document.find("`" + name), std::string::npos)
                << name << " (" << shown << " --help) is not in docs/cli.md";
        }
    }
    EXPECT_GE(checked, 30u);
}

} // namespace
} // namespace callscribe::cli
