#pragma once
// Engine "pocketsphinx": Debian's PocketSphinx 0.8 with its en-us model, fully offline.
//
// PocketSphinx 0.8 cannot share one loaded model between decoders, so the engine keeps pools
// (recordings; live utterances with the `live` preset; live partial words):
// each transcriber takes a loaded decoder (loading one only when the pool is empty) and gives it
// back when destroyed. create() loads the first decoder, so a bad model path fails at start.
// The engine is thread-safe; each transcriber is for one thread at a time.
//
// Silence is cut out by voice-activity detection before the decoder sees it; each speech region
// is decoded as one utterance and becomes one segment with word times. Two-channel recordings
// are decoded per channel (in parallel when a core is free: stt/channel_runner.hpp) and merged
// by time, the segments labelled with the channel labels.

#include "audio/voice_activity.hpp"
#include "stt/channel_runner.hpp"
#include "stt/transcriber.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace callscribe::stt {

// Decoder settings measured on the telephone evaluation set (bench/README.md): `fast` keeps
// transcription near a tenth of real time per core, `accurate` searches wider for a few points
// of word error rate at about three times the cost, `live` (what a call's live transcript is
// decoded with, whatever the preset of recordings) caps the search harder for a third less CPU
// at a point or two more.
enum class Preset { fast, accurate, live };

std::optional<Preset> parse_preset(std::string_view name);

struct PocketSphinxSettings {
    std::filesystem::path hmm;  // acoustic model folder
    std::filesystem::path lm;   // language model (.lm.bin or ARPA)
    std::filesystem::path dict; // pronunciation dictionary
    Preset preset = Preset::fast;
    // Decoder options on top of the preset's (same name: these win), e.g. {"-lw", "9"}.
    std::vector<std::pair<std::string, std::string>> options;
    std::vector<std::string> channel_labels{"Caller", "Agent"};
    bool skip_silence = true;
    audio::VoiceActivitySettings vad;
    // Where the channels of a recording may run in parallel; nullptr: one after the other.
    std::shared_ptr<CoreSlots> slots{};
};

// The decoder options of a preset.
const std::vector<std::pair<std::string, std::string>>& preset_options(Preset preset);

// Model files inside Debian's pocketsphinx-en-us layout: {dir}/en-us, en-us.lm.bin,
// cmudict-en-us.dict.
PocketSphinxSettings pocketsphinx_defaults(const std::filesystem::path& model_dir);

Result<std::unique_ptr<Engine>> make_pocketsphinx_engine(PocketSphinxSettings settings);

} // namespace callscribe::stt
