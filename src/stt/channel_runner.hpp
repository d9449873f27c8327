#pragma once
// The channels of one recording transcribed in parallel when a core is free.
//
// CoreSlots counts the transcription slots of a process (CALLSCRIBE_WORKERS, or `transcribe -j`).
// A transcription holds one slot while it runs; for each further channel it asks for another
// without waiting, and runs that channel on a thread of its own when it gets one, on its own
// thread after the others when it does not. So an idle machine decodes a two-channel call on two
// cores, and a busy one is never oversubscribed. Thread-safe.

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>

namespace callscribe::stt {

class CoreSlots {
  public:
    explicit CoreSlots(int slots) : m_free(slots < 1 ? 1 : slots) {}

    // Waits for a slot.
    void acquire();
    // Takes a slot if one is free now.
    bool try_acquire();
    void release();

  private:
    std::mutex m_mutex;
    std::condition_variable m_freed;
    int m_free;
};

// Runs `channel(c)` for c in [0, channels): channel 0 on the calling thread, the others on
// threads of their own where `slots` has one free (nullptr: one after the other). Holds a slot
// for the calling thread meanwhile. Returns when every channel is done. `channel` must not throw.
void run_channels(int channels, CoreSlots* slots, const std::function<void(int)>& channel);

} // namespace callscribe::stt
