#pragma once
// Making a finished file durable: a renamed file is on the disk only once its folder's entry
// is (fsync of the folder). Best effort: a folder that cannot be opened is left as it is.
#include <filesystem>

namespace callscribe {

void sync_directory(const std::filesystem::path& dir);

} // namespace callscribe
