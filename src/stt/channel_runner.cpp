#include "stt/channel_runner.hpp"

#include <thread>
#include <vector>

namespace callscribe::stt {

void CoreSlots::acquire() {
    std::unique_lock lock(m_mutex);
    m_freed.wait(lock, [&] { return m_free > 0; });
    --m_free;
}

bool CoreSlots::try_acquire() {
    std::lock_guard lock(m_mutex);
    if (m_free == 0) return false;
    --m_free;
    return true;
}

void CoreSlots::release() {
    {
        std::lock_guard lock(m_mutex);
        ++m_free;
    }
    m_freed.notify_one();
}

void run_channels(int channels, CoreSlots* slots, const std::function<void(int)>& channel) {
    if (slots) slots->acquire();
    std::vector<std::jthread> helpers;
    std::vector<int> here = {0};
    for (int c = 1; c < channels; ++c) {
        if (slots && slots->try_acquire()) {
            helpers.emplace_back([&channel, slots, c] {
                channel(c);
                slots->release();
            });
        } else {
            here.push_back(c);
        }
    }
    for (int c : here)
        channel(c);
    helpers.clear(); // joins
    if (slots) slots->release();
}

} // namespace callscribe::stt
