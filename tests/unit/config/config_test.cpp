#include "config/config.hpp"
#include "config/raw_values.hpp"
#include "support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <thread>
#include <unistd.h>

namespace callscribe::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* k_account_sid = "AC0123456789abcdef0123456789abcdef";
constexpr const char* k_api_key = "SK0123456789ABCDEF0123456789ABCDEF";
constexpr const char* k_secret = "s3cr3t-value-that-must-not-leak";
// "whsec_" + base64("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") as in the Standard Webhooks examples.
constexpr const char* k_webhook_secret = "whsec_TWZLUTlyOEdLWXFyVHdqVVBEOElMUFpJbzJMYUxhU3c=";

std::vector<double> counts(const std::vector<Seconds>& delays) {
    std::vector<double> out;
    for (const auto& d : delays)
        out.push_back(d.count());
    return out;
}

// Runs load_config and returns the error line; fails the test when nothing was thrown.
std::string error_of(const Environment& env,
                     const std::optional<std::filesystem::path>& file = std::nullopt) {
    try {
        load_config(env, file);
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
        return e.what();
    }
    ADD_FAILURE() << "no ConfigError";
    return {};
}

class ConfigFile : public ::testing::Test {
  protected:
    std::filesystem::path write(const std::string& content) {
        auto path = m_dir / "callscribe.toml";
        test_support::write_file(path, content);
        return path;
    }

    test_support::TempDir m_dir;
};

// --- defaults ---------------------------------------------------------------------------------

TEST(ConfigDefaults, EmptyEnvironmentGivesTheDocumentedDefaults) {
    Config c = load_config({});
    EXPECT_EQ(c.twilio.account_sid, "");
    EXPECT_TRUE(c.twilio.auth_token.empty());
    EXPECT_EQ(c.twilio.api_base, "https://api.twilio.com");
    EXPECT_EQ(c.storage.data_dir, std::filesystem::path("./data"));
    EXPECT_EQ(c.storage.database_url, "sqlite://./data/callscribe.db");
    EXPECT_EQ(c.http.listen, "127.0.0.1:8080");
    EXPECT_EQ(c.http.public_url, "http://127.0.0.1:8080");
    EXPECT_TRUE(c.http.api_token.empty());
    EXPECT_EQ(c.voice.next.kind, VoiceContinue::Kind::none);
    EXPECT_EQ(c.voice.realtime, "twilio");
    EXPECT_EQ(c.webhook.url, "");
    EXPECT_TRUE(c.webhook.secret.empty());
    EXPECT_EQ(counts(c.webhook.backoff),
              (std::vector<double>{5, 300, 1800, 7200, 18000, 36000, 36000}));
    EXPECT_EQ(counts(c.jobs.ready_backoff), (std::vector<double>{3, 5, 5, 10, 10}));
    EXPECT_EQ(c.jobs.not_found_wait.count(), 5);
    int cores = static_cast<int>(std::thread::hardware_concurrency());
    EXPECT_EQ(c.jobs.workers, std::clamp(cores, 1, 256));
    EXPECT_EQ(c.stt.engine, "pocketsphinx");
    EXPECT_FALSE(c.stt.ps_model_dir.empty());
    EXPECT_EQ(c.stt.ps_hmm, c.stt.ps_model_dir / "en-us");
    EXPECT_EQ(c.stt.url, "https://api.openai.com");
    EXPECT_EQ(c.stt.model, "whisper-1");
    EXPECT_EQ(c.stt.language, "en");
    EXPECT_EQ(c.stt.prompt, "");
    EXPECT_TRUE(c.stt.whisper_model.empty());
    EXPECT_EQ(c.stt.whisper_threads, 0); // cores / workers
    EXPECT_EQ(c.stt.model_base_url, "https://huggingface.co/ggerganov/whisper.cpp/resolve/main");
    EXPECT_EQ(c.stt.channel_labels, (std::vector<std::string>{"Caller", "Agent"}));
    EXPECT_EQ(c.stt.ps_preset, "fast");
}

TEST(ConfigDefaults, PublicUrlIsDerivedFromListen) {
    Config c = load_config({{"CALLSCRIBE_LISTEN", "0.0.0.0:9000"}});
    EXPECT_EQ(c.http.public_url, "http://0.0.0.0:9000");
    c = load_config({{"CALLSCRIBE_LISTEN", "[::1]:9000"}});
    EXPECT_EQ(c.http.public_url, "http://[::1]:9000");
}

TEST(ConfigDefaults, ListenPortZeroPicksAFreePort) {
    Config c = load_config({{"CALLSCRIBE_LISTEN", "127.0.0.1:0"}});
    EXPECT_EQ(c.http.listen, "127.0.0.1:0");
}

TEST(ConfigDefaults, DatabaseUrlIsDerivedFromDataDir) {
    Config c = load_config({{"CALLSCRIBE_DATA_DIR", "/var/lib/callscribe"}});
    EXPECT_EQ(c.storage.data_dir, std::filesystem::path("/var/lib/callscribe"));
    EXPECT_EQ(c.storage.database_url, "sqlite:///var/lib/callscribe/callscribe.db");
}

TEST(ConfigDefaults, ServerDatabaseUrlsAreTakenAsTheyAreWithAPoolOfEight) {
    Config c = load_config({});
    EXPECT_EQ(c.storage.database_pool, 8);
    for (const char* url : {"postgresql://app:pw@db.example:5432/calls?sslmode=require",
                            "postgres://db.example/calls", "postgresql:///calls?host=/run/pg"}) {
        c = load_config({{"CALLSCRIBE_DATABASE_URL", url}, {"CALLSCRIBE_DATABASE_POOL", "20"}});
        EXPECT_EQ(c.storage.database_url, url);
        EXPECT_EQ(c.storage.database_pool, 20);
    }
    const std::string text = describe(c);
    EXPECT_THAT(text, HasSubstr("CALLSCRIBE_DATABASE_POOL = 20\n"));
    c = load_config({{"CALLSCRIBE_DATABASE_URL", "postgresql://app:hunter2pw@db/calls"}});
    EXPECT_THAT(describe(c), Not(HasSubstr("hunter2pw")));
}

TEST(ConfigDefaults, PocketSphinxPathsAreDerivedFromModelDir) {
    Config c = load_config({{"CALLSCRIBE_PS_MODEL_DIR", "/models"}});
    EXPECT_EQ(c.stt.ps_hmm, std::filesystem::path("/models/en-us"));
    EXPECT_EQ(c.stt.ps_lm, std::filesystem::path("/models/en-us.lm.bin"));
    EXPECT_EQ(c.stt.ps_dict, std::filesystem::path("/models/cmudict-en-us.dict"));
    c = load_config({{"CALLSCRIBE_PS_MODEL_DIR", "/models"}, {"CALLSCRIBE_PS_LM", "/other.lm"}});
    EXPECT_EQ(c.stt.ps_lm, std::filesystem::path("/other.lm"));
    EXPECT_EQ(c.stt.ps_hmm, std::filesystem::path("/models/en-us"));
}

TEST(ConfigDefaults, EmptyValuesCountAsUnset) {
    Config c = load_config({{"CALLSCRIBE_LISTEN", ""}, {"TWILIO_ACCOUNT_SID", ""}});
    EXPECT_EQ(c.http.listen, "127.0.0.1:8080");
    EXPECT_EQ(c.twilio.account_sid, "");
}

// --- environment ------------------------------------------------------------------------------

TEST(ConfigEnvironment, ReadsEveryVariable) {
    Config c = load_config({
        {"TWILIO_ACCOUNT_SID", k_account_sid},
        {"TWILIO_AUTH_TOKEN", "token"},
        {"TWILIO_API_KEY", k_api_key},
        {"TWILIO_API_SECRET", "apisecret"},
        {"TWILIO_API_BASE", "http://127.0.0.1:4010/"},
        {"CALLSCRIBE_DATABASE_URL", "sqlite:///tmp/x.db"},
        {"CALLSCRIBE_PUBLIC_URL", "https://calls.example.com/base/"},
        {"CALLSCRIBE_API_TOKEN", "apitoken"},
        {"CALLSCRIBE_WEBHOOK_URL", "https://hooks.example.com/t?k=1"},
        {"CALLSCRIBE_WEBHOOK_SECRET", k_webhook_secret},
        {"CALLSCRIBE_READY_BACKOFF", " 1.5, 2 ,.5"},
        {"CALLSCRIBE_NOT_FOUND_WAIT", "0"},
        {"CALLSCRIBE_WEBHOOK_BACKOFF", "1"},
        {"CALLSCRIBE_STT_ENGINE", "openai"},
        {"CALLSCRIBE_STT_URL", "http://localhost:8000"},
        {"CALLSCRIBE_STT_MODEL", "large-v3"},
        {"OPENAI_API_KEY", "sk-abc"},
        {"CALLSCRIBE_STT_LANGUAGE", "en"},
        {"CALLSCRIBE_CHANNEL_LABELS", "Customer"},
        {"CALLSCRIBE_PS_PRESET", "accurate"},
        {"CALLSCRIBE_WORKERS", "3"},
        {"CALLSCRIBE_VOICE_CONTINUE", "https://app.example.com/twiml?step=agent"},
        {"CALLSCRIBE_REALTIME", "none"},
        {"CALLSCRIBE_LIVE_WORKERS", "0"},
    });
    EXPECT_EQ(c.voice.next.kind, VoiceContinue::Kind::redirect);
    EXPECT_EQ(c.voice.next.target, "https://app.example.com/twiml?step=agent");
    EXPECT_EQ(c.voice.realtime, "none");
    EXPECT_EQ(c.voice.live_workers, 0);
    EXPECT_EQ(c.twilio.account_sid, k_account_sid);
    EXPECT_EQ(c.twilio.auth_token.reveal(), "token");
    EXPECT_EQ(c.twilio.api_key, k_api_key);
    EXPECT_EQ(c.twilio.api_secret.reveal(), "apisecret");
    EXPECT_EQ(c.twilio.api_base, "http://127.0.0.1:4010");
    EXPECT_EQ(c.storage.database_url, "sqlite:///tmp/x.db");
    EXPECT_EQ(c.http.public_url, "https://calls.example.com/base");
    EXPECT_EQ(c.http.api_token.reveal(), "apitoken");
    EXPECT_EQ(c.webhook.url, "https://hooks.example.com/t?k=1");
    EXPECT_EQ(c.webhook.secret.reveal(), "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    EXPECT_EQ(counts(c.jobs.ready_backoff), (std::vector<double>{1.5, 2, 0.5}));
    EXPECT_EQ(c.jobs.not_found_wait.count(), 0);
    EXPECT_EQ(counts(c.webhook.backoff), (std::vector<double>{1}));
    EXPECT_EQ(c.stt.engine, "openai");
    EXPECT_EQ(c.stt.url, "http://localhost:8000");
    EXPECT_EQ(c.stt.model, "large-v3");
    EXPECT_EQ(c.stt.api_key.reveal(), "sk-abc");
    EXPECT_EQ(c.stt.language, "en");
    EXPECT_EQ(c.stt.channel_labels, (std::vector<std::string>{"Customer"}));
    EXPECT_EQ(c.stt.ps_preset, "accurate");
    EXPECT_EQ(c.jobs.workers, 3);
}

TEST(ConfigEnvironment, TheVoiceContinuationIsANumberASipAddressOrAUrl) {
    auto next = load_config({{"CALLSCRIBE_VOICE_CONTINUE", "+15551234567"}}).voice.next;
    EXPECT_EQ(next.kind, VoiceContinue::Kind::dial_number);
    EXPECT_EQ(next.target, "+15551234567");
    next = load_config({{"CALLSCRIBE_VOICE_CONTINUE", "sip:desk@pbx.example.com"}}).voice.next;
    EXPECT_EQ(next.kind, VoiceContinue::Kind::dial_sip);
    EXPECT_EQ(next.target, "sip:desk@pbx.example.com");
}

TEST(ConfigEnvironment, OpenAiEngineWithoutUrlUsesTheDefault) {
    Config c = load_config({{"CALLSCRIBE_STT_ENGINE", "openai"}, {"OPENAI_API_KEY", "sk-x"}});
    EXPECT_EQ(c.stt.url, "https://api.openai.com");
}

TEST(ConfigEnvironment, ProcessEnvironmentReadsTheRealEnvironment) {
    ::setenv("CALLSCRIBE_CONFIG_TEST_PROBE", "a=b", 1);
    Environment env = process_environment();
    ::unsetenv("CALLSCRIBE_CONFIG_TEST_PROBE");
    EXPECT_EQ(env["CALLSCRIBE_CONFIG_TEST_PROBE"], "a=b");
}

// --- TOML -------------------------------------------------------------------------------------

TEST_F(ConfigFile, EmptyFileIsAnEmptyConfiguration) {
    Config c = load_config({}, write(""));
    EXPECT_EQ(c.stt.engine, "pocketsphinx");
    EXPECT_EQ(c.http.listen, "127.0.0.1:8080");
}

TEST_F(ConfigFile, UpperAndLowerCaseKeys) {
    auto file = write(R"(
TWILIO_ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"
callscribe_listen = "127.0.0.1:9090"
callscribe_workers = 7
callscribe_not_found_wait = 2.5
)");
    Config c = load_config({}, file);
    EXPECT_EQ(c.twilio.account_sid, k_account_sid);
    EXPECT_EQ(c.http.listen, "127.0.0.1:9090");
    EXPECT_EQ(c.http.public_url, "http://127.0.0.1:9090");
    EXPECT_EQ(c.jobs.workers, 7);
    EXPECT_EQ(c.jobs.not_found_wait.count(), 2.5);
}

TEST_F(ConfigFile, ArraysForListsAndStringListsToo) {
    auto file = write(R"(
callscribe_ready_backoff = [1, 2.5, 4]
CALLSCRIBE_WEBHOOK_BACKOFF = "10,20"
callscribe_channel_labels = ["Customer, VIP", "Agent"]
)");
    Config c = load_config({}, file);
    EXPECT_EQ(counts(c.jobs.ready_backoff), (std::vector<double>{1, 2.5, 4}));
    EXPECT_EQ(counts(c.webhook.backoff), (std::vector<double>{10, 20}));
    EXPECT_EQ(c.stt.channel_labels, (std::vector<std::string>{"Customer, VIP", "Agent"}));
}

TEST_F(ConfigFile, EnvironmentWinsOverFileAndEmptyEnvDoesNotHideIt) {
    auto file = write(R"(
callscribe_listen = "127.0.0.1:9090"
callscribe_workers = 7
callscribe_stt_model = "from-file"
)");
    Config c = load_config({{"CALLSCRIBE_WORKERS", "2"}, {"CALLSCRIBE_STT_MODEL", ""}}, file);
    EXPECT_EQ(c.jobs.workers, 2);
    EXPECT_EQ(c.http.listen, "127.0.0.1:9090");
    EXPECT_EQ(c.stt.model, "from-file");
}

TEST_F(ConfigFile, UnknownKeyNamesKeyAndFileWithASuggestion) {
    auto file = write("callscribe_listen = \"127.0.0.1:1\"\ntwilio_acount_sid = \"AC\"\n");
    std::string e = error_of({}, file);
    EXPECT_THAT(e, HasSubstr(file.string() + ":2:"));
    EXPECT_THAT(e, HasSubstr("unknown key \"twilio_acount_sid\""));
    EXPECT_THAT(e, HasSubstr("did you mean twilio_account_sid?"));
}

TEST_F(ConfigFile, AnUnknownKeyWithANewlineIsNamedOnOneLine) {
    std::string e = error_of({}, write("\"a\\nb\" = 1\n"));
    EXPECT_THAT(e, HasSubstr("unknown key \"a\\x0ab\""));
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
}

TEST_F(ConfigFile, ASyntaxErrorAboutAControlCharacterIsOneLine) {
    std::string e = error_of({}, write(std::string("callscribe_listen = \"a\rb\x01\"\n")));
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
    EXPECT_EQ(e.find('\r'), std::string::npos) << e;
}

TEST_F(ConfigFile, TablesAreUnknownKeys) {
    auto file = write("[twilio]\naccount_sid = \"AC\"\n");
    std::string e = error_of({}, file);
    EXPECT_THAT(e, HasSubstr("unknown key \"twilio\""));
    EXPECT_THAT(e, HasSubstr("top level"));
}

TEST_F(ConfigFile, MixedCaseKeyIsUnknown) {
    EXPECT_THAT(error_of({}, write("Callscribe_Listen = \"a:1\"\n")),
                HasSubstr("unknown key \"Callscribe_Listen\""));
}

TEST_F(ConfigFile, SameVariableTwiceIsAnError) {
    auto file = write("callscribe_workers = 1\nCALLSCRIBE_WORKERS = 2\n");
    EXPECT_THAT(error_of({}, file), HasSubstr("CALLSCRIBE_WORKERS is set twice"));
}

TEST_F(ConfigFile, SyntaxErrorGivesFileLineAndColumn) {
    auto file = write("callscribe_workers = 2\n\ncallscribe_listen = \n");
    std::string e = error_of({}, file);
    EXPECT_THAT(e, HasSubstr(file.string() + ":3:"));
}

TEST_F(ConfigFile, SyntaxErrorDoesNotEchoEnvironmentSecrets) {
    auto file = write(std::string("callscribe_listen = ") + k_secret + "\n");
    std::string e = error_of({{"TWILIO_AUTH_TOKEN", k_secret}}, file);
    EXPECT_THAT(e, HasSubstr(file.string() + ":1:"));
    EXPECT_THAT(e, Not(HasSubstr(k_secret)));
}

TEST_F(ConfigFile, UnsupportedValueTypes) {
    EXPECT_THAT(error_of({}, write("callscribe_workers = 1979-05-27\n")),
                HasSubstr("CALLSCRIBE_WORKERS: dates, times and tables are not supported"));
    EXPECT_THAT(error_of({}, write("callscribe_ready_backoff = [[1]]\n")),
                HasSubstr("CALLSCRIBE_READY_BACKOFF: array elements must be strings or numbers"));
    EXPECT_THAT(error_of({}, write("callscribe_workers = [1, 2]\n")),
                HasSubstr("takes a single value, not an array"));
}

TEST_F(ConfigFile, InvalidFileValueNamesTheFile) {
    auto file = write("callscribe_ready_backoff = [3, \"x\"]\n");
    std::string e = error_of({}, file);
    EXPECT_THAT(e, HasSubstr("CALLSCRIBE_READY_BACKOFF=\"3,x\" (from " + file.string() + ")"));
    EXPECT_THAT(e, HasSubstr("\"x\" is not a number of seconds"));
}

TEST_F(ConfigFile, EmptyArrayIsNotADefault) {
    EXPECT_THAT(error_of({}, write("callscribe_ready_backoff = []\n")),
                HasSubstr("needs at least one delay"));
}

TEST(ConfigFileMissing, NamesTheFile) {
    std::filesystem::path missing = "/nonexistent/callscribe-config.toml";
    std::string e = error_of({}, missing);
    EXPECT_THAT(e, HasSubstr(missing.string()));
    EXPECT_THAT(e, HasSubstr("not found"));
}

// --- validation: every error names the variable -----------------------------------------------

struct BadValue {
    const char* variable;
    const char* value;
    const char* expected; // a substring of the error line
};

// Names the case in test listings (the variable and the bad value).
void PrintTo(const BadValue& v, std::ostream* os) {
    *os << v.variable << "=" << v.value;
}

class ConfigValidation : public ::testing::TestWithParam<BadValue> {};

TEST_P(ConfigValidation, OneLineNamingTheVariableWithoutNeighbouringSecrets) {
    const BadValue& bad = GetParam();
    // The secrets are valid; the neighbouring bad value must not make them appear.
    Environment env{{"TWILIO_AUTH_TOKEN", k_secret},
                    {"CALLSCRIBE_API_TOKEN", k_secret},
                    {"OPENAI_API_KEY", k_secret},
                    {bad.variable, bad.value}};
    std::string e = error_of(env);
    EXPECT_THAT(e, HasSubstr(bad.variable));
    EXPECT_THAT(e, HasSubstr(bad.expected));
    EXPECT_THAT(e, Not(HasSubstr(k_secret)));
}

INSTANTIATE_TEST_SUITE_P(
    BadValues, ConfigValidation,
    ::testing::Values(
        BadValue{"TWILIO_ACCOUNT_SID", "AC123", "is not an Account SID"},
        BadValue{"TWILIO_ACCOUNT_SID", "CA0123456789abcdef0123456789abcdef", "Account SID"},
        BadValue{"TWILIO_API_KEY", "SK12", "is not an API key SID"},
        BadValue{"TWILIO_API_BASE", "ftp://api.twilio.com", "is not an http(s) URL"},
        BadValue{"TWILIO_API_BASE", "https://", "has no host"},
        BadValue{"TWILIO_API_BASE", "https://api.twilio.com:99999", "port \"99999\""},
        BadValue{"TWILIO_API_BASE", "https://a b", "spaces"},
        BadValue{"CALLSCRIBE_PUBLIC_URL", "calls.example.com", "is not an http(s) URL"},
        BadValue{"CALLSCRIBE_PUBLIC_URL", "https://x.example.com/#frag", "#fragment"},
        BadValue{"CALLSCRIBE_WEBHOOK_URL", "https://h$st/", "bad host"},
        BadValue{"CALLSCRIBE_STT_URL", "http://::1:8000/", "brackets"},
        BadValue{"CALLSCRIBE_LISTEN", "127.0.0.1", "has no port"},
        BadValue{"CALLSCRIBE_LISTEN", "127.0.0.1:65536", "not a number from 0 to 65535"},
        BadValue{"CALLSCRIBE_LISTEN", "127.0.0.1:http", "not a number from 0 to 65535"},
        BadValue{"CALLSCRIBE_LISTEN", ":8080", "has no host"},
        BadValue{"CALLSCRIBE_LISTEN", "::1:8080", "brackets"},
        BadValue{"CALLSCRIBE_LISTEN", "[::1]", "has no port"},
        BadValue{"CALLSCRIBE_READY_BACKOFF", "3,x",
                 "CALLSCRIBE_READY_BACKOFF=\"3,x\": \"x\" is not a number of seconds"},
        BadValue{"CALLSCRIBE_READY_BACKOFF", "3,,5", "has an empty entry"},
        BadValue{"CALLSCRIBE_READY_BACKOFF", "3,-1", "\"-1\" is negative"},
        BadValue{"CALLSCRIBE_READY_BACKOFF", "1e3", "is not a number of seconds"},
        BadValue{"CALLSCRIBE_WEBHOOK_BACKOFF", "5,604801", "more than 7 days"},
        BadValue{"CALLSCRIBE_NOT_FOUND_WAIT", "soon", "is not a number of seconds"},
        BadValue{"CALLSCRIBE_NOT_FOUND_WAIT", "-5", "is negative"},
        BadValue{"CALLSCRIBE_WORKERS", "0", "is not between 1 and 256"},
        BadValue{"CALLSCRIBE_LIVE_WORKERS", "-1", "is not between 0 and 256"},
        BadValue{"CALLSCRIBE_WORKERS", "257", "is not between 1 and 256"},
        BadValue{"CALLSCRIBE_WORKERS", "2.5", "is not a whole number"},
        BadValue{"CALLSCRIBE_WORKERS", "99999999999999999999", "is not between 1 and 256"},
        BadValue{"CALLSCRIBE_STT_ENGINE", "vosk", "must be one of: pocketsphinx, whisper, openai"},
        BadValue{"CALLSCRIBE_WHISPER_THREADS", "0", "is not between 1 and 256"},
        BadValue{"CALLSCRIBE_MODEL_BASE_URL", "ftp://models", "http"},
        BadValue{"CALLSCRIBE_STT_LANGUAGE", "automatic", "or \"auto\""},
        BadValue{"CALLSCRIBE_PS_PRESET", "turbo", "must be one of: fast, accurate"},
        BadValue{"CALLSCRIBE_STT_LANGUAGE", "English", "is not a language code"},
        BadValue{"CALLSCRIBE_CHANNEL_LABELS", "A,B,C", "needs 1 or 2 non-empty labels"},
        BadValue{"CALLSCRIBE_CHANNEL_LABELS", "A,", "needs 1 or 2 non-empty labels"},
        BadValue{"CALLSCRIBE_DATABASE_URL", "mysql://db/x", "must start with sqlite://"},
        BadValue{"CALLSCRIBE_DATABASE_URL", "db/x", "or postgresql://"},
        BadValue{"CALLSCRIBE_DATABASE_URL", "sqlite://", "needs a file path"},
        BadValue{"CALLSCRIBE_DATABASE_POOL", "0", "is not between 1 and 1000"},
        BadValue{"CALLSCRIBE_DATABASE_POOL", "1001", "is not between 1 and 1000"},
        BadValue{"CALLSCRIBE_DATABASE_POOL", "many", "is not a whole number"},
        BadValue{"CALLSCRIBE_VOICE_CONTINUE", "5551234567", "a phone number in E.164"},
        BadValue{"CALLSCRIBE_VOICE_CONTINUE", "+1555", "is not a phone number in E.164"},
        BadValue{"CALLSCRIBE_VOICE_CONTINUE", "+1555123456a", "is not a phone number"},
        BadValue{"CALLSCRIBE_VOICE_CONTINUE", "sip:desk", "is not a sip:user@host address"},
        BadValue{"CALLSCRIBE_VOICE_CONTINUE", "ftp://x/twiml", "the http(s) URL"},
        BadValue{"CALLSCRIBE_REALTIME", "stream-and-more",
                 "must be \"twilio\", \"stream\" or \"none\""},
        BadValue{"CALLSCRIBE_JOB_LEASE", "0.001", "must be at least 2 seconds"},
        BadValue{"CALLSCRIBE_JOB_LEASE", "1.9", "must be at least 2 seconds"},
        BadValue{"CALLSCRIBE_PUBLIC_URL", "https://example.com/path?x=1", "takes no ?query"},
        BadValue{"TWILIO_API_BASE", "https://api.twilio.com?x", "takes no ?query"},
        BadValue{"CALLSCRIBE_MAX_CONNECTIONS", "8", "is not between 16 and 1000000"},
        BadValue{"CALLSCRIBE_MAX_CONNECTIONS", "lots", "is not a whole number"}));

TEST(ConfigEnvironment, AMisspeltVariableIsNamedWithWhatItWasMeantToBe) {
    const Environment env{{"CALLSCRIBE_LSITEN", "127.0.0.1:9"},
                          {"CALLSCRIBE_WORKRS", "2"},
                          {"CALLSCRIBE_LISTEN", "127.0.0.1:8080"},
                          {"CALLSCRIBE_SOMETHING_ELSE_ENTIRELY", "x"},
                          {"PATH", "/usr/bin"}};
    EXPECT_NO_THROW(load_config(env));
    EXPECT_THAT(misspelt_variables(env),
                ::testing::ElementsAre("CALLSCRIBE_LSITEN is not a callscribe setting and is "
                                       "ignored (did you mean CALLSCRIBE_LISTEN?)",
                                       "CALLSCRIBE_WORKRS is not a callscribe setting and is "
                                       "ignored (did you mean CALLSCRIBE_WORKERS?)"));
}

TEST(ConfigEnvironment, TheConnectionCapIsAutoOrANumber) {
    EXPECT_EQ(load_config({}).http.max_connections, 0);
    EXPECT_EQ(load_config({{"CALLSCRIBE_MAX_CONNECTIONS", "auto"}}).http.max_connections, 0);
    EXPECT_EQ(load_config({{"CALLSCRIBE_MAX_CONNECTIONS", "500"}}).http.max_connections, 500);
    EXPECT_EQ(load_config({{"CALLSCRIBE_JOB_LEASE", "2"}}).jobs.lease.count(), 2);
}

// --- secrets ----------------------------------------------------------------------------------

struct BadSecret {
    Environment env;
    const char* variable;
    const char* expected;
};

// Names the case by its variable only: the values are secrets.
void PrintTo(const BadSecret& v, std::ostream* os) {
    *os << v.variable;
}

class ConfigSecretValidation : public ::testing::TestWithParam<BadSecret> {};

TEST_P(ConfigSecretValidation, NamesTheVariableButNeverTheValue) {
    const BadSecret& bad = GetParam();
    std::string e = error_of(bad.env);
    EXPECT_THAT(e, HasSubstr(bad.variable));
    EXPECT_THAT(e, HasSubstr(bad.expected));
    const std::set<std::string> secret_names{"TWILIO_AUTH_TOKEN", "TWILIO_API_SECRET",
                                             "CALLSCRIBE_API_TOKEN", "CALLSCRIBE_WEBHOOK_SECRET",
                                             "OPENAI_API_KEY"};
    for (const auto& [name, value] : bad.env) {
        if (secret_names.contains(name)) {
            EXPECT_THAT(e, Not(HasSubstr(value))) << name;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(
    BadSecrets, ConfigSecretValidation,
    ::testing::Values(
        BadSecret{{{"CALLSCRIBE_WEBHOOK_SECRET", "plain-shared-secret"}},
                  "CALLSCRIBE_WEBHOOK_SECRET (value not shown)",
                  "must be \"whsec_\" followed by base64"},
        BadSecret{{{"CALLSCRIBE_WEBHOOK_SECRET", "whsec_not*base64!"}},
                  "CALLSCRIBE_WEBHOOK_SECRET",
                  "is not valid base64"},
        BadSecret{
            {{"CALLSCRIBE_WEBHOOK_SECRET", "whsec_"}}, "CALLSCRIBE_WEBHOOK_SECRET", "empty key"},
        BadSecret{{{"TWILIO_AUTH_TOKEN", "abcdef123456\n"}},
                  "TWILIO_AUTH_TOKEN",
                  "whitespace or control characters"},
        BadSecret{{{"TWILIO_API_KEY", k_api_key}}, "TWILIO_API_SECRET", "set both or neither"},
        BadSecret{
            {{"TWILIO_API_SECRET", "apisecret-value"}}, "TWILIO_API_KEY", "set both or neither"},
        BadSecret{{{"CALLSCRIBE_STT_ENGINE", "openai"}}, "OPENAI_API_KEY", "is required"}));

TEST(ConfigSecrets, SecretPastedIntoAnotherVariableIsMasked) {
    std::string e = error_of({{"TWILIO_AUTH_TOKEN", k_secret}, {"TWILIO_ACCOUNT_SID", k_secret}});
    EXPECT_THAT(e, HasSubstr("TWILIO_ACCOUNT_SID=\"***\""));
    EXPECT_THAT(e, Not(HasSubstr(k_secret)));
}

TEST(ConfigSecrets, QueryValuesAreMaskedInDescribe) {
    Config c = load_config({{"CALLSCRIBE_WEBHOOK_URL", "https://hooks.example/t?token=s3cr3t&v=2"},
                            {"CALLSCRIBE_STT_URL", "http://127.0.0.1:8000/base"}});
    EXPECT_EQ(c.webhook.url, "https://hooks.example/t?token=s3cr3t&v=2"); // the value is intact
    std::string text = describe(c);
    EXPECT_THAT(text,
                HasSubstr("CALLSCRIBE_WEBHOOK_URL = https://hooks.example/t?token=***&v=***\n"));
    EXPECT_THAT(text, HasSubstr("CALLSCRIBE_STT_URL = http://127.0.0.1:8000/base\n"));
    EXPECT_THAT(text, Not(HasSubstr("s3cr3t")));
}

TEST(ConfigSecrets, UrlPasswordsAreNotEchoed) {
    std::string e = error_of({{"CALLSCRIBE_WEBHOOK_URL", "https://user:hunter2pw@hooks.example"}});
    EXPECT_THAT(e, HasSubstr("CALLSCRIBE_WEBHOOK_URL"));
    EXPECT_THAT(e, HasSubstr("credentials"));
    EXPECT_THAT(e, Not(HasSubstr("hunter2pw")));
    e = error_of({{"CALLSCRIBE_DATABASE_URL", "mysql://app:hunter2pw@db:5432/calls"}});
    EXPECT_THAT(e, HasSubstr("mysql://***@db:5432/calls"));
    EXPECT_THAT(e, Not(HasSubstr("hunter2pw")));
}

TEST_F(ConfigFile, SecretsFromTheFileAreNotEchoedEither) {
    auto file = write(std::string("twilio_auth_token = \"") + k_secret +
                      "\"\ncallscribe_listen = \"" + k_secret + "\"\n");
    std::string e = error_of({}, file);
    EXPECT_THAT(e, HasSubstr("CALLSCRIBE_LISTEN"));
    EXPECT_THAT(e, Not(HasSubstr(k_secret)));
}

// --- describe ---------------------------------------------------------------------------------

TEST(ConfigDescribe, ListsEveryVariableAndMasksSecrets) {
    Config c = load_config({
        {"TWILIO_ACCOUNT_SID", k_account_sid},
        {"TWILIO_AUTH_TOKEN", k_secret},
        {"CALLSCRIBE_API_TOKEN", k_secret},
        {"CALLSCRIBE_WEBHOOK_SECRET", k_webhook_secret},
        {"OPENAI_API_KEY", k_secret},
        {"CALLSCRIBE_READY_BACKOFF", "1.5,2"},
    });
    std::string text = describe(c);
    EXPECT_THAT(text, HasSubstr(std::string("TWILIO_ACCOUNT_SID = ") + k_account_sid + "\n"));
    EXPECT_THAT(text, HasSubstr("TWILIO_AUTH_TOKEN = ***\n"));
    EXPECT_THAT(text, HasSubstr("TWILIO_API_SECRET = (not set)\n"));
    EXPECT_THAT(text, HasSubstr("CALLSCRIBE_WEBHOOK_SECRET = ***\n"));
    EXPECT_THAT(text, HasSubstr("OPENAI_API_KEY = ***\n"));
    EXPECT_THAT(text, HasSubstr("CALLSCRIBE_READY_BACKOFF = 1.5,2\n"));
    EXPECT_THAT(text, HasSubstr("CALLSCRIBE_PUBLIC_URL = http://127.0.0.1:8080\n"));
    EXPECT_THAT(text, HasSubstr("CALLSCRIBE_DATABASE_URL = sqlite://./data/callscribe.db\n"));
    EXPECT_THAT(text, HasSubstr("CALLSCRIBE_DATABASE_POOL = 8\n"));
    EXPECT_THAT(text, HasSubstr("CALLSCRIBE_CHANNEL_LABELS = Caller,Agent\n"));
    EXPECT_THAT(text, Not(HasSubstr(k_secret)));
    EXPECT_THAT(text, Not(HasSubstr("TWZLUTly")));
    EXPECT_THAT(text, Not(HasSubstr("MfKQ9r8")));
    EXPECT_THAT(text, HasSubstr("CALLSCRIBE_WHISPER_THREADS = auto\n"));
    EXPECT_THAT(text, HasSubstr("CALLSCRIBE_REALTIME = twilio\n"));
    EXPECT_THAT(text, HasSubstr("CALLSCRIBE_VOICE_CONTINUE = (not set)\n"));
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), std::ssize(k_variables))
        << "a line per setting";
}

} // namespace
} // namespace callscribe::config
