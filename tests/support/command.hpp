#pragma once
// Runs the built `callscribe` binary as a process, as an operator would, and captures what it
// prints. The environment is the test's own plus `env`; nothing from the shell leaks in.

#include "support/temp_dir.hpp"

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace callscribe::test_support {

struct CommandResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// Standard input reads `stdin_file` (nothing by default).
CommandResult run_callscribe(const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env = {},
                             const std::filesystem::path& stdin_file = "/dev/null");

// The same on a pseudo-terminal, as a user at a shell runs it: stdout and stderr both go to the
// terminal (`out` has them interleaved, as the user sees them; `err` stays empty).
CommandResult run_callscribe_in_terminal(const std::vector<std::string>& args,
                                         const std::map<std::string, std::string>& env = {});

// A `callscribe` running in the background, for commands that serve until stopped (sandbox,
// serve): its stdout is read line by line as it comes, its stderr goes to a file. stop(), or
// the destructor, sends SIGTERM and waits for the exit, with SIGKILL after `k_stop_limit`; the
// destructor expects exit code 0 from a callscribe the test did not stop or kill itself.
class BackgroundCommand {
  public:
    static constexpr std::chrono::seconds k_stop_limit{10};

    // Starts the binary; a failure to start is a test failure and running() is false.
    explicit BackgroundCommand(const std::vector<std::string>& args,
                               const std::map<std::string, std::string>& env = {});
    // Another program: `argv[0]` is its path; it sees this process's environment.
    static std::unique_ptr<BackgroundCommand> program(const std::vector<std::string>& argv);
    ~BackgroundCommand();
    BackgroundCommand(const BackgroundCommand&) = delete;
    BackgroundCommand& operator=(const BackgroundCommand&) = delete;

    bool running() const { return m_pid > 0; }
    // The next line of stdout (without its newline), waiting at most `limit`; nothing on
    // timeout or when stdout closed first.
    std::optional<std::string> read_line(std::chrono::milliseconds limit);
    // SIGTERM, then the exit code (128 + signal when killed by one); stderr is then in `err`.
    CommandResult stop();
    // SIGKILL: a crash, with no chance to clean up. The exit code is then 137.
    CommandResult kill();
    // What the command wrote to stderr so far.
    std::string err_so_far() const;

  private:
    BackgroundCommand() = default;
    void start(char* const* argv, char* const* envp);
    CommandResult end(int signal);

    TempDir m_dir;
    pid_t m_pid = -1;
    int m_stdout = -1;
    std::string m_pending;
    std::optional<CommandResult> m_result;
    bool m_callscribe = true; // false for program(): its exit code on SIGTERM is its own
};

} // namespace callscribe::test_support
