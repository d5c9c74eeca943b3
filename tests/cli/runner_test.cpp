// Unit tests of the runner's building blocks: the JSON emitter and the option table.
#include <cmath>
#include <cstdlib>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "runner/cli/json_writer.hpp"
#include "runner/cli/train_options.hpp"

namespace dnnsweep {
namespace {
namespace po = boost::program_options;

std::string write_one(double d) {
    std::ostringstream out;
    JsonWriter(out).value(d);
    return out.str();
}

TEST(JsonQuote, EscapesWhatJsonRequires) {
    EXPECT_EQ(json_quote("plain"), "\"plain\"");
    EXPECT_EQ(json_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
    EXPECT_EQ(json_quote("\n\r\t\b\f"), "\"\\n\\r\\t\\b\\f\"");
    EXPECT_EQ(json_quote(std::string("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
    EXPECT_EQ(json_quote(std::string("a\0b", 3)), "\"a\\u0000b\"");
    EXPECT_EQ(json_quote("/ and \x7f pass"), "\"/ and \x7f pass\"");
}

TEST(JsonQuote, KeepsValidUtf8AndReplacesInvalidBytes) {
    EXPECT_EQ(json_quote("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
    const std::string fffd = "\xEF\xBF\xBD";
    EXPECT_EQ(json_quote("a\xFFz"), "\"a" + fffd + "z\"");              // never valid
    EXPECT_EQ(json_quote("\xC0\xAF"), "\"" + fffd + fffd + "\"");       // overlong '/'
    EXPECT_EQ(json_quote("\xED\xA0\x80"), "\"" + fffd + fffd + fffd + "\"");  // UTF-16 surrogate
    EXPECT_EQ(json_quote("\xE2\x82"), "\"" + fffd + fffd + "\"");       // truncated at the end
}

TEST(JsonWriter, PlacesCommasAndNests) {
    std::ostringstream out;
    JsonWriter json(out);
    json.begin_object();
    json.field("a", 1).field("b", "x");
    json.key("list").begin_array();
    json.value(true).value(nullptr);
    json.begin_object().end_object();
    json.begin_array().end_array();
    json.end_array();
    json.end_object();
    EXPECT_EQ(out.str(), R"({"a":1,"b":"x","list":[true,null,{},[]]})");
    EXPECT_TRUE(json.complete());
}

TEST(JsonWriter, NonFiniteNumbersBecomeNull) {
    EXPECT_EQ(write_one(std::numeric_limits<double>::quiet_NaN()), "null");
    EXPECT_EQ(write_one(std::numeric_limits<double>::infinity()), "null");
    EXPECT_EQ(write_one(-std::numeric_limits<double>::infinity()), "null");
    std::ostringstream out;
    JsonWriter(out).value(std::numeric_limits<float>::quiet_NaN());
    EXPECT_EQ(out.str(), "null");
}

TEST(JsonWriter, DoublesRoundTripExactly) {
    for (const double d : {0.1, 1.0 / 3.0, 1e-300, 5e-324, 1.7976931348623157e308, -2.5, 0.0, 123456789.125}) {
        const std::string text = write_one(d);
        EXPECT_EQ(std::strtod(text.c_str(), nullptr), d) << text;
    }
    EXPECT_EQ(write_one(0.1), "0.1");
    std::ostringstream out;
    JsonWriter(out).value(0.01f);
    EXPECT_EQ(out.str(), "0.01");  // the float's own shortest form, not 0.009999999776482582
}

TEST(JsonWriter, IntegersAtTheLimits) {
    std::ostringstream out;
    JsonWriter json(out);
    json.begin_array();
    json.value(std::numeric_limits<std::int64_t>::min()).value(std::numeric_limits<std::uint64_t>::max());
    json.value(std::size_t{7}).value(-3);
    json.end_array();
    EXPECT_EQ(out.str(), "[-9223372036854775808,18446744073709551615,7,-3]");
}

TEST(JsonWriter, RejectsCallsThatWouldBreakJson) {
    std::ostringstream out;
    JsonWriter obj(out);
    obj.begin_object();
    EXPECT_THROW(obj.value(1), std::logic_error);        // value without a key
    EXPECT_THROW(obj.end_array(), std::logic_error);     // wrong closer
    obj.key("k");
    EXPECT_THROW(obj.key("again"), std::logic_error);    // two keys in a row
    EXPECT_THROW(obj.end_object(), std::logic_error);    // key without value

    JsonWriter root(out);
    root.value(1);
    EXPECT_THROW(root.value(2), std::logic_error);       // a second top-level value
    EXPECT_THROW(root.key("k"), std::logic_error);       // key outside an object
}

TEST(ConfigOptions, CoverEveryDocumentedOptionOnce) {
    const std::vector<std::string> documented = {
        "layers", "width",        "activation", "maxout-pieces", "loss",          "optimizer", "learning-rate",
        "momentum", "nesterov",   "batch-size", "dropout",       "normalization", "weight-decay", "init",
        "epochs", "patience",     "seed",       "test-noise",    "threads"};
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
        EXPECT_EQ(cli_message(e).rfind("--dropout: ", 0), 0u) << cli_message(e);
    }
}

TEST(ConfigOptions, DescribeAndJsonUseOptionNames) {
    TrainConfig config;
    config.optimizer = Optimizer::Sgd;
    const std::string line = describe_config(config);
    EXPECT_NE(line.find("layers=3 "), std::string::npos) << line;
    EXPECT_NE(line.find("learning-rate=" + to_text(default_learning_rate(Optimizer::Sgd))), std::string::npos) << line;
    std::ostringstream out;
    JsonWriter json(out);
    write_config_json(json, config);
    EXPECT_NE(out.str().find("\"batch-size\":100"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("\"nesterov\":false"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace dnnsweep
