#include "support/damaged_database.hpp"

#include "store/sqlite/sqlite_store.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>

namespace callscribe::test_support {

DamagedDatabase open_then_damage(const std::filesystem::path& file) {
    constexpr std::uint64_t k_page = 4096;
    const TimePoint now{};
    {
        // Enough rows for several pages; closing checkpoints them into the file itself.
        auto filler = store::sqlite::SqliteStore::open(file).value();
        for (int i = 0; i < 200; ++i) {
            const auto call = CallSid::parse(fmt::format("CA{:032x}", i + 1)).value();
            EXPECT_TRUE(filler->enqueue_offline_stt(call, std::nullopt, now));
        }
    }
    DamagedDatabase db;
    db.store = store::sqlite::SqliteStore::open(file).value();
    db.other = store::sqlite::SqliteStore::open(file).value();
    const auto size = std::filesystem::file_size(file);
    EXPECT_GT(size, 4 * k_page);
    {
        std::fstream out(file, std::ios::in | std::ios::out | std::ios::binary);
        out.seekp(static_cast<std::streamoff>(2 * k_page));
        const std::string junk(size - 2 * k_page, '\x5a');
        out.write(junk.data(), static_cast<std::streamsize>(junk.size()));
        EXPECT_TRUE(out.good());
    }
    // Written to the WAL by the other connection: the store's cached pages are stale now.
    const auto call = CallSid::parse(fmt::format("CA{:032x}", 999)).value();
    (void)db.other->save_realtime_transcript(call, "written after the damage", now);
    return db;
}

} // namespace callscribe::test_support
