// Study-level findings from synthetic configuration summaries: labels without signal, one setting
// that alone decides, every configuration overfitting, a test set far from the folds' estimate.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <vector>

#include "outputs/study_findings.hpp"
#include "sweeps/config_options.hpp"

namespace dnnsweep {
namespace {

const Chance kChance = uniform_chance(10);
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

ConfigSummary summary(std::uint64_t config, Verdict v, double train, double val, double test = kNaN) {
    ConfigSummary s;
    s.config = config;
    s.config_id = "config" + std::to_string(config);
    s.verdict = v;
    s.mean_train_acc = train;
    s.mean_val_acc = val;
    s.std_val_acc = 0.01;
    s.mean_test_acc = test;
    return s;
}

bool has(const std::vector<StudyFinding>& fs, const std::string& kind) {
    return std::ranges::any_of(fs, [&](const StudyFinding& f) { return f.kind == kind; });
}

const StudyFinding& get(const std::vector<StudyFinding>& fs, const std::string& kind) {
    return *std::ranges::find(fs, kind, &StudyFinding::kind);
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Shuffled labels: every configuration fits the training set and none gets above chance on
// validation. Each alone reads "overfitting"; the study says: the labels.
TEST(StudyFindings, NoConfigurationAboveChanceMeansCheckTheLabels) {
    std::vector<ConfigSummary> cs = {summary(0, Verdict::Overfitting, 0.98, 0.11),
                                     summary(1, Verdict::Overfitting, 0.64, 0.10)};
    cs[1].settings.layers = 11;
    const std::vector<StudyFinding> fs = study_findings(cs, kChance, {});
    ASSERT_TRUE(has(fs, "no_config_above_chance"));
    const std::string& text = get(fs, "no_config_above_chance").text;
    EXPECT_TRUE(contains(text, "best 0.110, chance 0.100")) << text;
    EXPECT_TRUE(contains(text, "fits the training set to 0.980")) << text;
    EXPECT_TRUE(contains(text, "check the labels")) << text;
    // Overfitting everywhere is then no finding about the data's size.
    EXPECT_FALSE(has(fs, "all_overfitting"));
    // One configuration above chance: no finding.
    cs[1].mean_val_acc = 0.5;
    EXPECT_FALSE(has(study_findings(cs, kChance, {}), "no_config_above_chance"));
    // The chance level is the caller's (a majority class holding 60% of the rows makes 0.5 chance-like).
    EXPECT_TRUE(
        has(study_findings(cs, Chance{.classes = 3, .level = 0.6, .majority = true}, {}), "no_config_above_chance"));
    // Nothing fits the training set either: each configuration's own diagnosis, not the labels.
    EXPECT_FALSE(
        has(study_findings({summary(0, Verdict::NotTraining, 0.11, 0.10)}, kChance, {}), "no_config_above_chance"));
}

TEST(StudyFindings, OneSettingAloneDecides) {
    std::vector<ConfigSummary> cs;
    for (const int layers : {3, 11}) {
        ConfigSummary mse = summary(cs.size(), Verdict::NotTraining, 0.11, 0.11);
        mse.settings.layers = layers;
        mse.settings.loss = Loss::Mse;
        cs.push_back(mse);
        ConfigSummary ce = summary(cs.size(), Verdict::Good, 0.99, 0.97);
        ce.settings.layers = layers;
        cs.push_back(ce);
    }
    const std::vector<StudyFinding> fs = study_findings(cs, kChance, {});
    ASSERT_TRUE(has(fs, "one_setting_decides"));
    const std::string& text = get(fs, "one_setting_decides").text;
    EXPECT_TRUE(contains(text, "loss alone separates")) << text;
    EXPECT_TRUE(contains(text, "mse fails where crossentropy works (2 pairs differing in nothing else)")) << text;
    // layers differs too, but never alone between a failing and a working configuration.
    EXPECT_FALSE(contains(text, "layers alone")) << text;

    // A value that fails in one pair and works in another does not decide.
    cs[2].verdict = Verdict::Good;
    cs[3].verdict = Verdict::NotTraining;
    EXPECT_FALSE(has(study_findings(cs, kChance, {}), "one_setting_decides"));
}

// The definition, pair by pair: for each option, every (failing, working) pair of judged
// configurations whose settings' text is the same in every other option, counted per (option,
// failing value, working value); an option qualifies when no pair has its values the other way round
// (two identical configurations with both outcomes count as such a pair for every option). What
// one_setting computes faster (by the varied options' levels) must be exactly this.
std::vector<std::string> one_setting_by_definition(const std::vector<ConfigSummary>& cs) {
    std::vector<const ConfigOption*> options;
    for (const ConfigOption& opt : config_options())
        if (opt.name != "threads") options.push_back(&opt);
    std::vector<std::vector<std::string>> texts(cs.size());
    for (std::size_t c = 0; c < cs.size(); ++c)
        for (const ConfigOption* opt : options) texts[c].push_back(to_text(opt->get(cs[c].settings)));
    std::map<std::string, std::map<std::pair<std::string, std::string>, std::size_t>> pairs;
    for (std::size_t bad = 0; bad < cs.size(); ++bad)
        for (std::size_t good = 0; good < cs.size(); ++good) {
            const Verdict b = cs[bad].verdict, g = cs[good].verdict;
            if ((b != Verdict::NotTraining && b != Verdict::Underfitting) ||
                (g != Verdict::Good && g != Verdict::Overfitting))
                continue;
            for (std::size_t o = 0; o < options.size(); ++o) {
                bool rest_equal = true;
                for (std::size_t k = 0; k < options.size() && rest_equal; ++k)
                    rest_equal = k == o || texts[bad][k] == texts[good][k];
                if (rest_equal) ++pairs[std::string(options[o]->name)][{texts[bad][o], texts[good][o]}];
            }
        }
    std::vector<std::pair<std::size_t, std::string>> found;
    for (const ConfigOption& opt : config_options()) {
        const auto it = pairs.find(std::string(opt.name));
        if (it == pairs.end()) continue;
        const auto& values = it->second;
        if (std::ranges::any_of(values, [&](const auto& p) {
                return values.contains({p.first.second, p.first.first});
            }))
            continue;
        std::size_t n = 0;
        for (const auto& [v, count] : values) n += count;
        found.emplace_back(n, one_setting_text(opt.name, values));
    }
    std::ranges::stable_sort(found, std::ranges::greater{}, &std::pair<std::size_t, std::string>::first);
    std::vector<std::string> out;
    for (const auto& f : found) out.push_back(f.second);
    return out;
}

TEST(StudyFindings, OneSettingMatchesThePairwiseDefinitionOnRandomStudies) {
    constexpr std::array kVerdicts = {Verdict::Good, Verdict::Overfitting, Verdict::Underfitting, Verdict::NotTraining,
                                      Verdict::Failed};
    std::size_t qualified = 0;
    for (unsigned seed = 0; seed < 40; ++seed) {
        std::mt19937 rng(seed);
        std::vector<ConfigSummary> cs;
        for (const int layers : {1, 2, 3})
            for (const int width : {4, 8})
                for (const Loss loss : {Loss::Mse, Loss::CrossEntropy})
                    for (int copy = 0; copy < 1 + static_cast<int>(rng() % 4 == 0); ++copy) {  // some twice
                        // Mostly: mse does not train; some configurations at random, so some studies
                        // have a deciding setting and others contradict it.
                        Verdict v = loss == Loss::Mse ? Verdict::NotTraining : Verdict::Good;
                        if (rng() % 100 < 2 * seed) v = kVerdicts[rng() % kVerdicts.size()];
                        ConfigSummary c = summary(cs.size(), v, 0.9, 0.9);
                        c.settings.layers = layers;
                        c.settings.width = seed % 2 ? width : 4;  // odd seeds vary width, even ones do not
                        c.settings.loss = loss;
                        cs.push_back(c);
                    }
        std::vector<ConfigSummary> judged;
        for (const ConfigSummary& c : cs)
            if (c.verdict != Verdict::Failed) judged.push_back(c);
        std::vector<std::string> got;
        for (const StudyFinding& f : study_findings(cs, kChance, {}))
            if (f.kind == "one_setting_decides") got.push_back(f.text);
        const std::vector<std::string> want = one_setting_by_definition(judged);
        EXPECT_EQ(got, want) << "seed " << seed;
        qualified += !want.empty();
    }
    // The random studies include both outcomes, so the comparison covers each.
    EXPECT_GT(qualified, 5U);
    EXPECT_LT(qualified, 40U);
}

TEST(StudyFindings, ManyValuePairsStayOneShortLine) {
    // Ten learning rates failing against ten working: a hundred value pairs, three shown.
    std::map<std::pair<std::string, std::string>, std::size_t> pairs;
    for (int bad = 0; bad < 10; ++bad)
        for (int good = 0; good < 10; ++good)
            pairs[{"1e-" + std::to_string(bad + 10), "0." + std::to_string(good)}] = bad == 3 && good == 7 ? 9 : 1;
    const std::string text = one_setting_text("learning-rate", pairs);
    EXPECT_TRUE(contains(text,
                         "learning-rate alone separates failing from working configurations: 1e-13 fails where "
                         "0.7 works (9 pairs differing in nothing else); "))
        << text;  // the most frequent first
    EXPECT_TRUE(contains(text, "; and 97 more value pairs (97 pairs of configurations)")) << text;
    EXPECT_EQ(std::ranges::count(text, ';'), 3) << text;
    EXPECT_LT(text.size(), 400u) << text;  // a hundred pairs listed would be 6 KB
}

TEST(StudyFindings, EveryConfigurationOverfitting) {
    std::vector<ConfigSummary> cs = {summary(0, Verdict::Overfitting, 1.0, 0.6),
                                     summary(1, Verdict::Overfitting, 1.0, 0.7)};
    cs[1].settings.width = 16;
    EXPECT_TRUE(has(study_findings(cs, kChance, {}), "all_overfitting"));
    cs[1].verdict = Verdict::Good;
    EXPECT_FALSE(has(study_findings(cs, kChance, {}), "all_overfitting"));
    // One configuration is no study-wide pattern.
    EXPECT_FALSE(has(study_findings({summary(0, Verdict::Overfitting, 1.0, 0.6)}, kChance, {}), "all_overfitting"));
}

TEST(StudyFindings, TestFarFromTheFolds) {
    std::vector<ConfigSummary> cs = {summary(0, Verdict::Good, 0.99, 0.96, 0.51),
                                     summary(1, Verdict::Good, 0.99, 0.95, 0.94)};
    cs[1].settings.width = 16;
    const std::vector<StudyFinding> fs = study_findings(cs, kChance, {});
    ASSERT_TRUE(has(fs, "test_far_from_folds"));
    const std::string& text = get(fs, "test_far_from_folds").text;
    EXPECT_TRUE(contains(text, "in 1 of 2 configurations")) << text;
    EXPECT_TRUE(contains(text, "test 0.510 vs validation 0.960 +- 0.010")) << text;
    // Within the overfit gap, or within three of the folds' stds: no finding.
    cs[0].mean_test_acc = 0.92;
    EXPECT_FALSE(has(study_findings(cs, kChance, {}), "test_far_from_folds"));
    cs[0].mean_test_acc = 0.85;
    cs[0].std_val_acc = 0.05;
    EXPECT_FALSE(has(study_findings(cs, kChance, {}), "test_far_from_folds"));
    // Without a test set there is nothing to compare.
    cs[0].mean_test_acc = kNaN;
    EXPECT_FALSE(has(study_findings(cs, kChance, {}), "test_far_from_folds"));
}

TEST(StudyFindings, TextAndAttributeForms) {
    const std::vector<StudyFinding> none = study_findings({summary(0, Verdict::Good, 0.99, 0.97)}, kChance, {});
    EXPECT_TRUE(none.empty());
    std::ostringstream empty;
    write_study_findings(none, empty);
    EXPECT_EQ(empty.str(), "");
    const std::vector<StudyFinding> fs = {{"all_overfitting", "every one overfits"}};
    std::ostringstream out;
    write_study_findings(fs, out);
    EXPECT_EQ(out.str(), "\nStudy findings:\n  all_overfitting: every one overfits\n");
    EXPECT_EQ(study_findings_attribute(fs), std::vector<std::string>{"all_overfitting: every one overfits"});
    EXPECT_EQ(study_findings_json(fs).dump(), R"([{"kind":"all_overfitting","text":"every one overfits"}])");
}

}  // namespace
}  // namespace dnnsweep
