#include "store/store.hpp"

#include <filesystem>

#include "net/http_client.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/sqlite/sqlite_store.hpp"

#include <fmt/format.h>

#include <type_traits>

#include <array>
#include <utility>

namespace callscribe::store {

namespace {

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& names, E value) {
    for (const auto& [e, name] : names) {
        if (e == value) return name;
    }
    CALLSCRIBE_ASSERT(false && "enum value without a name");
    return {};
}

template <class E, std::size_t N>
std::optional<E> value_of(const std::array<std::pair<E, std::string_view>, N>& names,
                          std::string_view text) {
    for (const auto& [e, name] : names) {
        if (name == text) return e;
    }
    return std::nullopt;
}

// The names are stored in databases: they never change.
constexpr std::array<std::pair<CallStatus, std::string_view>, 5> k_call_statuses{{
    {CallStatus::waiting_for_recording, "waiting_for_recording"},
    {CallStatus::downloading, "downloading"},
    {CallStatus::transcribing, "transcribing"},
    {CallStatus::done, "done"},
    {CallStatus::gave_up, "gave_up"},
}};
constexpr std::array<std::pair<TranscriptSource, std::string_view>, 3> k_transcript_sources{{
    {TranscriptSource::none, "none"},
    {TranscriptSource::offline, "offline"},
    {TranscriptSource::realtime, "realtime"},
}};
constexpr std::array<std::pair<JobStep, std::string_view>, 4> k_job_steps{{
    {JobStep::resolve, "resolve"},
    {JobStep::download, "download"},
    {JobStep::transcribe, "transcribe"},
    {JobStep::finished, "finished"},
}};
constexpr std::array<std::pair<Lane, std::string_view>, 2> k_lanes{{
    {Lane::io, "io"},
    {Lane::cpu, "cpu"},
}};
constexpr std::array<std::pair<JobState, std::string_view>, 4> k_job_states{{
    {JobState::queued, "queued"},
    {JobState::running, "running"},
    {JobState::done, "done"},
    {JobState::failed, "failed"},
}};
constexpr std::array<std::pair<RealtimeSource, std::string_view>, 4> k_realtime_sources{{
    {RealtimeSource::none, ""},
    {RealtimeSource::api, "api"},
    {RealtimeSource::twilio_rtt, "twilio_rtt"},
    {RealtimeSource::media_stream, "media_stream"},
}};
constexpr std::array<std::pair<DeliveryState, std::string_view>, 3> k_delivery_states{{
    {DeliveryState::pending, "pending"},
    {DeliveryState::delivered, "delivered"},
    {DeliveryState::failed, "failed"},
}};

} // namespace

std::string_view to_string(CallStatus status) {
    return name_of(k_call_statuses, status);
}
std::optional<CallStatus> parse_call_status(std::string_view text) {
    return value_of(k_call_statuses, text);
}

std::string_view to_string(TranscriptSource source) {
    return name_of(k_transcript_sources, source);
}
std::optional<TranscriptSource> parse_transcript_source(std::string_view text) {
    return value_of(k_transcript_sources, text);
}

std::string_view to_string(RealtimeSource source) {
    return name_of(k_realtime_sources, source);
}
std::optional<RealtimeSource> parse_realtime_source(std::string_view text) {
    return value_of(k_realtime_sources, text);
}

std::string_view to_string(JobStep step) {
    return name_of(k_job_steps, step);
}
std::optional<JobStep> parse_job_step(std::string_view text) {
    return value_of(k_job_steps, text);
}

std::string_view to_string(Lane lane) {
    return name_of(k_lanes, lane);
}
std::optional<Lane> parse_lane(std::string_view text) {
    return value_of(k_lanes, text);
}

std::string_view to_string(JobState state) {
    return name_of(k_job_states, state);
}
std::optional<JobState> parse_job_state(std::string_view text) {
    return value_of(k_job_states, text);
}

std::string_view to_string(DeliveryState state) {
    return name_of(k_delivery_states, state);
}
std::optional<DeliveryState> parse_delivery_state(std::string_view text) {
    return value_of(k_delivery_states, text);
}

void apply(CallLog& call, const CallUpdate& update) {
    for_each_call_field([&](std::string_view, auto from, auto to) {
        const auto& value = update.*from;
        if (!value) return;
        if constexpr (std::is_same_v<std::remove_cvref_t<decltype(call.*to)>,
                                     std::remove_cvref_t<decltype(value)>>) {
            call.*to = value; // an optional member of the log too
        } else {
            call.*to = *value;
        }
    });
}

// The one registry of Store adapters: the URL's scheme picks one.
Result<std::unique_ptr<Store>> open_store(std::string_view database_url,
                                          const StoreOptions& options) {
    const auto shown = net::redact_url(database_url);
    const auto scheme_end = database_url.find("://");
    if (scheme_end == std::string_view::npos) {
        return fail(fmt::format("database URL {}: no scheme (expected sqlite://PATH or "
                                "postgresql://…)",
                                shown));
    }
    const auto scheme = database_url.substr(0, scheme_end);
    if (scheme == "sqlite") {
        // sqlite://data/x.db is relative to the working folder, sqlite:///abs/x.db absolute.
        const auto path = database_url.substr(scheme_end + 3);
        if (path.empty()) {
            return fail(fmt::format("database URL {}: no file path after sqlite://", shown));
        }
        auto opened = sqlite::SqliteStore::open(std::filesystem::path(path));
        if (!opened) return opened.error();
        return std::unique_ptr<Store>(std::move(*opened));
    }
    if (scheme == "postgresql" || scheme == "postgres") {
        if (options.pool_size < 1) {
            return fail(
                fmt::format("database URL {}: a pool of {} connections", shown, options.pool_size));
        }
        auto opened = postgres::PostgresStore::open(std::string(database_url),
                                                    {.pool_size = options.pool_size});
        if (!opened) return opened.error();
        return std::unique_ptr<Store>(std::move(*opened));
    }
    return fail(fmt::format("database URL {}: unsupported scheme \"{}\" (supported: sqlite, "
                            "postgresql)",
                            shown, scheme));
}

std::string_view to_string(AudioSource source) {
    switch (source) {
    case AudioSource::none:
        return "";
    case AudioSource::twilio:
        return "twilio";
    case AudioSource::media_stream:
        return "media_stream";
    }
    CALLSCRIBE_ASSERT(false);
}

AudioSource CallLog::audio_source() const {
    if (recording_path.empty()) return AudioSource::none;
    const auto name = std::filesystem::path(recording_path).filename().string();
    // {CallSid}.stream.wav, or {CallSid}.stream-2.wav for a later stream of the call.
    const bool stream = name.find(".stream") != std::string::npos && name.ends_with(".wav");
    return stream ? AudioSource::media_stream : AudioSource::twilio;
}

} // namespace callscribe::store
