#include "stt/channel_runner.hpp"

#include "core/log.hpp"

#include <algorithm>
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

bool read_channel(audio::PcmReader& reader, int c, const std::filesystem::path& recording,
                  const ProgressFn& progress, ChannelTranscript& out,
                  const std::function<bool(std::span<const float>)>& feed) {
    const auto& info = reader.source_info();
    const double total_s = info.frames > 0 ? double(info.frames) / info.sample_rate : 0;
    std::vector<std::vector<float>> chunk;
    for (;;) {
        auto more = reader.next(chunk);
        if (!more) {
            out.error = more.error();
            return false;
        }
        if (!*more) break;
        out.audio_s += double(chunk[0].size()) / reader.rate();
        if (progress) progress(out.audio_s, total_s);
        if (!feed(chunk[std::size_t(c)])) return false;
    }
    if (c == 0 && reader.truncated())
        log().warn("{}: the recording is cut short; transcribing what is there",
                   recording.string());
    return true;
}

Result<Transcript> transcribe_channels(
    std::string engine, const std::filesystem::path& recording, audio::PcmReader& first,
    CoreSlots* slots,
    const std::function<void(audio::PcmReader&, int, ChannelTranscript&)>& channel) {
    std::vector<ChannelTranscript> results(static_cast<std::size_t>(first.channels()));
    run_channels(first.channels(), slots, [&](int c) {
        ChannelTranscript& out = results[std::size_t(c)];
        if (c == 0) return channel(first, c, out);
        auto own = audio::PcmReader::open(recording);
        if (!own) {
            out.error = own.error();
            return;
        }
        channel(*own, c, out);
    });

    Transcript transcript;
    transcript.engine = std::move(engine);
    transcript.audio_s = results.front().audio_s;
    for (auto& result : results) {
        if (result.error) return *result.error;
        transcript.segments.insert(transcript.segments.end(),
                                   std::make_move_iterator(result.segments.begin()),
                                   std::make_move_iterator(result.segments.end()));
        transcript.dropped += result.dropped;
        transcript.speech_s += result.speech_s;
        transcript.model_s += result.model_s;
        if (transcript.language.empty()) transcript.language = result.language;
    }
    std::stable_sort(transcript.segments.begin(), transcript.segments.end(),
                     [](const Segment& a, const Segment& b) { return a.start_s < b.start_s; });
    return transcript;
}

} // namespace callscribe::stt
