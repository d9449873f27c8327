#pragma once
// The Store contract tests: what they run against, their fixture and the helpers they share.
//
// A backend gives a fresh, empty database per test and opens any number of independent Store
// objects on it (as separate processes would). To run the contract against another adapter,
// add its backend to `StoreBackends`.

#include "store/store.hpp"
#include "support/postgres_server.hpp"
#include "support/temp_dir.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace callscribe::store::test {

class SqliteBackend {
  public:
    static constexpr const char* k_name = "sqlite";

    std::filesystem::path file() const { return m_dir / "data/callscribe.db"; }
    std::string url() const { return "sqlite://" + file().string(); } // absolute: sqlite:///…
    std::unique_ptr<Store> open() const { return open_store(url()).value(); }

  private:
    test_support::TempDir m_dir;
    bool m_folder = std::filesystem::create_directory(m_dir / "data"); // the store creates none
};

// A fresh database per test on the tests' PostgreSQL server (support/postgres_server.hpp).
class PostgresBackend {
  public:
    static constexpr const char* k_name = "postgres";

    const std::string& url() const { return m_database.url(); }
    std::unique_ptr<Store> open() const { return open_store(url()).value(); }

  private:
    test_support::PostgresDatabase m_database;
};

using StoreBackends = ::testing::Types<SqliteBackend, PostgresBackend>;

struct BackendName {
    template <class Backend> static std::string GetName(int) { return Backend::k_name; }
};

// Test SIDs: CA/RE followed by the number in 32 hex digits.
inline CallSid call_sid(int n) {
    return *CallSid::parse(fmt::format("CA{:032x}", n));
}
inline RecordingSid recording_sid(int n) {
    return *RecordingSid::parse(fmt::format("RE{:032x}", n));
}

// A fixed origin, so that times in failure messages are readable; at(90) is 90 s after it.
inline const TimePoint k_t0 = std::chrono::sys_days{std::chrono::year{2026} / 3 / 1};
inline TimePoint at(double seconds) {
    return k_t0 + std::chrono::duration_cast<TimePoint::duration>(Seconds(seconds));
}

inline std::string show(TimePoint t) {
    return fmt::format("{}", std::chrono::duration_cast<std::chrono::microseconds>(
                                 t.time_since_epoch() - k_t0.time_since_epoch())
                                 .count());
}
template <class T> std::string show(const std::optional<T>& value) {
    if (!value) return "-";
    if constexpr (std::is_same_v<T, TimePoint>) {
        return show(*value);
    } else if constexpr (requires { value->str(); }) {
        return value->str();
    } else if constexpr (requires { to_string(*value); }) {
        return std::string(to_string(*value));
    } else {
        return fmt::format("{}", *value);
    }
}

// Every member, so that two records compare equal exactly when their descriptions do.
inline std::string describe(const CallLog& c) {
    return fmt::format(
        "call {} status={} rec={} path={} bytes={} dur={} ch={} rt=[{}] rt_source={} "
        "final=[{}] json=[{}] source={} error=[{}] created={} updated={} "
        "from={} to={} direction={} call_status={} call_dur={}",
        c.call_sid.str(), to_string(c.status), show(c.recording_sid), c.recording_path,
        c.recording_bytes, show(c.recording_duration_s), c.recording_channels,
        c.realtime_transcript, to_string(c.realtime_source), c.final_transcript,
        c.final_transcript_json, show(c.transcript_source), c.last_error, show(c.created_at),
        show(c.updated_at), c.details.from, c.details.to, c.details.direction,
        c.details.call_status, show(c.details.duration_s));
}
inline std::string describe(const Job& j) {
    return fmt::format("job {} {} state={} step={} lane={} rec={} url={} ready={} transient={} "
                       "format={} gen={} run_at={} owner=[{}] expires={} created={} updated={}",
                       j.id, j.call_sid.str(), to_string(j.state), to_string(j.step),
                       to_string(j.lane), show(j.recording_sid), j.media_url, j.ready_attempts,
                       j.transient_attempts, j.format_index, j.generation, show(j.run_at),
                       j.lease_owner, show(j.lease_expires), show(j.created_at),
                       show(j.updated_at));
}
inline std::string describe(const WebhookDelivery& w) {
    return fmt::format("webhook {} {} [{}] state={} attempts={} next={} status={} error=[{}] "
                       "owner=[{}] expires={} created={} delivered={}",
                       w.id, w.call_sid.str(), w.payload, to_string(w.state), w.attempts,
                       show(w.next_attempt_at), w.last_status, w.last_error, w.lease_owner,
                       show(w.lease_expires), show(w.created_at), show(w.delivered_at));
}
template <class T> std::string describe(const std::optional<T>& value) {
    return value ? describe(*value) : "none";
}
template <class T> std::string describe(const std::vector<T>& values) {
    std::string out;
    for (const auto& v : values) {
        out += describe(v) + "\n";
    }
    return out;
}

inline constexpr Seconds k_lease{60};

// A database at schema version 1 (before jobs had recording_path) holding one call whose
// recording was downloaded and whose job waits to transcribe it: SQL both stores accept.
inline std::string v1_call_awaiting_transcription() {
    const std::string call = call_sid(1).str();
    return "INSERT INTO calls (call_sid, status, recording_path, created_at_us, updated_at_us) "
           "VALUES ('" +
           call + "', 'transcribing', 'recordings/" + call +
           ".mp3', 1, 1); "
           "INSERT INTO jobs (kind, call_sid, state, step, lane, run_at_us, created_at_us, "
           "updated_at_us) VALUES ('offline_stt', '" +
           call +
           "', 'queued', 'transcribe', 'cpu', "
           "1, 1, 1);";
}

// A database at schema version 4 (before the search index) holding two calls with
// transcripts, one final and one realtime: SQL both stores accept.
inline std::string v4_calls_with_transcripts() {
    return "INSERT INTO calls (call_sid, status, final_transcript, transcript_source, "
           "created_at_us, updated_at_us) VALUES ('" +
           call_sid(1).str() +
           "', 'done', 'the customer asked for a refund', 'offline', 1, 1); "
           "INSERT INTO calls (call_sid, status, realtime_transcript, realtime_source, "
           "created_at_us, updated_at_us) VALUES ('" +
           call_sid(2).str() + "', 'waiting_for_recording', 'a refund was promised', 'api', 2, 2);";
}

// A fresh database per test, opened once; helpers for the steps every test takes.
template <class Backend> class StoreContract : public ::testing::Test {
  protected:
    Store& store() { return *m_store; }

    Job enqueue(int n, TimePoint now, std::optional<RecordingSid> recording = std::nullopt) {
        return store().enqueue_offline_stt(call_sid(n), recording, now).value().job;
    }
    Job claim(Lane lane, std::string_view owner, TimePoint now) {
        auto job = store().claim_job(lane, owner, now, k_lease).value();
        EXPECT_TRUE(job) << owner << " found no job at " << show(now);
        return job.value();
    }
    std::optional<Job> try_claim(Lane lane, std::string_view owner, TimePoint now) {
        return store().claim_job(lane, owner, now, k_lease).value();
    }
    CallLog call(int n) { return store().find_call(call_sid(n)).value().value(); }
    Job job(int n) { return store().find_job(call_sid(n)).value().value(); }
    // What a worker hands back at the end: done, with a transcript and a webhook.
    bool finish(Job job, TimePoint now, std::string webhook_id, std::string payload = "{}") {
        job.state = JobState::done;
        job.step = JobStep::finished;
        const CallUpdate update{.status = CallStatus::done,
                                .final_transcript = "hello",
                                .transcript_source = TranscriptSource::offline};
        const WebhookDelivery webhook{.id = std::move(webhook_id),
                                      .call_sid = job.call_sid,
                                      .payload = std::move(payload),
                                      .next_attempt_at = now,
                                      .created_at = now};
        return store().finish_job(job, update, webhook, now).value();
    }

    Backend m_backend;
    std::unique_ptr<Store> m_store = m_backend.open();
};

} // namespace callscribe::store::test
