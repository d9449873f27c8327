#pragma once
// A SQLite database that breaks under a running store, as a failing disk or a stray write would
// break it: the store opens a sound file (its start-up check passes), then every page of its
// tables and indexes (not the schema's) is overwritten on disk, and another connection's write
// makes the store read them again.
#include "store/store.hpp"

#include <filesystem>
#include <memory>

namespace callscribe::test_support {

struct DamagedDatabase {
    std::unique_ptr<store::Store> store; // opened before the damage; its next reads meet it
    std::unique_ptr<store::Store> other; // the connection whose write came after it
};

// `file` must not exist yet; it gets a few calls and their jobs first.
DamagedDatabase open_then_damage(const std::filesystem::path& file);

} // namespace callscribe::test_support
