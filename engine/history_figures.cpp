#include "engine/history_figures.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace dnnsweep {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kSlopeEpochs = 5;

// The loss figures: drop, spike (against the lowest loss before it) and the lowest epoch.
void read_loss(std::span<const EpochMetrics> history, HistoryFigures& f) {
    double first = nan, lowest = nan;
    int finite = 0;
    for (const EpochMetrics& m : history) {
        if (!std::isfinite(m.train_loss)) continue;
        if (++finite == 1) {
            first = lowest = m.train_loss;
            f.lowest_loss_epoch = m.epoch;
            continue;
        }
        if (first > 0.0) {
            const double rise = (m.train_loss - lowest) / first;
            if (rise > 0.0 && (std::isnan(f.loss_spike) || rise > f.loss_spike)) {
                f.loss_spike = rise;
                f.spike_epoch = m.epoch;
            }
        }
        if (m.train_loss < lowest) {
            lowest = m.train_loss;
            f.lowest_loss_epoch = m.epoch;
        }
    }
    if (finite < 2 || !(first > 0.0)) return;
    f.loss_drop = 1.0 - lowest / first;
    if (std::isnan(f.loss_spike)) f.loss_spike = 0.0;
}

double grad_growth(std::span<const EpochMetrics> history) {
    if (history.empty()) return nan;
    const std::vector<double>& first = history.front().health.grad_norm;
    double growth = nan;
    for (const EpochMetrics& m : history)
        for (std::size_t l = 0; l < std::min(first.size(), m.health.grad_norm.size()); ++l) {
            const double g = m.health.grad_norm[l] / first[l];
            if (first[l] > 0.0 && std::isfinite(g) && (std::isnan(growth) || g > growth)) growth = g;
        }
    return growth;
}

// Least-squares slope of validation accuracy against the epoch, over the last epochs measured.
double val_slope(std::span<const EpochMetrics> history) {
    std::vector<std::pair<double, double>> points;
    for (auto it = history.rbegin(); it != history.rend() && points.size() < kSlopeEpochs; ++it)
        if (std::isfinite(it->val_acc)) points.emplace_back(it->epoch, it->val_acc);
    if (points.size() < 2) return nan;
    double mx = 0.0, my = 0.0;
    for (const auto& [x, y] : points) mx += x, my += y;
    mx /= static_cast<double>(points.size());
    my /= static_cast<double>(points.size());
    double sxy = 0.0, sxx = 0.0;
    for (const auto& [x, y] : points) sxy += (x - mx) * (y - my), sxx += (x - mx) * (x - mx);
    return sxx > 0.0 ? sxy / sxx : nan;
}

}  // namespace

HistoryFigures read_history(std::span<const EpochMetrics> history) {
    HistoryFigures f;
    read_loss(history, f);
    if (!history.empty()) f.early_dead_relu = history.front().health.dead_relu;
    f.grad_growth = grad_growth(history);
    f.val_slope = val_slope(history);
    return f;
}

}  // namespace dnnsweep
