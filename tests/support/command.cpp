#include "support/command.hpp"

#include "support/log_archive.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

extern char** environ;

namespace callscribe::test_support {
namespace {

// argv and envp for posix_spawn, owning their strings.
struct SpawnArgs {
    std::vector<std::string> argv_strings, env_strings;
    std::vector<char*> argv, envp;

    // `callscribe`: the args follow the built binary; otherwise args[0] is the program.
    SpawnArgs(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
              bool callscribe = true) {
        for (char** e = environ; *e; ++e) {
            std::string entry = *e;
            auto name = entry.substr(0, entry.find('='));
            // The test decides every setting the binary sees.
            if (name.starts_with("CALLSCRIBE_") || name.starts_with("TWILIO_") ||
                name == "OPENAI_API_KEY")
                continue;
            if (!env.count(name)) env_strings.push_back(entry);
        }
        for (const auto& [k, v] : env)
            env_strings.push_back(k + "=" + v);
        if (callscribe) argv_strings = {CALLSCRIBE_BINARY};
        argv_strings.insert(argv_strings.end(), args.begin(), args.end());
        for (auto& a : argv_strings)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        for (auto& e : env_strings)
            envp.push_back(e.data());
        envp.push_back(nullptr);
    }
};

int exit_code(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Waits for `pid` at most `limit`; false when it is still running.
bool wait_exit(pid_t pid, std::chrono::milliseconds limit, int& status) {
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    if (pidfd >= 0) {
        pollfd fd{pidfd, POLLIN, 0};
        const int ready = ::poll(&fd, 1, static_cast<int>(limit.count()));
        ::close(pidfd);
        if (ready <= 0) return false;
    }
    return waitpid(pid, &status, 0) == pid;
}

} // namespace

CommandResult run_callscribe(const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env,
                             const std::filesystem::path& stdin_file) {
    TempDir dir;
    auto out_path = dir / "stdout", err_path = dir / "stderr";
    SpawnArgs spawn(args, env);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, stdin_file.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    pid_t pid = 0;
    int rc =
        posix_spawn(&pid, spawn.argv[0], &actions, nullptr, spawn.argv.data(), spawn.envp.data());
    posix_spawn_file_actions_destroy(&actions);
    CommandResult result;
    if (rc != 0) {
        ADD_FAILURE() << "cannot start " << spawn.argv[0];
        return result;
    }
    int status = 0;
    waitpid(pid, &status, 0);
    result.exit_code = exit_code(status);
    result.out = read_file(out_path);
    result.err = read_file(err_path);
    archive_output(spawn.argv_strings[1 % spawn.argv_strings.size()], result.out + result.err);
    return result;
}

CommandResult run_callscribe_in_terminal(const std::vector<std::string>& args,
                                         const std::map<std::string, std::string>& env) {
    SpawnArgs spawn(args, env);
    winsize size{};
    size.ws_col = 120;
    size.ws_row = 40;
    int terminal = -1;
    const pid_t pid = forkpty(&terminal, nullptr, nullptr, &size);
    if (pid < 0) {
        ADD_FAILURE() << "cannot open a pseudo-terminal";
        return {};
    }
    if (pid == 0) { // the child: only async-signal-safe calls until exec
        execve(spawn.argv[0], spawn.argv.data(), spawn.envp.data());
        _exit(127);
    }
    CommandResult result;
    char buffer[4096];
    for (;;) { // until the child's side closes (EIO on Linux)
        const ssize_t got = ::read(terminal, buffer, sizeof buffer);
        if (got > 0) {
            result.out.append(buffer, static_cast<std::size_t>(got));
        } else if (got < 0 && errno == EINTR) {
            continue;
        } else {
            break;
        }
    }
    ::close(terminal);
    int status = 0;
    waitpid(pid, &status, 0);
    result.exit_code = exit_code(status);
    archive_output(spawn.argv_strings[1 % spawn.argv_strings.size()], result.out);
    return result;
}

BackgroundCommand::BackgroundCommand(const std::vector<std::string>& args,
                                     const std::map<std::string, std::string>& env) {
    SpawnArgs spawn(args, env);
    start(spawn.argv.data(), spawn.envp.data());
}

std::unique_ptr<BackgroundCommand>
BackgroundCommand::program(const std::vector<std::string>& argv) {
    SpawnArgs spawn(argv, {}, false);
    std::unique_ptr<BackgroundCommand> command(new BackgroundCommand());
    command->m_callscribe = false;
    command->start(spawn.argv.data(), spawn.envp.data());
    return command;
}

void BackgroundCommand::start(char* const* argv, char* const* envp) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        ADD_FAILURE() << "cannot create a pipe";
        return;
    }
    const auto err_path = m_dir / "stderr";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[1]);
    m_stdout = pipe_fds[0];
    if (rc != 0) {
        ADD_FAILURE() << "cannot start " << argv[0];
        return;
    }
    m_pid = pid;
}

BackgroundCommand::~BackgroundCommand() {
    // A test that did not look at the end itself still must not miss a crash or a sanitizer's
    // report (exit code 86): SIGTERM ends callscribe with 0.
    const bool unchecked = !m_result && m_callscribe;
    const CommandResult result = stop();
    if (unchecked) {
        EXPECT_EQ(result.exit_code, 0) << "callscribe ended badly on SIGTERM:\n" << result.err;
    }
    if (m_stdout >= 0) ::close(m_stdout);
}

std::optional<std::string> BackgroundCommand::read_line(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        if (auto newline = m_pending.find('\n'); newline != std::string::npos) {
            std::string line = m_pending.substr(0, newline);
            m_pending.erase(0, newline + 1);
            return line;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (m_stdout < 0) return std::nullopt;
        // Past the deadline, still take what is already there.
        pollfd fd{m_stdout, POLLIN, 0};
        if (::poll(&fd, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 0))) <= 0)
            return std::nullopt;
        char buffer[4096];
        const auto n = ::read(m_stdout, buffer, sizeof buffer);
        if (n <= 0) return std::nullopt;
        m_pending.append(buffer, static_cast<std::size_t>(n));
    }
}

CommandResult BackgroundCommand::stop() {
    return end(SIGTERM);
}

CommandResult BackgroundCommand::kill() {
    return end(SIGKILL);
}

std::string BackgroundCommand::err_so_far() const {
    return read_file(m_dir / "stderr");
}

CommandResult BackgroundCommand::end(int signal) {
    if (m_result) return *m_result;
    CommandResult result;
    if (m_pid > 0) {
        int status = 0;
        ::kill(m_pid, signal);
        if (!wait_exit(m_pid, k_stop_limit, status)) {
            ADD_FAILURE() << "callscribe did not stop within " << k_stop_limit.count()
                          << " s of SIGTERM; killing it";
            ::kill(m_pid, SIGKILL);
            waitpid(m_pid, &status, 0);
        }
        result.exit_code = exit_code(status);
        m_pid = -1;
    }
    result.out = m_pending;
    result.err = read_file(m_dir / "stderr");
    archive_output("a background command", result.err);
    m_result = result;
    return result;
}

} // namespace callscribe::test_support
