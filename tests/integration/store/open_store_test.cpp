// open_store(): the database URL picks the adapter.

#include "store/store.hpp"

#include "support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace callscribe::store {
namespace {

using test_support::TempDir;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(StoreOpen, SqliteWithAnAbsolutePath) {
    TempDir dir;
    std::filesystem::create_directory(dir / "data");
    const auto url = "sqlite://" + (dir / "data/callscribe.db").string();
    ASSERT_EQ(url.rfind("sqlite:///", 0), 0u);
    auto store = open_store(url);
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_TRUE(std::filesystem::exists(dir / "data/callscribe.db"));
}

TEST(StoreOpen, SqliteWithAPathRelativeToTheWorkingFolder) {
    TempDir dir;
    const auto previous = std::filesystem::current_path();
    std::filesystem::current_path(dir.path());
    std::filesystem::create_directory("data");
    auto store = open_store("sqlite://data/callscribe.db");
    std::filesystem::current_path(previous);
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_TRUE(std::filesystem::exists(dir / "data/callscribe.db"));
}

TEST(StoreOpen, AnUnknownSchemeIsNamedWithoutThePassword) {
    const auto store = open_store("mysql://callscribe:s3cret@db.example/callscribe");
    ASSERT_FALSE(store);
    EXPECT_THAT(store.error().message,
                AllOf(HasSubstr("unsupported scheme \"mysql\""), HasSubstr("db.example/callscribe"),
                      Not(HasSubstr("s3cret"))));
    EXPECT_FALSE(store.error().retryable);
}

TEST(StoreOpen, AUrlWithoutSchemeOrPathIsAnError) {
    const auto bare = open_store("data/callscribe.db");
    ASSERT_FALSE(bare);
    EXPECT_THAT(bare.error().message, HasSubstr("no scheme"));
    const auto empty = open_store("sqlite://");
    ASSERT_FALSE(empty);
    EXPECT_THAT(empty.error().message, HasSubstr("no file path"));
}

TEST(StoreOpen, AnUnopenableFileNamesTheDatabase) {
    TempDir dir;
    test_support::write_file(dir / "garbage.db", std::string(8192, '\x7f'));
    const auto store = open_store("sqlite://" + (dir / "garbage.db").string());
    ASSERT_FALSE(store);
    EXPECT_THAT(store.error().message,
                HasSubstr("database " + (dir / "garbage.db").string() + ": "));
}

} // namespace
} // namespace callscribe::store
