#include "support/damaged_database.hpp"

#include "store/sqlite/connection.hpp"
#include "store/sqlite/sqlite_store.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <vector>

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
    // The pages of every table and index, not the schema's own (a file whose schema cannot be
    // read fails before its pages are checked): SQLite's dbstat table says which they are.
    std::vector<std::int64_t> row_pages;
    {
        store::sqlite::Connection reader(file, std::chrono::milliseconds(1000));
        store::sqlite::Statement pages(reader,
                                       "SELECT pageno FROM dbstat WHERE name <> 'sqlite_schema'");
        while (pages.step()) {
            row_pages.push_back(pages.int64_at(0));
        }
    }
    EXPECT_GT(row_pages.size(), 4U);
    DamagedDatabase db;
    db.store = store::sqlite::SqliteStore::open(file).value();
    db.other = store::sqlite::SqliteStore::open(file).value();
    {
        std::fstream out(file, std::ios::in | std::ios::out | std::ios::binary);
        const std::string junk(k_page, '\x5a');
        for (const auto page : row_pages) {
            out.seekp(static_cast<std::streamoff>((page - 1) * static_cast<std::int64_t>(k_page)));
            out.write(junk.data(), static_cast<std::streamsize>(junk.size()));
        }
        EXPECT_TRUE(out.good());
    }
    // Written to the WAL by the other connection: the store's cached pages are stale now.
    const auto call = CallSid::parse(fmt::format("CA{:032x}", 999)).value();
    (void)db.other->save_realtime_transcript(call, "written after the damage", now);
    return db;
}

} // namespace callscribe::test_support
