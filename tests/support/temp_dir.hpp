#pragma once
// A fresh folder per use under the system temp folder, removed with everything in it when the
// object goes; and whole-file reads and writes for the tests that fill it.

#include <filesystem>
#include <string>

namespace callscribe::test_support {

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

} // namespace callscribe::test_support
