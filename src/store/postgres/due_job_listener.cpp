#include "store/postgres/due_job_listener.hpp"

#include "core/log.hpp"
#include "store/postgres/connection.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <system_error>

namespace callscribe::store::postgres {

namespace {

// How often the wait looks at m_stopping when nothing arrives; the eventfd makes it rarely matter.
constexpr std::chrono::milliseconds k_wait_slice{1000};

} // namespace

PostgresDueJobListener::PostgresDueJobListener(std::string url, std::string shown_url,
                                               std::function<void()> on_due, ListenerRetry retry)
    : m_url(std::move(url)), m_shown_url(std::move(shown_url)), m_on_due(std::move(on_due)),
      m_retry(retry), m_stop_fd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (m_stop_fd < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
    m_thread = std::thread([this] { run(); });
}

PostgresDueJobListener::~PostgresDueJobListener() {
    m_stopping = true;
    const std::uint64_t one = 1;
    (void)!write(m_stop_fd, &one, sizeof one);
    m_thread.join();
    close(m_stop_fd);
}

bool PostgresDueJobListener::pause_for(std::chrono::milliseconds pause) {
    pollfd stop{.fd = m_stop_fd, .events = POLLIN, .revents = 0};
    (void)poll(&stop, 1, static_cast<int>(pause.count()));
    return !m_stopping;
}

void PostgresDueJobListener::run() {
    auto pause = m_retry.first;
    bool lost = false;
    while (!m_stopping) {
        try {
            Connection db(m_url);
            db.exec("LISTEN " + std::string(k_jobs_channel));
            if (lost) log().info("database {}: listening for due jobs again", m_shown_url);
            lost = false;
            pause = m_retry.first;
            m_on_due();
            while (!m_stopping) {
                if (db.wait_for_notifications(m_stop_fd, k_wait_slice) > 0) m_on_due();
            }
        } catch (const DbError& e) {
            if (!lost) {
                log().warn("database {}: listening for due jobs failed ({}); workers poll until "
                           "it is back",
                           m_shown_url, e.what());
            }
            lost = true;
            if (!pause_for(pause)) break;
            pause = std::min(pause * 2, m_retry.most);
        }
    }
}

} // namespace callscribe::store::postgres
