/* tests/rtl/counters: scrub_counters (hw/rtl) against the counter pool's
 * rule (docs/card.md, "Counters and the snapshot"), clock by clock.
 *
 * The reference is the model's pool: pairs of 64-bit counters, a frame's
 * update adds one packet and its bytes, a snapshot copies every pair at one
 * instant, a COUNTER WRITE sets a live pair. Each clock every role updates
 * or not (phases from idle to every role every clock), on indexes drawn
 * from a few hot pairs (back-to-back and cross-role collisions) or anywhere;
 * snapshots, WRITEs, READs and bad commands come at random. The instants
 * the pool chooses are read off its ports (a WRITE at set_applied, a
 * snapshot when snap is taken while not busy); every READ is compared with
 * the reference snapshot of the clock the command was given.
 *
 * Usage: tb_counters [seed [clocks]]. Prints the coverage bins and
 * counters_rtl_mismatches=0, or the first mismatch and exits 1. */
#include <array>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <vector>

#include "Vscrub_counters.h"
#include "verilated.h"

extern "C" {
#include "scrub_regmap.h"
}

namespace {

constexpr unsigned kRoles = SCRUB_COUNT_ONLY_MAX + 4;
constexpr unsigned kWords = SCRUB_DATA_WORDS;
constexpr unsigned kIndexBits = [] {
    unsigned w = 0;
    while ((1u << w) < SCRUB_TB_COUNTERS)
        w++;
    return w;
}();
static_assert(kRoles * kIndexBits <= 64, "the bench packs u_index into 64 bits");

struct Pair {
    uint64_t packets = 0, bytes = 0;
};

struct Bins {
    uint64_t updates = 0, back_to_back = 0, cross_role = 0, snapshots = 0, snaps_ignored = 0, sets = 0,
             reads = 0, reads_nonzero = 0, bad_cmd = 0, bad_index = 0, busy_clocks = 0, saturated_clocks = 0;
};

struct Bench {
    explicit Bench(uint32_t seed, unsigned counters) : rng(seed), n(counters), live(counters), snap(counters)
    {
        dut = std::make_unique<Vscrub_counters>();
        for (unsigned i = 0; i < 4; i++)
            hot[i] = rng() % n;
        dut->rst = 1;
        tick();
        tick();
        dut->rst = 0;
    }

    void tick()
    {
        dut->clk = 0;
        dut->eval();
        dut->clk = 1;
        dut->eval();
    }

    uint32_t pick_index()
    {
        return rng() % 3 ? hot[rng() % 4] : rng() % n;
    }

    void set_word(uint32_t w, uint32_t v)
    {
        dut->cmd_data[w] = v;
    }

    uint32_t rdata(uint32_t w) const
    {
        return dut->cmd_rdata[w];
    }

    [[noreturn]] void fail(const char *what, uint64_t clock, uint32_t index, uint64_t want, uint64_t got)
    {
        std::fprintf(stderr, "counters_rtl: mismatch at clock %" PRIu64 ": %s of pair %u: model %" PRIu64
                     ", rtl %" PRIu64 "\n", clock, what, index, want, got);
        std::exit(1);
    }

    std::mt19937 rng;
    unsigned n;
    std::vector<Pair> live, snap;
    std::unique_ptr<Vscrub_counters> dut;
    uint32_t hot[4];
    Bins bins;
};

} // namespace

int main(int argc, char **argv)
{
    uint32_t seed = argc > 1 ? (uint32_t)std::strtoul(argv[1], nullptr, 0) : 1;
    uint64_t clocks = argc > 2 ? std::strtoull(argv[2], nullptr, 0) : 1000000;
    Verilated::commandArgs(argc, argv);
    Bench b(seed, SCRUB_TB_COUNTERS);
    std::printf("counters_rtl: seed %u, %" PRIu64 " clocks, %u pairs\n", seed, clocks, b.n);

    std::array<uint32_t, kRoles> prev_index{};
    std::array<bool, kRoles> prev_valid{};
    bool cmd_busy = false;
    uint32_t cmd_kind = 0, cmd_index = 0;
    Pair cmd_want;
    std::array<unsigned, kRoles> p_update{}; // percent, per role, per phase

    for (uint64_t clock = 0; clock < clocks; clock++) {
        if (clock % 5000 == 0) {
            static const unsigned phases[] = {0, 10, 50, 90, 100};
            unsigned common = phases[b.rng() % 5];
            for (unsigned r = 0; r < kRoles; r++)
                p_update[r] = b.rng() % 2 ? common : phases[b.rng() % 5];
        }
        // this clock's inputs
        std::array<bool, kRoles> valid{};
        std::array<uint32_t, kRoles> index{};
        std::array<uint16_t, kRoles> bytes{};
        uint32_t u_valid = 0;
        for (unsigned r = 0; r < kRoles; r++) {
            valid[r] = b.rng() % 100 < p_update[r];
            index[r] = b.pick_index();
            bytes[r] = (uint16_t)b.rng();
            if (valid[r])
                u_valid |= 1u << r;
        }
        b.dut->u_valid = u_valid;
        uint64_t packed = 0; // kRoles indexes of kIndexBits each
        for (unsigned r = 0; r < kRoles; r++) {
            packed |= (uint64_t)index[r] << (r * kIndexBits);
            uint32_t &word = b.dut->u_bytes[r / 2];
            unsigned shift = (r % 2) * 16;
            word = (word & ~(0xffffu << shift)) | (uint32_t)bytes[r] << shift;
        }
        b.dut->u_index = packed;
        b.dut->snap = b.rng() % 3000 == 0;

        b.dut->cmd_valid = 0;
        if (!cmd_busy && b.rng() % 200 == 0) {
            uint32_t roll = b.rng() % 20;
            cmd_kind = roll == 0 ? 7u : roll < 8 ? SCRUB_CMD_WRITE : SCRUB_CMD_READ;
            cmd_index = roll == 1 ? b.n + b.rng() % 4 : b.pick_index();
            b.dut->cmd_valid = 1;
            b.dut->cmd = cmd_kind;
            b.dut->cmd_index = cmd_index;
            for (unsigned w = 0; w < kWords; w++)
                b.set_word(w, b.rng());
            cmd_busy = true;
        }

        // the instants the pool chooses, before the edge
        b.dut->clk = 0;
        b.dut->eval();
        bool snap_taken = b.dut->snap && !b.dut->snap_busy;
        if (b.dut->snap && b.dut->snap_busy)
            b.bins.snaps_ignored++;
        if (b.dut->snap_busy)
            b.bins.busy_clocks++;
        if (snap_taken) {
            b.snap = b.live;
            b.bins.snapshots++;
        }
        // a READ given in a snapshot's clock reads that snapshot
        if (b.dut->cmd_valid)
            cmd_want = b.snap[cmd_index < b.n ? cmd_index : 0];
        if (b.dut->set_applied) {
            // the WRITE's value: the data words of the command
            const uint32_t *d = b.dut->cmd_data.data();
            Pair &p = b.live[cmd_index];
            p.packets = (uint64_t)d[SCRUB_COUNTER_PACKETS_WORD] << 32 | d[SCRUB_COUNTER_PACKETS_WORD + 1];
            p.bytes = (uint64_t)d[SCRUB_COUNTER_BYTES_WORD] << 32 | d[SCRUB_COUNTER_BYTES_WORD + 1];
            b.bins.sets++;
            if (u_valid)
                b.fail("a WRITE with updates in its clock", clock, cmd_index, 0, u_valid);
        }
        for (unsigned r = 0; r < kRoles; r++) {
            if (!valid[r])
                continue;
            b.live[index[r]].packets++;
            b.live[index[r]].bytes += bytes[r];
            b.bins.updates++;
            if (prev_valid[r] && prev_index[r] == index[r])
                b.bins.back_to_back++;
            for (unsigned q = 0; q < r; q++)
                if (valid[q] && index[q] == index[r])
                    b.bins.cross_role++;
        }
        if (u_valid == (1u << kRoles) - 1)
            b.bins.saturated_clocks++;
        prev_valid = valid;
        prev_index = index;

        b.dut->clk = 1;
        b.dut->eval();

        if (b.dut->cmd_done) {
            cmd_busy = false;
            uint32_t want_status = cmd_kind != SCRUB_CMD_READ && cmd_kind != SCRUB_CMD_WRITE ? SCRUB_STATUS_BAD_CMD
                                   : cmd_index >= b.n                                         ? SCRUB_STATUS_BAD_INDEX
                                                                                              : SCRUB_STATUS_OK;
            if (b.dut->cmd_status != want_status)
                b.fail("command status", clock, cmd_index, want_status, b.dut->cmd_status);
            if (want_status == SCRUB_STATUS_BAD_CMD)
                b.bins.bad_cmd++;
            if (want_status == SCRUB_STATUS_BAD_INDEX)
                b.bins.bad_index++;
            if (want_status == SCRUB_STATUS_OK && cmd_kind == SCRUB_CMD_READ) {
                if (!b.dut->cmd_rdata_we)
                    b.fail("READ without data", clock, cmd_index, 1, 0);
                uint64_t packets = (uint64_t)b.rdata(SCRUB_COUNTER_PACKETS_WORD) << 32 |
                                   b.rdata(SCRUB_COUNTER_PACKETS_WORD + 1);
                uint64_t octets = (uint64_t)b.rdata(SCRUB_COUNTER_BYTES_WORD) << 32 |
                                  b.rdata(SCRUB_COUNTER_BYTES_WORD + 1);
                if (packets != cmd_want.packets)
                    b.fail("snapshot packets", clock, cmd_index, cmd_want.packets, packets);
                if (octets != cmd_want.bytes)
                    b.fail("snapshot bytes", clock, cmd_index, cmd_want.bytes, octets);
                for (unsigned w = 0; w < kWords; w++)
                    if (w != SCRUB_COUNTER_PACKETS_WORD && w != SCRUB_COUNTER_PACKETS_WORD + 1 &&
                        w != SCRUB_COUNTER_BYTES_WORD && w != SCRUB_COUNTER_BYTES_WORD + 1 && b.rdata(w))
                        b.fail("READ data window word not 0", clock, w, 0, b.rdata(w));
                b.bins.reads++;
                if (packets)
                    b.bins.reads_nonzero++;
            }
        }
    }

    const Bins &c = b.bins;
    std::printf("counters_rtl_updates=%" PRIu64 " back_to_back=%" PRIu64 " cross_role=%" PRIu64
                " saturated_clocks=%" PRIu64 " snapshots=%" PRIu64 " snaps_ignored=%" PRIu64
                " busy_clocks=%" PRIu64 " sets=%" PRIu64 " reads=%" PRIu64 " reads_nonzero=%" PRIu64
                " bad_cmd=%" PRIu64 " bad_index=%" PRIu64 "\n",
                c.updates, c.back_to_back, c.cross_role, c.saturated_clocks, c.snapshots, c.snaps_ignored,
                c.busy_clocks, c.sets, c.reads, c.reads_nonzero, c.bad_cmd, c.bad_index);
    if (c.back_to_back < 1000 || c.cross_role < 1000 || c.saturated_clocks < 1000 || c.snapshots < 50 ||
        c.snaps_ignored == 0 || c.sets < 100 || c.reads < 100 || c.reads_nonzero < 50 || c.bad_cmd == 0 ||
        c.bad_index == 0) {
        std::fprintf(stderr, "counters_rtl: a coverage bin is below its minimum\n");
        return 1;
    }
    std::printf("counters_rtl_mismatches=0\n");
    return 0;
}
