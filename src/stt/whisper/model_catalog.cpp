#include "stt/whisper/model_catalog.hpp"

#include <algorithm>
#include <array>

namespace callscribe::stt::whisper {
namespace {

// Sizes and SHA-256 of the files as published (their Git LFS object ids).
constexpr std::array<KnownModel, 13> k_models{{
    {"tiny.en-q8_0", 43'550'795, "5bc2b3860aa151a4c6e7bb095e1fcce7cf12c7b020ca08dcec0c6d018bb7dd94",
     "smallest and fastest English; for trying things out"},
    {"base.en-q5_1", 59'721'011, "4baf70dd0d7c4247ba2b81fafd9c01005ac77c2f9ef064e00dcf195d0e2fdd2f",
     "base.en at 40 % of the size, a little less accurate"},
    {"tiny", 77'691'713, "be07e048e1e599ad46341c8d2a135645097a538221678b7acdd1b1919c6e1b21",
     "fastest multilingual; rough on telephone audio"},
    {"tiny.en", 77'704'715, "921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f",
     "fastest English; rough on telephone audio"},
    {"base.en-q8_0", 81'781'811, "a4d4a0768075e13cfd7e19df3ae2dbc4a68d37d36a7dad45e8410c9a34f8c87e",
     "base.en at half the size, nearly the same accuracy"},
    {"base", 147'951'465, "60ed5bc3dd14eea856493d334349b405782ddcaf0028d4b5df4088345fba2efe",
     "multilingual calls on a small machine"},
    {"base.en", 147'964'211, "a03779c86df3323075f5e796cb2ce5029f00ec8869eee3fdfb897afe36c6d002",
     "English calls on a small machine: the recommended start"},
    {"small.en-q5_1", 190'098'681,
     "bfdff4894dcb76bbf647d56263ea2a96645423f1669176f4844a1bf8e478ad30",
     "small.en at 40 % of the size"},
    {"small.en-q8_0", 264'477'561,
     "67a179f608ea6114bd3fdb9060e762b588a3fb3bd00c4387971be4d177958067",
     "small.en at half the size, nearly the same accuracy"},
    {"small", 487'601'967, "1be3a9b2063867b937e64e2ec7483364a79917e157fa98c5d94b5c1fffea987b",
     "multilingual calls where accuracy matters more than speed"},
    {"small.en", 487'614'201, "c6138d6d58ecc8322097e0f987c32f1be8bb0a18532a3f88f734d1bbf9c41e5d",
     "English calls where accuracy matters more than speed"},
    {"large-v3-turbo-q5_0", 574'041'195,
     "394221709cd5ad1f40c46e6031ca61bce88931e6e088c188294c6d5a55ffa7e2",
     "near the best accuracy, many languages; wants several cores per call"},
    {"medium.en", 1'533'774'781, "cc37e93478338ec7700281a7ac30a10128929eb8f427dda2e865faa8f6da4356",
     "English, more accurate than small.en at three times the cost"},
}};

} // namespace

std::string KnownModel::file_name() const {
    return "ggml-" + std::string(name) + ".bin";
}

std::span<const KnownModel> known_models() {
    return k_models;
}

std::optional<KnownModel> find_known_model(std::string_view name) {
    auto it = std::find_if(k_models.begin(), k_models.end(),
                           [&](const KnownModel& m) { return m.name == name; });
    if (it == k_models.end()) return std::nullopt;
    return *it;
}

} // namespace callscribe::stt::whisper
