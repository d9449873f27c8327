#include "stt/channel_runner.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

namespace callscribe::stt {
namespace {

// Which threads ran the channels.
std::set<std::thread::id> threads_of(int channels, CoreSlots* slots,
                                     std::vector<int>* order = nullptr) {
    std::mutex mutex;
    std::set<std::thread::id> ids;
    run_channels(channels, slots, [&](int c) {
        std::lock_guard lock(mutex);
        ids.insert(std::this_thread::get_id());
        if (order) order->push_back(c);
    });
    return ids;
}

TEST(ChannelRunner, AFreeSlotRunsTheSecondChannelOnAThreadOfItsOwn) {
    CoreSlots slots(2);
    auto ids = threads_of(2, &slots);
    EXPECT_EQ(ids.size(), 2u);
    EXPECT_TRUE(slots.try_acquire() && slots.try_acquire()) << "every slot is given back";
}

TEST(ChannelRunner, WithoutAFreeSlotTheChannelsRunOneAfterTheOtherOnTheCaller) {
    CoreSlots slots(2);
    slots.acquire(); // another transcription holds one
    std::vector<int> order;
    auto ids = threads_of(2, &slots, &order);
    EXPECT_EQ(ids, std::set<std::thread::id>{std::this_thread::get_id()});
    EXPECT_EQ(order, (std::vector<int>{0, 1}));
    EXPECT_TRUE(slots.try_acquire());
    EXPECT_FALSE(slots.try_acquire());
}

TEST(ChannelRunner, WithoutSlotsEverythingRunsOnTheCaller) {
    auto ids = threads_of(3, nullptr);
    EXPECT_EQ(ids, std::set<std::thread::id>{std::this_thread::get_id()});
}

TEST(ChannelRunner, AMonoRecordingUsesOneSlot) {
    CoreSlots slots(1);
    auto ids = threads_of(1, &slots);
    EXPECT_EQ(ids.size(), 1u);
    EXPECT_TRUE(slots.try_acquire());
}

} // namespace
} // namespace callscribe::stt
