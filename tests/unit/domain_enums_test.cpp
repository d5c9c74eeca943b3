// The domain enums' tables (a unit's status, a verdict, a cause, an activation): every value has
// one name that parses back to it, names are unique, and the spellings written to files and
// printed stay those of earlier releases.
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "engine/activation.hpp"
#include "engine/cause.hpp"
#include "engine/config.hpp"
#include "engine/dense_kernels.hpp"
#include "engine/layers.hpp"
#include "engine/unit_status.hpp"
#include "engine/verdict.hpp"
#include "outputs/tables.hpp"
#include "outputs/unit_status.hpp"

namespace dnnsweep {
namespace {

template <typename E, std::size_t N>
void expect_round_trip(const std::array<EnumEntry<E>, N>& table, std::optional<E> (*parse)(std::string_view)) {
    std::set<std::string_view> names;
    for (const EnumEntry<E>& e : table) {
        EXPECT_EQ(name(e.value), e.name);
        EXPECT_EQ(parse(e.name), e.value) << e.name;
        EXPECT_FALSE(e.description.empty()) << e.name;
        EXPECT_TRUE(names.insert(e.name).second) << "duplicate name " << e.name;
    }
    EXPECT_EQ(parse(""), std::nullopt);
    EXPECT_EQ(parse("no_such_name"), std::nullopt);
}

TEST(DomainEnums, UnitStatusNamesRoundTrip) {
    expect_round_trip(
        kUnitStatuses, +[](std::string_view s) { return parse_unit_status(s); });
    // The names results files already hold never change; a new value may go anywhere in the table.
    const std::vector<std::pair<UnitStatus, std::string_view>> released = {{UnitStatus::Ok, "ok"},
                                                                           {UnitStatus::Diverged, "diverged"},
                                                                           {UnitStatus::Pruned, "pruned"},
                                                                           {UnitStatus::Failed, "failed"},
                                                                           {UnitStatus::Stopped, "stopped"}};
    for (const auto& [value, text] : released) EXPECT_EQ(name(value), text);
}

TEST(DomainEnums, VerdictNamesRoundTrip) {
    expect_round_trip(
        kVerdicts, +[](std::string_view s) { return parse_verdict(s); });
    const std::vector<std::pair<Verdict, std::string_view>> released = {{Verdict::NotTraining, "not_training"},
                                                                        {Verdict::Underfitting, "underfitting"},
                                                                        {Verdict::Overfitting, "overfitting"},
                                                                        {Verdict::Good, "good"},
                                                                        {Verdict::Failed, "failed"}};
    for (const auto& [value, text] : released) EXPECT_EQ(name(value), text);
}

TEST(DomainEnums, CauseNamesRoundTrip) {
    expect_round_trip(
        kCauses, +[](std::string_view s) { return parse_cause(s); });
    const std::vector<std::pair<Cause, std::string_view>> released = {{Cause::Diverged, "diverged"},
                                                                      {Cause::MseSoftmax, "mse_softmax"},
                                                                      {Cause::UnscaledInputs, "unscaled_inputs"},
                                                                      {Cause::VanishingGradient, "vanishing_gradient"},
                                                                      {Cause::DeadRelu, "dead_relu"},
                                                                      {Cause::FewUpdates, "few_updates"},
                                                                      {Cause::Unknown, "unknown"}};
    for (const auto& [value, text] : released) EXPECT_EQ(name(value), text);
}

// The `status` column: what a newer dnnsweep may write and this one does not know reads as failed
// (kept over nothing final, replaced by anything final), and a known one reads back as written.
TEST(DomainEnums, UnknownStatusInAFileReadsAsFailed) {
    UnitResult u;
    u.status = UnitStatus::Diverged;
    const std::vector<UnitResult> units{u};
    const detail::UnitTables written = detail::unit_tables(units, detail::Flavor::Merged);
    ASSERT_EQ(written.folds.get<std::string>("status"), std::vector<std::string>{"diverged"});
    const auto read_with_status = [&](const std::string& status) {
        h5::Table folds;
        for (h5::Column c : written.folds.columns()) {
            if (c.name == "status") c.data = std::vector<std::string>{status};
            folds.add_column(std::move(c));
        }
        return detail::units_from_tables(folds, written.curves, written.grad_norms, nullptr);
    };
    ASSERT_EQ(read_with_status("diverged").size(), 1u);
    EXPECT_EQ(read_with_status("diverged")[0].status, UnitStatus::Diverged);
    ASSERT_EQ(read_with_status("resumed").size(), 1u);
    EXPECT_EQ(read_with_status("resumed")[0].status, UnitStatus::Failed);
    EXPECT_TRUE(unit_status::replaces(UnitStatus::Ok, 0, UnitStatus::Failed, 9));
    EXPECT_TRUE(read_with_status("").empty());  // an empty status is a row not written yet
}

// The `causes` column: names joined by commas, empty for none; a name this version does not know
// is refused rather than dropped.
TEST(DomainEnums, CausesColumnTextRoundTrips) {
    std::vector<Cause> all;
    for (const EnumEntry<Cause>& c : kCauses) all.push_back(c.value);
    EXPECT_EQ(causes_text({Cause::MseSoftmax, Cause::VanishingGradient}), "mse_softmax,vanishing_gradient");
    EXPECT_EQ(parse_causes(causes_text(all)), all);
    EXPECT_EQ(causes_text({}), "");
    EXPECT_TRUE(parse_causes("").empty());
    EXPECT_EQ(parse_causes("mse_softmax"), std::vector<Cause>{Cause::MseSoftmax});
    EXPECT_THROW(parse_causes("vanishing_gradient_x"), std::invalid_argument);
    EXPECT_THROW(parse_causes("mse_softmax,"), std::invalid_argument);
}

TEST(DomainEnums, ActivationNamesRoundTrip) {
    std::set<std::string_view> names;
    std::size_t i = 0;
    for (const ActivationInfo& a : activations()) {
        EXPECT_EQ(static_cast<std::size_t>(a.value), i++);
        EXPECT_EQ(&info(a.value), &a);
        EXPECT_EQ(name(a.value), a.name);
        EXPECT_EQ(parse_activation(a.name), a.value);
        EXPECT_FALSE(a.description.empty()) << a.name;
        EXPECT_TRUE(names.insert(a.name).second) << "duplicate name " << a.name;
    }
    // The names specs and results files already use stay; a new activation may join them.
    for (const std::string_view released : {"sigmoid", "tanh", "relu", "leaky_relu", "elu", "maxout"})
        EXPECT_TRUE(names.contains(released)) << released;
    EXPECT_THROW(parse_activation("gelu"), ConfigError);
}

// The table's oneDNN form is what the layers build, with the configuration's alpha for the
// activations that take one; the families are the health figures' groups.
TEST(DomainEnums, ActivationTableDrivesTheLayersAndTheHealthFigures) {
    TrainConfig c;
    c.leaky_relu_alpha = 0.25f;
    c.elu_alpha = 0.5f;
    for (const ActivationInfo& a : activations()) {
        c.activation = a.value;
        const std::optional<EltwiseSpec> spec = eltwise_for(c);
        ASSERT_EQ(spec.has_value(), a.value != Activation::Maxout) << a.name;
        if (!spec) continue;
        EXPECT_EQ(static_cast<dnnl_alg_kind_t>(spec->forward), a.forward) << a.name;
        EXPECT_EQ(static_cast<dnnl_alg_kind_t>(spec->backward_from_dst), a.backward_from_dst) << a.name;
    }
    c.activation = Activation::LeakyRelu;
    EXPECT_EQ(eltwise_for(c)->alpha, 0.25f);
    c.activation = Activation::Elu;
    EXPECT_EQ(eltwise_for(c)->alpha, 0.5f);
    c.activation = Activation::Relu;
    EXPECT_EQ(eltwise_for(c)->alpha, 0.0f);
    for (const Activation a : {Activation::Relu, Activation::LeakyRelu, Activation::Elu})
        EXPECT_EQ(family(a), ActivationFamily::ReluLike) << name(a);
    EXPECT_EQ(family(Activation::Sigmoid), ActivationFamily::Sigmoid);
    EXPECT_EQ(family(Activation::Tanh), ActivationFamily::Tanh);
    EXPECT_EQ(family(Activation::Maxout), ActivationFamily::Other);
}

// Small dense layers run the plain-loop kernels: they must compute every element-wise activation
// of the table (a new oneDNN kind needs its formula in engine/dense_kernels.cpp too).
TEST(DomainEnums, PlainLoopKernelsComputeEveryActivation) {
    for (const ActivationInfo& a : activations()) {
        if (a.forward == dnnl_alg_kind_undef) continue;
        std::vector<float> y = {-1.0f, 0.0f, 0.5f, 2.0f}, dy(y.size(), 1.0f);
        EXPECT_NO_THROW(kernels::activation_forward(static_cast<dnnl::algorithm>(a.forward), 0.1f, y.data(), y.size()))
            << a.name;
        EXPECT_NO_THROW(kernels::activation_backward(static_cast<dnnl::algorithm>(a.backward_from_dst), 0.1f, y.data(),
                                                     dy.data(), dy.size()))
            << a.name;
    }
}

}  // namespace
}  // namespace dnnsweep
