// bench_matmul_ceiling: what oneDNN's f32 matrix products reach on this CPU at the seed table's
// layer shapes, on one thread by default (one sweep worker = one core).
//
// For each shape (M = batch rows, K = inputs, N = outputs) and each kind it creates the primitive
// once, warms it up, then calls it repeatedly for about --seconds and prints one JSON line:
//
//   {"kind":"ip_fwd","layout":"oi","M":100,"K":689,"N":689,...,"gflops":...,"impl":"..."}
//
// gflops = 2*M*K*N per call / mean wall seconds per call (every kind does the same 2*M*K*N
// multiply-adds; bias additions and reductions are not counted). gflops_best is the best of the ~10
// timed chunks. cpu_share = process CPU seconds / (wall seconds * threads) over the timed calls:
// well under 1 means other processes had the core part of the time, and the wall-clock figures are
// too low; gflops_cpu (2*M*K*N / CPU seconds per call per thread) is then the better estimate.
//
// Kinds (src/dst are plain row-major; "layout" is the weights' layout):
//   ip_fwd          inner_product_forward (forward_training, with bias)   weights oi  (= what
//                   engine/layers.cpp uses) or any (oneDNN picks a blocked layout, reorder excluded)
//   ip_bwd_data     inner_product_backward_data    diff_src = diff_dst * W
//   ip_bwd_weights  inner_product_backward_weights diff_W = diff_dst^T * src (+ diff_bias)
//   matmul          matmul primitive, weights K x N: ab (row-major), ba (= the oi buffer), any
//
// --weight-copies C (default 1) gives each kind C copies of its weights (and weight gradients),
// used in turn: with C x 1.9 MB beyond the last-level cache, every call reads its weights from
// memory, as each layer of an 11-layer network does (its 21 MB of weights do not stay cached).
// The src/dst buffers stay the same, as a layer's activations do.
//
// The last line is the ceiling: the best gflops over the forward kinds (ip_fwd, matmul) at
// M=100, K=689, N=689, the hidden-layer shape of the seed table:
//
//   {"ceiling_gflops":...,"ceiling_kind":"matmul/any","ceiling_gflops_cpu":...,"min_cpu_share":...,
//    "M":100,"K":689,"N":689,"threads":1,"weight_copies":1,"isa":"...","onednn":"2.6.3"}
//
// Usage: bench_matmul_ceiling [--seconds S] [--threads T] [--batch M] [--weight-copies C]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <omp.h>

#include <oneapi/dnnl/dnnl.hpp>

namespace {

using dnnl::memory;
using dnnl::prop_kind;
using tag = memory::format_tag;
using clock_type = std::chrono::steady_clock;
constexpr auto f32 = memory::data_type::f32;

struct Options {
    double seconds = 1.5;  // timed seconds per kind (plus a short warm-up)
    int threads = 1;
    memory::dim batch = 100;
    int weight_copies = 1;
};

struct Shape {
    memory::dim m, k, n;
};

struct Timing {
    std::int64_t calls = 0;
    double seconds = 0.0;       // total timed seconds (wall clock)
    double cpu_seconds = 0.0;   // process CPU time (user + system, all threads) over the same calls
    double best_chunk = 1e300;  // best seconds per call over the chunks
};

double seconds_since(clock_type::time_point t0) {
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

double process_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Warm-up (at least 3 calls and ~10% of the budget), then ~10 chunks of equal call counts.
Timing time_calls(const std::function<void()>& call, double budget) {
    auto t0 = clock_type::now();
    int warm = 0;
    while (warm < 3 || seconds_since(t0) < 0.1 * budget) {
        call();
        ++warm;
    }
    const double per_call = seconds_since(t0) / warm;
    constexpr int kChunks = 10;
    const auto per_chunk = std::max<std::int64_t>(1, static_cast<std::int64_t>(budget / kChunks / per_call));
    Timing t;
    for (int c = 0; c < kChunks; ++c) {
        const double cpu0 = process_cpu_seconds();
        const auto c0 = clock_type::now();
        for (std::int64_t i = 0; i < per_chunk; ++i) call();
        const double s = seconds_since(c0);
        t.cpu_seconds += process_cpu_seconds() - cpu0;
        t.seconds += s;
        t.calls += per_chunk;
        t.best_chunk = std::min(t.best_chunk, s / static_cast<double>(per_chunk));
    }
    return t;
}

// A memory object with layout `md`, holding uniform [-1, 1) values (written in a plain layout of the
// same dims, then reordered, so blocked layouts keep their zero padding).
memory filled(const memory::desc& md, const dnnl::engine& eng, dnnl::stream& strm, std::uint32_t seed) {
    const memory::dims dims = md.dims();
    const memory::desc plain_md(dims, f32, dims.size() == 1 ? tag::a : tag::ab);
    memory plain(plain_md, eng);
    auto* p = static_cast<float*>(plain.get_data_handle());
    std::mt19937 gen(seed);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    const std::size_t count = plain_md.get_size() / sizeof(float);
    for (std::size_t i = 0; i < count; ++i) p[i] = dist(gen);
    if (md == plain_md) return plain;
    memory out(md, eng);
    dnnl::reorder(plain, out).execute(strm, plain, out);
    strm.wait();
    return out;
}

std::string json_escape(std::string_view s) {
    std::string out;
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

struct Bench {
    explicit Bench(const Options& o) : opt(o) {}

    Options opt;
    dnnl::engine eng{dnnl::engine::kind::cpu, 0};
    dnnl::stream strm{eng};
    std::uint32_t seed = 1;
    // best forward gflops at the ceiling shape, that kind's CPU-time figure, and the lowest CPU share
    double ceiling = 0.0, ceiling_cpu = 0.0, min_cpu_share = 1e300;
    std::string ceiling_kind;

    memory mem(const memory::desc& md) { return filled(md, eng, strm, seed++); }

    void report(const char* kind, const char* layout, const Shape& s, const char* impl, const Timing& t, bool forward,
                const Shape& ceiling_shape) {
        const double flop = 2.0 * static_cast<double>(s.m) * static_cast<double>(s.k) * static_cast<double>(s.n);
        const double per_call = t.seconds / static_cast<double>(t.calls);
        const double gflops = flop / per_call * 1e-9;
        // CPU share: process CPU seconds / (wall seconds * threads); well under 1 = the CPU was shared.
        const double cpu_share = t.cpu_seconds / (t.seconds * opt.threads);
        // What the wall-clock figure would be with the cores to itself (CPU time per call per thread).
        const double gflops_cpu =
            t.cpu_seconds > 0.0 ? flop / (t.cpu_seconds / opt.threads / static_cast<double>(t.calls)) * 1e-9 : 0.0;
        std::printf(
            "{\"kind\":\"%s\",\"layout\":\"%s\",\"M\":%lld,\"K\":%lld,\"N\":%lld,\"threads\":%d,"
            "\"calls\":%lld,\"seconds\":%.3f,\"us_per_call\":%.2f,\"gflops\":%.2f,\"gflops_best\":%.2f,"
            "\"gflops_cpu\":%.2f,\"cpu_share\":%.3f,\"impl\":\"%s\"}\n",
            kind, layout, static_cast<long long>(s.m), static_cast<long long>(s.k), static_cast<long long>(s.n),
            opt.threads, static_cast<long long>(t.calls), t.seconds, per_call * 1e6, gflops, flop / t.best_chunk * 1e-9,
            gflops_cpu, cpu_share, json_escape(impl).c_str());
        std::fflush(stdout);
        min_cpu_share = std::min(min_cpu_share, cpu_share);
        if (forward && s.m == ceiling_shape.m && s.k == ceiling_shape.k && s.n == ceiling_shape.n && gflops > ceiling) {
            ceiling = gflops;
            ceiling_cpu = gflops_cpu;
            ceiling_kind = std::string(kind) + "/" + layout;
        }
    }

    // Calls prim with args, the weights (and weight gradients) taken in turn from opt.weight_copies copies.
    Timing run(dnnl::primitive& prim, const std::unordered_map<int, memory>& args) {
        std::vector<std::unordered_map<int, memory>> sets{args};
        for (int c = 1; c < opt.weight_copies; ++c) {
            auto copy = args;
            for (auto& [arg, m] : copy)
                if (arg == DNNL_ARG_WEIGHTS || arg == DNNL_ARG_DIFF_WEIGHTS) m = mem(m.get_desc());
            sets.push_back(std::move(copy));
        }
        std::size_t next = 0;
        return time_calls(
            [&] {
                prim.execute(strm, sets[next]);
                next = (next + 1) % sets.size();
                strm.wait();
            },
            opt.seconds);
    }

    // inner_product forward, backward-data and backward-weights with weights layout oi or any.
    void inner_product(const Shape& s, bool any, const Shape& cs) {
        const char* layout = any ? "any" : "oi";
        const memory::desc src_md({s.m, s.k}, f32, tag::ab), dst_md({s.m, s.n}, f32, tag::ab);
        const memory::desc w_md({s.n, s.k}, f32, any ? tag::any : tag::oi), b_md({s.n}, f32, tag::a);

        const dnnl::inner_product_forward::primitive_desc fwd_pd(
            dnnl::inner_product_forward::desc(prop_kind::forward_training, src_md, w_md, b_md, dst_md), eng);
        {
            dnnl::primitive prim = dnnl::inner_product_forward(fwd_pd);
            const std::unordered_map<int, memory> args{{DNNL_ARG_SRC, mem(fwd_pd.src_desc())},
                                                       {DNNL_ARG_WEIGHTS, mem(fwd_pd.weights_desc())},
                                                       {DNNL_ARG_BIAS, mem(fwd_pd.bias_desc())},
                                                       {DNNL_ARG_DST, mem(fwd_pd.dst_desc())}};
            report("ip_fwd", layout, s, fwd_pd.impl_info_str(), run(prim, args), true, cs);
        }
        {
            const dnnl::inner_product_backward_data::primitive_desc pd(
                dnnl::inner_product_backward_data::desc(src_md, w_md, dst_md), eng, fwd_pd);
            dnnl::primitive prim = dnnl::inner_product_backward_data(pd);
            const std::unordered_map<int, memory> args{{DNNL_ARG_DIFF_DST, mem(pd.diff_dst_desc())},
                                                       {DNNL_ARG_WEIGHTS, mem(pd.weights_desc())},
                                                       {DNNL_ARG_DIFF_SRC, mem(pd.diff_src_desc())}};
            report("ip_bwd_data", layout, s, pd.impl_info_str(), run(prim, args), false, cs);
        }
        {
            const dnnl::inner_product_backward_weights::primitive_desc pd(
                dnnl::inner_product_backward_weights::desc(src_md, w_md, b_md, dst_md), eng, fwd_pd);
            dnnl::primitive prim = dnnl::inner_product_backward_weights(pd);
            const std::unordered_map<int, memory> args{{DNNL_ARG_SRC, mem(pd.src_desc())},
                                                       {DNNL_ARG_DIFF_DST, mem(pd.diff_dst_desc())},
                                                       {DNNL_ARG_DIFF_WEIGHTS, mem(pd.diff_weights_desc())},
                                                       {DNNL_ARG_DIFF_BIAS, mem(pd.diff_bias_desc())}};
            report("ip_bwd_weights", layout, s, pd.impl_info_str(), run(prim, args), false, cs);
        }
    }

    // matmul dst[M,N] = src[M,K] * W[K,N], W row-major (ab), transposed (ba: the oi buffer) or any.
    void matmul(const Shape& s, tag wtag, const char* layout, const Shape& cs) {
        const memory::desc src_md({s.m, s.k}, f32, tag::ab), dst_md({s.m, s.n}, f32, tag::ab);
        const memory::desc w_md({s.k, s.n}, f32, wtag);
        const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src_md, w_md, dst_md), eng);
        dnnl::primitive prim = dnnl::matmul(pd);
        const std::unordered_map<int, memory> args{{DNNL_ARG_SRC, mem(pd.src_desc())},
                                                   {DNNL_ARG_WEIGHTS, mem(pd.weights_desc())},
                                                   {DNNL_ARG_DST, mem(pd.dst_desc())}};
        report("matmul", layout, s, pd.impl_info_str(), run(prim, args), true, cs);
    }
};

const char* isa_name(dnnl::cpu_isa isa) {
    switch (isa) {
    case dnnl::cpu_isa::sse41:
        return "sse41";
    case dnnl::cpu_isa::avx:
        return "avx";
    case dnnl::cpu_isa::avx2:
        return "avx2";
    case dnnl::cpu_isa::avx2_vnni:
        return "avx2_vnni";
    case dnnl::cpu_isa::avx512_mic:
        return "avx512_mic";
    case dnnl::cpu_isa::avx512_mic_4ops:
        return "avx512_mic_4ops";
    case dnnl::cpu_isa::avx512_core:
        return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni:
        return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16:
        return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx:
        return "avx512_core_amx";
    case dnnl::cpu_isa::all:
        return "all";
    }
    return "unknown";
}

[[noreturn]] void usage(const char* argv0, int code) {
    std::fprintf(code == 0 ? stdout : stderr,
                 "Usage: %s [--seconds S] [--threads T] [--batch M] [--weight-copies C]\n"
                 "  --seconds S          timed seconds per shape and kind (default 1.5)\n"
                 "  --threads T          OpenMP threads (default 1)\n"
                 "  --batch M            rows per call (default 100, the seed table's batch)\n"
                 "  --weight-copies C    weights used in turn from C copies (default 1; 12 = from memory)\n"
                 "Prints one JSON line per shape/kind, then the ceiling line.\n",
                 argv0);
    std::exit(code);
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "-h" || a == "--help") usage(argv[0], 0);
        if (i + 1 >= argc) usage(argv[0], 2);
        const char* v = argv[++i];
        char* end = nullptr;
        if (a == "--seconds") {
            o.seconds = std::strtod(v, &end);
            if (*end != '\0' || !(o.seconds > 0.0)) usage(argv[0], 2);
        } else if (a == "--threads") {
            const long t = std::strtol(v, &end, 10);
            if (*end != '\0' || t < 1 || t > 1024) usage(argv[0], 2);
            o.threads = static_cast<int>(t);
        } else if (a == "--batch") {
            o.batch = std::strtoll(v, &end, 10);
            if (*end != '\0' || o.batch < 1) usage(argv[0], 2);
        } else if (a == "--weight-copies") {
            const long c = std::strtol(v, &end, 10);
            if (*end != '\0' || c < 1 || c > 64) usage(argv[0], 2);
            o.weight_copies = static_cast<int>(c);
        } else {
            usage(argv[0], 2);
        }
    }
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    const Options opt = parse(argc, argv);
    omp_set_num_threads(opt.threads);
    try {
        Bench b(opt);
        const Shape hidden{opt.batch, 689, 689};  // hidden layer of the seed table (the ceiling shape)
        const Shape first{opt.batch, 784, 689};   // first layer: 784 pixels in
        for (const Shape& s : {hidden, first}) {
            b.inner_product(s, false, hidden);
            b.inner_product(s, true, hidden);
            b.matmul(s, tag::ab, "ab", hidden);
            b.matmul(s, tag::ba, "ba", hidden);
            b.matmul(s, tag::any, "any", hidden);
        }
        const dnnl_version_t* v = dnnl::version();
        std::printf(
            "{\"ceiling_gflops\":%.2f,\"ceiling_kind\":\"%s\",\"ceiling_gflops_cpu\":%.2f,"
            "\"min_cpu_share\":%.3f,\"M\":%lld,\"K\":689,\"N\":689,\"threads\":%d,\"weight_copies\":%d,"
            "\"isa\":\"%s\",\"onednn\":\"%d.%d.%d\"}\n",
            b.ceiling, b.ceiling_kind.c_str(), b.ceiling_cpu, b.min_cpu_share, static_cast<long long>(opt.batch),
            opt.threads, opt.weight_copies, isa_name(dnnl::get_effective_cpu_isa()), v->major, v->minor, v->patch);
        if (b.min_cpu_share < 0.9) {
            std::fprintf(stderr,
                         "bench_matmul_ceiling: warning: the CPU was shared (lowest CPU share %.2f < 0.9): the "
                         "wall-clock figures are low; rerun on a quiet machine (gflops_cpu is the CPU-time view)\n",
                         b.min_cpu_share);
        }
        return 0;
    } catch (const dnnl::error& e) {
        std::fprintf(stderr, "bench_matmul_ceiling: oneDNN error (status %d): %s\n", static_cast<int>(e.status),
                     e.what());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_matmul_ceiling: %s\n", e.what());
    }
    return 1;
}
