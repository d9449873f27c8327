#include "unit/api/api_fixture.hpp"

#include <gtest/gtest.h>

namespace callscribe::api::test {
namespace {

class RecordingDownload : public ApiFixture {
  protected:
    const std::string m_audio = "0123456789abcdefghij"; // 20 bytes
    std::string url() const { return "/api/calls/" + k_call.str() + "/download"; }
    net::ServerResponse ranged(const std::string& range) { return get(url(), {{"range", range}}); }

    // Points the call's recording_path elsewhere, as a (re)download would.
    void set_recording_path(const std::string& path) {
        auto restarted = store().restart_job(k_call, store::JobStep::transcribe, m_clock.now());
        ASSERT_TRUE(restarted && *restarted);
        auto claimed = store().claim_call_job(k_call, "test", m_clock.now(), Seconds{60});
        ASSERT_TRUE(claimed && *claimed);
        auto saved =
            store().save_job(**claimed, store::CallUpdate{.recording_path = path}, m_clock.now());
        ASSERT_TRUE(saved && *saved);
    }
};

TEST_F(RecordingDownload, TheWholeRecordingStreamedFromDisk) {
    add_transcribed_call(k_call, m_audio);
    const auto r = get(url());
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "audio/mpeg");
    EXPECT_EQ(r.header("content-disposition"), "attachment; filename=\"" + k_call.str() + ".mp3\"");
    EXPECT_EQ(r.header("accept-ranges"), "bytes");
    EXPECT_FALSE(r.header("content-range"));
    ASSERT_TRUE(r.file);
    EXPECT_EQ(r.file->path, m_dir / ("recordings/" + k_call.str() + ".mp3"));
    EXPECT_EQ(r.file->offset, 0u);
    EXPECT_FALSE(r.file->length);
    EXPECT_TRUE(r.body.empty());
}

TEST_F(RecordingDownload, WavRecordingsAreAudioWav) {
    add_transcribed_call(k_call, m_audio);
    const auto mp3 = m_dir / ("recordings/" + k_call.str() + ".mp3");
    const auto wav = m_dir / ("recordings/" + k_call.str() + ".wav");
    std::filesystem::rename(mp3, wav);
    set_recording_path("recordings/" + k_call.str() + ".wav");
    const auto r = get(url());
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "audio/wav");
    EXPECT_EQ(r.header("content-disposition"), "attachment; filename=\"" + k_call.str() + ".wav\"");
}

TEST_F(RecordingDownload, ARangeIs206WithContentRange) {
    add_transcribed_call(k_call, m_audio);
    struct Case {
        const char* range;
        std::uint64_t offset, length;
        const char* content_range;
    };
    for (const Case& c :
         {Case{"bytes=0-4", 0, 5, "bytes 0-4/20"}, Case{"bytes=10-", 10, 10, "bytes 10-19/20"},
          Case{"bytes=-3", 17, 3, "bytes 17-19/20"},
          Case{"bytes=15-100", 15, 5, "bytes 15-19/20"}}) {
        const auto r = ranged(c.range);
        ASSERT_EQ(r.status, 206) << c.range;
        EXPECT_EQ(r.header("content-range"), c.content_range);
        EXPECT_EQ(r.header("accept-ranges"), "bytes");
        ASSERT_TRUE(r.file);
        EXPECT_EQ(r.file->offset, c.offset) << c.range;
        EXPECT_EQ(r.file->length, c.length) << c.range;
    }
}

TEST_F(RecordingDownload, AnUnsatisfiableRangeIs416) {
    add_transcribed_call(k_call, m_audio);
    for (const char* range : {"bytes=20-", "bytes=25-30", "bytes=-0"}) {
        const auto r = ranged(range);
        EXPECT_EQ(r.status, 416) << range;
        EXPECT_EQ(r.header("content-range"), "bytes */20");
        EXPECT_FALSE(r.file);
        EXPECT_EQ(body_json(r)["error"], "the range is outside the recording (20 bytes)");
    }
}

TEST_F(RecordingDownload, AMalformedOrMultipleRangeIsIgnored) {
    add_transcribed_call(k_call, m_audio);
    for (const char* range : {"bytes=5-2", "bytes=abc", "lines=1-2", "bytes=0-1,4-5"}) {
        const auto r = ranged(range);
        EXPECT_EQ(r.status, 200) << range;
        ASSERT_TRUE(r.file);
        EXPECT_FALSE(r.file->length);
    }
}

TEST_F(RecordingDownload, IfRangeSendsTheWholeRecording) {
    add_transcribed_call(k_call, m_audio);
    const auto r = get(url(), {{"range", "bytes=0-4"}, {"if-range", "\"some-etag\""}});
    EXPECT_EQ(r.status, 200);
}

TEST_F(RecordingDownload, NotOnDiskIs404SayingSo) {
    ASSERT_TRUE(store().enqueue_offline_stt(k_call, k_recording, m_clock.now()));
    auto r = get(url());
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(body_json(r)["error"], "the recording of " + k_call.str() +
                                         " is not on disk (the call is waiting_for_recording)");

    add_transcribed_call(k_other_call, m_audio);
    std::filesystem::remove(m_dir / ("recordings/" + k_other_call.str() + ".mp3"));
    r = get("/api/calls/" + k_other_call.str() + "/download");
    EXPECT_EQ(r.status, 404);
}

TEST_F(RecordingDownload, ARecordingPathLeavingTheDataFolderIsNeverServed) {
    ASSERT_TRUE(store().enqueue_offline_stt(k_call, k_recording, m_clock.now()));
    test_support::write_file(m_dir / "secret.txt", "secret");
    std::filesystem::create_directories(m_dir / "recordings");
    for (const std::string& path :
         {std::string("recordings/../secret.txt"), (m_dir / "secret.txt").string()}) {
        set_recording_path(path);
        EXPECT_EQ(get(url()).status, 404) << path;
    }
}

} // namespace
} // namespace callscribe::api::test
