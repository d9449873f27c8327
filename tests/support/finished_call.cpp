#include "support/finished_call.hpp"

#include "store/store.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace callscribe::test_support {

void add_finished_call(const std::filesystem::path& data_dir, const CallSid& call,
                       const RecordingSid& recording_sid,
                       const std::optional<std::string>& recording) {
    auto store = store::open_store("sqlite://" + (data_dir / "callscribe.db").string()).value();
    const TimePoint now = std::chrono::system_clock::now();
    ASSERT_TRUE(store->enqueue_offline_stt(call, recording_sid, now));
    auto job = store->claim_call_job(call, "test", now, Seconds{60}).value();
    ASSERT_TRUE(job);
    store::CallUpdate update{.status = store::CallStatus::gave_up};
    if (recording) {
        const std::string relative = "recordings/" + call.str() + ".mp3";
        std::filesystem::create_directories(data_dir / "recordings");
        write_file(data_dir / relative, *recording);
        update.recording_path = relative;
        update.recording_bytes = static_cast<std::int64_t>(recording->size());
    }
    job->state = store::JobState::failed;
    job->step = store::JobStep::finished;
    ASSERT_TRUE(store->finish_job(*job, update, std::nullopt, now));
}

} // namespace callscribe::test_support
