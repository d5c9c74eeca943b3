#include "runner/sweep/halving_queue.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "outputs/unit_status.hpp"

namespace dnnsweep {

HalvingQueue::HalvingQueue(const Grid& grid, const std::vector<std::uint64_t>& schedule, const Recorded& recorded,
                           const PruneSettings& settings, int retries)
    : settings_(settings), retries_(retries) {
    std::map<std::uint64_t, std::size_t> index_of;  // grid configuration -> configs_ index
    for (const std::uint64_t u : schedule) {
        const UnitRef ref = grid.unit(u);
        const auto [it, inserted] = index_of.try_emplace(ref.config, configs_.size());
        if (inserted) configs_.push_back({{}, halving_rungs(grid.config(ref.config).epochs, settings)});
        configs_[it->second].units.push_back(u);
        Unit& x = units_[u];
        x.config = it->second;
        if (const auto rec = recorded.records.find(u); rec != recorded.records.end()) {
            x.reached = rec->second.epochs;
            x.final = rec->second.status != UnitStatus::Pruned;  // ok, diverged, failed: ended
            for (std::size_t e = 0; e < rec->second.val_acc.size(); ++e)
                x.val_acc[static_cast<int>(e) + 1] = rec->second.val_acc[e];
            x.has_record = x.counted = true;
        }
    }
    std::size_t rungs = 0;
    for (Config& c : configs_) {
        std::ranges::sort(c.units, {}, [&](std::uint64_t u) { return grid.unit(u).fold; });
        rungs = std::max(rungs, c.rungs.size());
    }
    order_.resize(rungs);
    counted_.assign(rungs, 0);
    promoted_.resize(rungs);
    ranked_.resize(rungs);
    queue_.resize(rungs);
    for (std::size_t c = 0; c < configs_.size(); ++c) {
        order_[0].push_back(c);
        enqueue(c, 0);
    }
    advance();  // a resumed sweep replays the promotions its records allow
}

void HalvingQueue::enqueue(std::size_t config, std::size_t rung) {
    const Config& c = configs_[config];
    for (const std::uint64_t u : c.units) {
        const Unit& x = units_.at(u);
        if (!x.final && x.reached < c.rungs[rung]) queue_[rung].push_back({u, c.rungs[rung], rung});
    }
}

bool HalvingQueue::reached(const Config& c, std::size_t rung) const {
    return std::ranges::all_of(c.units, [&](std::uint64_t u) {
        const Unit& x = units_.at(u);
        return x.final || x.reached >= c.rungs[rung];
    });
}

double HalvingQueue::score(const Config& c, std::size_t rung) const {
    double sum = 0.0;
    for (const std::uint64_t u : c.units) {
        const Unit& x = units_.at(u);
        const auto it = x.val_acc.find(std::min(c.rungs[rung], x.reached));
        if (it == x.val_acc.end() || !std::isfinite(it->second)) return std::nan("");  // diverged or failed
        sum += it->second;
    }
    return sum / static_cast<double>(c.units.size());
}

void HalvingQueue::advance() {
    for (bool changed = true; changed;) {
        changed = false;
        bool feeders_complete = true;  // rung 0's configurations are all there from the start
        for (std::size_t k = 0; k < order_.size(); ++k) {
            // One configuration at a time: the promotions made at each count are the same
            // whichever way the results arrived (several at once, or one by one).
            while (counted_[k] < order_[k].size() && reached(configs_[order_[k][counted_[k]]], k)) {
                ++counted_[k];
                changed |= promote(k);
            }
            // A rung that can gain no more configurations, of which none went on: its best does,
            // so a finite grid always trains one configuration to its full epochs (ASHA's quota
            // alone stops at 9 -> 3 -> 1 -> 0 on rungs 1, 3, 9, 20).
            const bool complete = feeders_complete && counted_[k] == order_[k].size();
            if (complete && promoted_[k].empty()) changed |= promote_best(k);
            feeders_complete = complete;
        }
    }
}

bool HalvingQueue::promote_best(std::size_t k) {
    for (const Ranked& r : ranked_[k]) {
        if (!std::isfinite(r.key)) return false;  // only diverged or failed ones are left
        if (k + 1 >= configs_[r.config].rungs.size()) continue;
        promoted_[k].insert(r.config);
        order_[k + 1].push_back(r.config);
        enqueue(r.config, k + 1);
        return true;
    }
    return false;
}

bool HalvingQueue::promote(std::size_t k) {
    // Rank the newly counted configuration among those counted before it: best score first, NaN
    // (a diverged or failed fold) last, ties to the earlier counted. Its score on this rung is
    // final, so the ranking only ever grows.
    const std::size_t position = counted_[k] - 1;
    const std::size_t config = order_[k][position];
    const double s = score(configs_[config], k);
    const Ranked entry{std::isfinite(s) ? -s : std::numeric_limits<double>::infinity(), position, config};
    std::vector<Ranked>& ranked = ranked_[k];
    const auto at = ranked.insert(std::upper_bound(ranked.begin(), ranked.end(), entry), entry);
    // ASHA's rule: the top floor(n / eta) go on. Every configuration already in the top was
    // promoted when it got there, so only two can be new to it: this one, and the one now at the
    // quota's last place.
    const std::size_t quota = counted_[k] / static_cast<std::size_t>(settings_.halving_eta);
    bool any = false;
    const auto try_promote = [&](std::size_t c) {
        if (k + 1 >= configs_[c].rungs.size() || !promoted_[k].insert(c).second) return;
        order_[k + 1].push_back(c);
        enqueue(c, k + 1);
        any = true;
    };
    if (static_cast<std::size_t>(at - ranked.begin()) < quota) try_promote(config);
    if (quota > 0) try_promote(ranked[quota - 1].config);
    return any;
}

std::optional<Assignment> HalvingQueue::next() {
    for (std::size_t k = queue_.size(); k-- > 0;) {  // promotions first, the highest rung first
        if (queue_[k].empty()) continue;
        const Task t = queue_[k].front();
        queue_[k].pop_front();
        units_.at(t.unit).rung = t.rung;
        ++out_;
        return Assignment{t.unit, false, t.epochs};
    }
    return std::nullopt;
}

bool HalvingQueue::report(const UnitReport& r) {
    --out_;
    Unit& x = units_.at(r.unit);
    switch (r.outcome) {
    case Outcome::Stopped:
        ++abandoned_;
        return false;
    case Outcome::Failed:
        if (++x.failures <= retries_) {
            queue_[x.rung].push_back({r.unit, configs_[x.config].rungs[x.rung], x.rung});
            return false;
        }
        x.final = true;
        ++failed_;
        break;
    case Outcome::Done:
    case Outcome::Pruned:
        x.reached = std::max(x.reached, r.epochs);
        x.val_acc[r.epochs] = r.val_acc;
        x.final = r.outcome == Outcome::Done;  // Pruned: paused at a rung, promotable
        if (!x.has_record) ++new_results_;
        break;
    }
    x.has_record = x.reported = true;
    advance();
    const bool first = !x.counted;
    x.counted = true;
    return first;
}

bool HalvingQueue::exhausted() const {
    return out_ == 0 && std::ranges::all_of(queue_, [](const std::deque<Task>& q) { return q.empty(); });
}

std::size_t HalvingQueue::pruned() const {
    return static_cast<std::size_t>(
        std::ranges::count_if(units_, [](const auto& kv) { return kv.second.reported && !kv.second.final; }));
}

}  // namespace dnnsweep
