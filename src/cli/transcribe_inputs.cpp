#include "cli/transcribe_inputs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace callscribe::cli {

namespace {

bool hidden(const std::filesystem::path& path) {
    return path.filename().string().starts_with('.');
}

std::string error_text(const std::error_code& ec) {
    return ec.message();
}

// Standard input into DIR/stdin, DIR a new private folder under the system's temp folder.
Result<std::filesystem::path> copy_stdin(std::FILE* in) {
    std::error_code ec;
    const auto base = std::filesystem::temp_directory_path(ec);
    if (ec)
        return fail(
            fmt::format("-: no temporary folder to copy standard input to: {}", error_text(ec)));
    std::string pattern = (base / "callscribe-stdin.XXXXXX").string();
    if (!mkdtemp(pattern.data())) {
        return fail(fmt::format("-: cannot make a temporary folder in {}: {}", base.string(),
                                std::strerror(errno)));
    }
    const std::filesystem::path file = std::filesystem::path(pattern) / "stdin";
    std::ofstream out(file, std::ios::binary);
    std::vector<char> buffer(1 << 16);
    for (;;) {
        const std::size_t got = std::fread(buffer.data(), 1, buffer.size(), in);
        out.write(buffer.data(), static_cast<std::streamsize>(got));
        if (got < buffer.size()) break;
    }
    const bool read_failed = std::ferror(in) != 0;
    out.close();
    if (read_failed || !out) {
        std::filesystem::remove_all(pattern, ec);
        return fail(fmt::format("-: cannot copy standard input to {}: {}", file.string(),
                                read_failed ? "read error" : "write error (disk full?)"));
    }
    return Result<std::filesystem::path>(boost::system::in_place_value, pattern);
}

} // namespace

Result<TranscribeInputs>
TranscribeInputs::gather(const std::vector<std::filesystem::path>& arguments, bool recursive,
                         std::FILE* in) {
    TranscribeInputs gathered;
    for (const auto& argument : arguments) {
        if (argument == "-") {
            if (!gathered.m_stdin_dir.empty())
                return fail("-: standard input can be read once only");
            auto dir = copy_stdin(in);
            if (!dir) return dir.error();
            gathered.m_stdin_dir = *dir;
            gathered.m_inputs.push_back({*dir / "stdin", "stdin", false});
            continue;
        }
        // Anything but a folder is a file to transcribe; one that is missing fails on its own
        // turn, as every other file that cannot be read, and the batch goes on.
        std::error_code ec;
        if (!std::filesystem::is_directory(argument, ec)) {
            gathered.m_inputs.push_back({argument, argument.string(), false});
            continue;
        }
        std::vector<std::filesystem::path> found;
        int subfolders = 0;
        // Entries that vanish or cannot be looked at (a broken link) are passed over.
        auto take = [&](const std::filesystem::directory_entry& entry) {
            std::error_code entry_ec;
            if (entry.is_directory(entry_ec)) {
                ++subfolders;
            } else if (entry.is_regular_file(entry_ec)) {
                found.push_back(entry.path());
            }
        };
        const auto options = std::filesystem::directory_options::skip_permission_denied;
        if (recursive) {
            std::filesystem::recursive_directory_iterator it(argument, options, ec), end;
            for (; !ec && it != end; it.increment(ec)) {
                if (!hidden(it->path())) {
                    take(*it);
                } else if (std::error_code entry_ec; it->is_directory(entry_ec)) {
                    it.disable_recursion_pending();
                }
            }
        } else {
            std::filesystem::directory_iterator it(argument, options, ec), end;
            for (; !ec && it != end; it.increment(ec)) {
                if (!hidden(it->path())) take(*it);
            }
        }
        if (ec) {
            return fail(
                fmt::format("{}: cannot read the folder: {}", argument.string(), error_text(ec)));
        }
        std::sort(found.begin(), found.end());
        for (auto& file : found)
            gathered.m_inputs.push_back({file, file.string(), true});
        if (!recursive && subfolders > 0)
            gathered.m_unread_subfolders.emplace_back(argument, subfolders);
    }
    return gathered;
}

TranscribeInputs::TranscribeInputs(TranscribeInputs&& other) noexcept
    : m_inputs(std::move(other.m_inputs)),
      m_unread_subfolders(std::move(other.m_unread_subfolders)),
      m_stdin_dir(std::exchange(other.m_stdin_dir, {})) {}

TranscribeInputs::~TranscribeInputs() {
    if (m_stdin_dir.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(m_stdin_dir, ec);
}

} // namespace callscribe::cli
