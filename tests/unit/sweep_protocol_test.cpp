// The sweep's request message (runner/sweep/sweep_protocol.hpp, header-only, no MPI): every field comes
// back from its words as it went in, in the documented word order.
#include "runner/sweep/sweep_protocol.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>

namespace dnnsweep::protocol {
namespace {

TEST(SweepProtocol, RequestRoundTripsThroughItsWordsInFieldOrder) {
    const Request sent{123456789012345ULL, UnitStatus::Pruned, 1.25, 0.0625, 17, 0.875, 0.5, 0.001953125};
    const auto words = encode(sent);
    static_assert(words.size() == kRequestWords);
    EXPECT_EQ(words[0], sent.unit);
    EXPECT_EQ(words[1], static_cast<std::uint64_t>(UnitStatus::Pruned));
    EXPECT_EQ(words[2], std::bit_cast<std::uint64_t>(sent.seconds));
    EXPECT_EQ(words[3], std::bit_cast<std::uint64_t>(sent.record_seconds));
    EXPECT_EQ(words[4], sent.epochs);
    EXPECT_EQ(words[5], std::bit_cast<std::uint64_t>(sent.val_acc));
    EXPECT_EQ(words[6], std::bit_cast<std::uint64_t>(sent.setup_seconds));
    EXPECT_EQ(words[7], std::bit_cast<std::uint64_t>(sent.wait_seconds));

    const Request got = decode_request(words);
    EXPECT_EQ(got.unit, sent.unit);
    EXPECT_EQ(got.status, sent.status);
    EXPECT_EQ(got.seconds, sent.seconds);
    EXPECT_EQ(got.record_seconds, sent.record_seconds);
    EXPECT_EQ(got.epochs, sent.epochs);
    EXPECT_EQ(got.val_acc, sent.val_acc);
    EXPECT_EQ(got.setup_seconds, sent.setup_seconds);
    EXPECT_EQ(got.wait_seconds, sent.wait_seconds);
}

TEST(SweepProtocol, FirstRequestReportsNoUnit) {
    const Request first;
    EXPECT_EQ(decode_request(encode(first)).unit, kNoUnit);
}

}  // namespace
}  // namespace dnnsweep::protocol
