#pragma once
// A call whose offline job has ended, written into the SQLite database of a data folder before a
// service starts on it.
#include "core/sid.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace callscribe::test_support {

// The call gave up; with `recording`, those bytes are its recording on disk
// (data_dir/recordings/{CallSid}.mp3), without, the recording is only at Twilio.
void add_finished_call(const std::filesystem::path& data_dir, const CallSid& call,
                       const RecordingSid& recording_sid,
                       const std::optional<std::string>& recording = std::nullopt);

} // namespace callscribe::test_support
