#pragma once
// Runs the built `callscribe` binary as a process, as an operator would, and captures what it
// prints. The environment is the test's own plus `env`; nothing from the shell leaks in.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace callscribe::testing {

struct CommandResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

CommandResult run_callscribe(const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env = {});

// A fresh folder under the system temp folder, removed when the object goes.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return m_path; }
    std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

  private:
    std::filesystem::path m_path;
};

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& bytes);

} // namespace callscribe::testing
