// Unit tests of the runner's building blocks: the JSON output, the option table, the error
// messages and the Slurm script.
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <map>
#include <new>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "engine/dataset.hpp"
#include "outputs/json.hpp"
#include "outputs/results_store.hpp"
#include "runner/cli/command_errors.hpp"
#include "runner/cli/sbatch_script.hpp"
#include "runner/cli/slurm_partitions.hpp"
#include "runner/cli/train_options.hpp"
#include "sweeps/spec.hpp"

namespace dnnsweep {
namespace {
namespace po = boost::program_options;

std::string dumped(const Json& doc) {
    std::ostringstream out;
    write_json(out, doc);
    std::string text = out.str();
    EXPECT_EQ(text.back(), '\n');
    text.pop_back();
    return text;
}

TEST(WriteJson, EscapesWhatJsonRequires) {
    EXPECT_EQ(dumped("plain"), "\"plain\"");
    EXPECT_EQ(dumped("a\"b\\c"), "\"a\\\"b\\\\c\"");
    EXPECT_EQ(dumped("\n\r\t\b\f"), "\"\\n\\r\\t\\b\\f\"");
    EXPECT_EQ(dumped(std::string("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
    EXPECT_EQ(dumped(std::string("a\0b", 3)), "\"a\\u0000b\"");
    EXPECT_EQ(dumped("/ and \x7f pass"), "\"/ and \x7f pass\"");
}

TEST(WriteJson, KeepsValidUtf8AndReplacesInvalidBytes) {
    EXPECT_EQ(dumped("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
    const std::string fffd = "\xEF\xBF\xBD";
    EXPECT_EQ(dumped("a\xFFz"), "\"a" + fffd + "z\"");  // never valid
    // Overlong '/', a UTF-16 surrogate, a sequence cut short: each comes out as replacement
    // characters only, and the document reads back.
    for (const std::string bad : {"\xC0\xAF", "\xED\xA0\x80", "\xE2\x82"}) {
        const std::string text = dumped(bad);
        const std::string inner = text.substr(1, text.size() - 2);
        EXPECT_FALSE(inner.empty());
        for (std::size_t i = 0; i < inner.size(); i += fffd.size())
            EXPECT_EQ(inner.substr(i, fffd.size()), fffd) << text;
        EXPECT_EQ(Json::parse(text).get<std::string>().size(), inner.size()) << text;
    }
}

TEST(WriteJson, KeepsKeysInTheOrderAdded) {
    Json doc;
    doc["b"] = 1;
    doc["a"] = "x";
    doc["list"] = {true, nullptr, Json::object(), Json::array()};
    EXPECT_EQ(dumped(doc), R"({"b":1,"a":"x","list":[true,null,{},[]]})");
}

TEST(WriteJson, NonFiniteNumbersBecomeNull) {
    EXPECT_EQ(dumped(std::numeric_limits<double>::quiet_NaN()), "null");
    EXPECT_EQ(dumped(std::numeric_limits<double>::infinity()), "null");
    EXPECT_EQ(dumped(-std::numeric_limits<double>::infinity()), "null");
    EXPECT_EQ(dumped(json_float(std::numeric_limits<float>::quiet_NaN())), "null");
}

TEST(WriteJson, DoublesRoundTripExactly) {
    for (const double d : {0.1, 1.0 / 3.0, 1e-300, 5e-324, 1.7976931348623157e308, -2.5, 0.0, 123456789.125}) {
        const std::string text = dumped(d);
        EXPECT_EQ(std::strtod(text.c_str(), nullptr), d) << text;
    }
    EXPECT_EQ(dumped(0.1), "0.1");
    EXPECT_EQ(dumped(json_float(0.01f)), "0.01");  // the float's own shortest form, not 0.009999999776482582
    EXPECT_EQ(dumped(json_value(OptionValue(0.2f))), "0.2");
}

TEST(WriteJson, IntegersAtTheLimits) {
    const Json list = {std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::uint64_t>::max(),
                       std::size_t{7}, -3};
    EXPECT_EQ(dumped(list), "[-9223372036854775808,18446744073709551615,7,-3]");
}

TEST(ConfigOptions, CoverEveryDocumentedOptionOnce) {
    const std::vector<std::string> documented = {
        "layers",   "width",    "activation", "maxout-pieces", "loss",          "optimizer",    "learning-rate",
        "momentum", "nesterov", "batch-size", "dropout",       "normalization", "weight-decay", "init",
        "epochs",   "patience", "seed",       "test-noise",    "threads"};
    for (const std::string& name : documented) EXPECT_NE(find_config_option(name), nullptr) << name;
    std::set<std::string> names;
    for (const ConfigOption& opt : config_options()) {
        EXPECT_TRUE(names.insert(opt.name).second) << "duplicate " << opt.name;
        EXPECT_FALSE(opt.help.empty()) << opt.name;
    }
}

TEST(ConfigOptions, TextFormsRoundTripThroughTheParser) {
    TrainConfig config;
    config.learning_rate = 0.003;
    config.batch_size = 0;
    config.leaky_relu_alpha = 0.2f;
    config.seed = std::numeric_limits<std::uint64_t>::max();
    config.activation = Activation::Maxout;
    config.nesterov = true;
    for (const ConfigOption& opt : config_options()) {
        TrainConfig copy;
        set_config_option(copy, opt.name, to_text(opt.get(config)));
        EXPECT_EQ(opt.get(copy), opt.get(config)) << opt.name << " = " << to_text(opt.get(config));
    }
    EXPECT_EQ(to_text(find_config_option("batch-size")->get(config)), "full");
}

TEST(ConfigOptions, MalformedValuesNameTheOption) {
    TrainConfig config;
    const auto message = [&](const std::string& name, const std::string& value) -> std::string {
        try {
            set_config_option(config, name, value);
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "(accepted)";
    };
    EXPECT_EQ(message("layers", "3.5"), "layers: expected an integer, got '3.5'");
    EXPECT_EQ(message("seed", "-1"), "seed: expected a non-negative integer, got '-1'");
    EXPECT_EQ(message("dropout", "nan"), "dropout: expected a finite number, got 'nan'");
    EXPECT_EQ(message("width", "99999999999"), "width: '99999999999' is out of range");
    EXPECT_EQ(message("batch-size", "abc"), "batch-size: expected a positive integer or 'full', got 'abc'");
    EXPECT_EQ(message("nesterov", "maybe"), "nesterov: expected true or false, got 'maybe'");
    EXPECT_NE(message("activation", "foo").find("activation: unknown activation 'foo'"), std::string::npos);
    EXPECT_EQ(message("no-such", "1"), "no-such: not a hyperparameter");
}

TEST(ConfigOptions, OnlyGivenOptionsOverrideDefaultsAndResultIsValidated) {
    po::options_description desc;
    add_config_options(desc);
    const auto parse = [&](std::vector<std::string> args) {
        po::variables_map vm;
        po::store(po::command_line_parser(args).options(desc).run(), vm);
        return config_from(vm);
    };
    const TrainConfig defaults;
    const TrainConfig given = parse({"--width", "8", "--optimizer", "sgd", "--batch-size", "full"});
    EXPECT_EQ(given.width, 8);
    EXPECT_EQ(given.optimizer, Optimizer::Sgd);
    EXPECT_EQ(given.batch_size, 0);
    EXPECT_FALSE(given.learning_rate.has_value());  // unset: resolved from the optimizer later
    EXPECT_EQ(given.layers, defaults.layers);
    EXPECT_EQ(given.epochs, defaults.epochs);
    try {
        parse({"--dropout", "1.5"});
        FAIL() << "dropout 1.5 accepted";
    } catch (const ConfigError& e) {
        EXPECT_EQ(error_message(e, desc).rfind("--dropout: ", 0), 0u) << error_message(e, desc);
    }
}

TEST(ConfigOptions, DescribeAndJsonUseOptionNames) {
    TrainConfig config;
    config.optimizer = Optimizer::Sgd;
    const std::string line = describe_config(config);
    EXPECT_NE(line.find("layers=3 "), std::string::npos) << line;
    EXPECT_NE(line.find("learning-rate=" + to_text(default_learning_rate(Optimizer::Sgd))), std::string::npos) << line;
    const std::string json = dumped(config_json(config));
    EXPECT_NE(json.find("\"batch-size\":100"), std::string::npos) << json;
    EXPECT_NE(json.find("\"nesterov\":false"), std::string::npos) << json;
}

// What run_command writes on stderr and returns for a body that throws `e`.
template <class E>
std::pair<int, std::string> reported(const E& e, const po::options_description& options) {
    std::ostringstream err;
    std::streambuf* const saved = std::cerr.rdbuf(err.rdbuf());
    const int code = run_command("cmd", options, [&]() -> int { throw e; });
    std::cerr.rdbuf(saved);
    return {code, err.str()};
}

TEST(CommandErrors, UserInputIsExitCode2AndEverythingElse1) {
    const po::options_description none;
    EXPECT_EQ(reported(ConfigError("x: bad"), none), std::pair(2, std::string("dnnsweep cmd: error: x: bad\n")));
    EXPECT_EQ(reported(DataError("d.txt: line 3: bad"), none).first, 2);
    EXPECT_EQ(reported(SpecError("s.ini:2: bad"), none).first, 2);
    EXPECT_EQ(reported(ResultsError("r.h5: bad"), none).first, 2);
    EXPECT_EQ(reported(std::runtime_error("disk on fire"), none),
              std::pair(1, std::string("dnnsweep cmd: error: disk on fire\n")));
    EXPECT_EQ(reported(std::bad_alloc(), none), std::pair(1, std::string("dnnsweep cmd: error: out of memory\n")));
    EXPECT_EQ(reported(po::error("missing the spec"), none),
              std::pair(2, std::string("dnnsweep cmd: error: missing the spec (see 'dnnsweep cmd --help')\n")));
    EXPECT_EQ(reported(std::runtime_error("two\nlines"), none).second, "dnnsweep cmd: error: two lines\n");
    EXPECT_EQ(run_command("cmd", none, [] { return 3; }), 3);
}

TEST(CommandErrors, AnOptionOfTheCommandIsSpelledAsTyped) {
    po::options_description options;
    options.add_options()("array-tasks", po::value<int>(), "")("help,h", "");
    EXPECT_EQ(error_message(ConfigError("array-tasks: must be >= 1"), options), "--array-tasks: must be >= 1");
    // Not an option of this command (a spec key, a threshold): as written.
    EXPECT_EQ(error_message(ConfigError("chance-factor: must be > 0"), options), "chance-factor: must be > 0");
    EXPECT_EQ(error_message(ConfigError("array: must be >= 1"), options), "array: must be >= 1");
    // Only a ConfigError names an option; other errors start with a path.
    EXPECT_EQ(error_message(ResultsError("array-tasks: a file"), options), "array-tasks: a file");
}

TEST(SbatchScript, SlurmTimesInEveryForm) {
    EXPECT_EQ(slurm_time_seconds("90"), 90 * 60);
    EXPECT_EQ(slurm_time_seconds("5:30"), 5 * 60 + 30);
    EXPECT_EQ(slurm_time_seconds("1:02:03"), 3723);
    EXPECT_EQ(slurm_time_seconds("2-3"), 2 * 86400 + 3 * 3600);
    EXPECT_EQ(slurm_time_seconds("1-0:10"), 86400 + 600);
    EXPECT_EQ(slurm_time_seconds("1-0:0:5"), 86405);
    EXPECT_EQ(slurm_time_seconds("UNLIMITED"), std::nullopt);
    for (const char* bad : {"", "abc", "1:2:3:4", "-5", "1-", "0", "1.5"})
        EXPECT_THROW(slurm_time_seconds(bad), ConfigError) << bad;
}

TEST(SbatchScript, SignalComesBeforeTheLimit) {
    EXPECT_EQ(signal_seconds(0, std::nullopt), 300);
    EXPECT_EQ(signal_seconds(0, 3600L), 300);  // a quarter, at most 300
    EXPECT_EQ(signal_seconds(0, 600L), 150);
    EXPECT_EQ(signal_seconds(0, 60L), 30);  // at least 30 ...
    EXPECT_EQ(signal_seconds(0, 40L), 30);
    EXPECT_EQ(signal_seconds(0, 20L), 10);  // ... but before the limit
    EXPECT_EQ(signal_seconds(45, 600L), 45);
    EXPECT_THROW(signal_seconds(600, 600L), ConfigError);
}

TEST(SbatchScript, RendersFieldsAndDropsLinesOfEmptyOnes) {
    BatchJob job;
    job.dnnsweep = "/opt/bin/dnnsweep";
    job.spec = "/home/a/it's.ini";
    job.out = "/scratch/100%/r.h5";
    job.nodes = 2;
    job.time = "10";
    job.array_tasks = 4;
    job.signal_seconds = 150;
    const std::string text = render_template(
        "#SBATCH --job-name={{job_name}}\n#SBATCH --nodes={{nodes}}\n#SBATCH --partition={{partition}}\n"
        "#SBATCH --array={{array}}\n#SBATCH --output={{log}}\n#SBATCH --signal=B:USR1@{{signal_seconds}}\n"
        "SPEC={{spec}} OUT={{out}} ARRAY_TASKS={{array_tasks}}\n",
        batch_fields(job));
    EXPECT_EQ(text,
              "#SBATCH --job-name=dnnsweep-it_s\n#SBATCH --nodes=2\n#SBATCH --array=0-3\n"
              "#SBATCH --output=/scratch/100%%/r.h5.slurm-%A_%a.log\n#SBATCH --signal=B:USR1@150\n"
              "SPEC='/home/a/it'\\''s.ini' OUT='/scratch/100%/r.h5' ARRAY_TASKS=4\n");
    job.array_tasks = 1;
    EXPECT_NE(render_template("{{log}}\n", batch_fields(job)).find(".slurm-%j.log"), std::string::npos);
}

TEST(SbatchScript, TemplateMistakesNameTheLine) {
    const std::map<std::string, std::string> fields{{"a", "1"}};
    try {
        (void)render_template("ok {{a}}\n{{nope}}\n", fields);
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "template: line 2: unknown field {{nope}}");
    }
    EXPECT_THROW((void)render_template("{{a", fields), ConfigError);
}

TEST(SbatchScript, DirectiveValuesStayOneWord) {
    EXPECT_NO_THROW(check_directive_value("partition", "gpu-a100"));
    for (const char* bad : {"a b", "a\tb", "a'b", "a\"b", "a\\b"})
        EXPECT_THROW(check_directive_value("partition", bad), ConfigError);
}

// ------------------------------------------------------------------ what sinfo says of partitions

TEST(SlurmPartitions, ReadsSinfoSummaryLines) {
    const std::vector<Partition> p = parse_sinfo_summary("debug* 0/2/0/2\nbig 3/5/1/9\n\ngarbage\nodd 1/2/x\n");
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(p[0].name, "debug");
    EXPECT_TRUE(p[0].is_default);
    EXPECT_EQ(p[0].nodes, 2);
    EXPECT_EQ(p[1].name, "big");
    EXPECT_FALSE(p[1].is_default);
    EXPECT_EQ(p[1].nodes, 9);
}

TEST(SlurmPartitions, RefusesWhatTheClusterCannotGive) {
    const std::vector<Partition> p = parse_sinfo_summary("debug* 0/2/0/2\nbig 0/9/0/9\n");
    EXPECT_NO_THROW(check_request_fits(p, "", 2));
    EXPECT_NO_THROW(check_request_fits(p, "big", 9));
    try {
        check_request_fits(p, "", 3);
        FAIL() << "3 nodes of the 2-node default partition";
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "nodes: 3 nodes requested, partition debug has 2 (sinfo)");
    }
    try {
        check_request_fits(p, "gpu", 1);
        FAIL() << "a partition that does not exist";
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "partition: no partition 'gpu' on this cluster (sinfo lists: debug, big)");
    }
    // A list, as sbatch takes it: every name must exist, the largest decides.
    EXPECT_NO_THROW(check_request_fits(p, "debug,big", 9));
    EXPECT_THROW(check_request_fits(p, "debug,big", 10), ConfigError);
    EXPECT_THROW(check_request_fits(p, "debug,gpu", 1), ConfigError);
    // No default partition and none named: sbatch decides.
    EXPECT_NO_THROW(check_request_fits(parse_sinfo_summary("a 0/1/0/1\n"), "", 4));
}

}  // namespace
}  // namespace dnnsweep
