#pragma once
// How many webhook delivery attempts ended how, counted by the outbox pump: for /metrics.
//
// Thread safety: the counters are atomics; any thread may add or read.
#include "store/store.hpp"

#include <atomic>
#include <cstdint>

namespace callscribe::webhook {

struct DeliveryCounts {
    std::atomic<std::uint64_t> delivered{0}; // the receiver answered 2xx
    std::atomic<std::uint64_t> retry{0};     // failed, another attempt is scheduled
    std::atomic<std::uint64_t> failed{0};    // failed for good (4xx or out of attempts)

    // Counts the state an attempt left its delivery in.
    void add(store::DeliveryState outcome) {
        switch (outcome) {
        case store::DeliveryState::delivered:
            ++delivered;
            return;
        case store::DeliveryState::pending:
            ++retry;
            return;
        case store::DeliveryState::failed:
            ++failed;
            return;
        }
    }
};

} // namespace callscribe::webhook
