#pragma once
// LISTEN on the channel PostgresStore's NOTIFYs go to, on a connection and a thread of its own,
// and call `on_due` for every batch of notifications that arrives.
//
// - After (re)connecting it calls `on_due` once: notifications sent while it was not listening
//   are lost, so the workers look for themselves.
// - A lost connection (database restart, terminated backend) is logged once and retried with a
//   growing pause (`retry_first` doubling up to `retry_most`); the return is logged too.
// - Destruction stops the thread at once (an eventfd wakes its poll), and closes the connection.
//
// Thread safety: `on_due` runs on the listener's thread; it must be quick and must not throw.

#include "store/store.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

namespace callscribe::store::postgres {

// Workers that LISTEN on this channel hear when a job of the lane in the payload became due.
inline constexpr std::string_view k_jobs_channel = "callscribe_jobs";

struct ListenerRetry {
    std::chrono::milliseconds first{500};
    std::chrono::milliseconds most{10'000};
};

class PostgresDueJobListener final : public DueJobListener {
  public:
    // `url` connects (it may hold a password); `shown_url` is the one to print.
    PostgresDueJobListener(std::string url, std::string shown_url, std::function<void()> on_due,
                           ListenerRetry retry = {});
    ~PostgresDueJobListener() override;
    PostgresDueJobListener(const PostgresDueJobListener&) = delete;
    PostgresDueJobListener& operator=(const PostgresDueJobListener&) = delete;

  private:
    void run();
    // Waits `pause` unless stopped first; false once stopping.
    bool pause_for(std::chrono::milliseconds pause);

    const std::string m_url;
    const std::string m_shown_url;
    const std::function<void()> m_on_due;
    const ListenerRetry m_retry;
    int m_stop_fd = -1;
    std::atomic<bool> m_stopping{false};
    std::thread m_thread;
};

} // namespace callscribe::store::postgres
