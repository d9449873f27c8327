#pragma once
// What `callscribe transcribe` reads: the files it is given, the files in the folders it is given
// (with --recursive, in their subfolders too), and `-`, standard input, copied to a temporary
// file first (a container such as MP4 is read out of order; memory stays flat whatever its
// length). The copy is removed when the inputs go.

#include "core/result.hpp"

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace callscribe::cli {

struct TranscribeInput {
    std::filesystem::path file; // what is decoded
    std::string name;           // how messages name it: the path given, or "stdin"
    bool from_folder = false;   // found in a folder: one that is not audio is skipped, not failed
};

class TranscribeInputs {
  public:
    // In the order given, each folder's files sorted by path; hidden files (".name") and hidden
    // folders are left out of folders. Fails, naming the argument, on a folder that cannot be
    // read, `-` given twice, or standard input that cannot be copied. A path that is not a
    // folder is taken as a file, whether it exists or not (it fails on its own turn).
    static Result<TranscribeInputs> gather(const std::vector<std::filesystem::path>& arguments,
                                           bool recursive, std::FILE* in = stdin);

    TranscribeInputs(TranscribeInputs&& other) noexcept;
    TranscribeInputs& operator=(TranscribeInputs&&) = delete;
    ~TranscribeInputs();

    const std::vector<TranscribeInput>& inputs() const { return m_inputs; }
    // Folders given without --recursive whose subfolders were not read, with their count.
    const std::vector<std::pair<std::filesystem::path, int>>& unread_subfolders() const {
        return m_unread_subfolders;
    }

  private:
    TranscribeInputs() = default;

    std::vector<TranscribeInput> m_inputs;
    std::vector<std::pair<std::filesystem::path, int>> m_unread_subfolders;
    std::filesystem::path m_stdin_dir; // the copy's folder, removed with it
};

} // namespace callscribe::cli
