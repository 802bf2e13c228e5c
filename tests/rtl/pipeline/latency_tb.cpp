// The card's timing with the output always ready: first beat in to first
// beat out is the same number of clocks for every frame length and at most
// the aim (64), and back-to-back minimum-size frames flow one a clock.
// Prints latency_clocks and pkts_per_clock_64B.
#include <cstdio>
#include <cstdlib>

#include "Vscrub_pipeline.h"

namespace {

constexpr int kLatencyAim = 64;

struct Card {
    Vscrub_pipeline top;

    Card()
    {
        top.m_axis_tready = 1;
        top.rst = 1;
        for (int i = 0; i < 4; i++)
            tick();
        top.rst = 0;
        tick();
    }

    void tick()
    {
        top.clk = 0;
        top.eval();
        top.clk = 1;
        top.eval();
    }

    // Drives one beat of a zero-filled frame (non-IP: the reset card
    // passes it), or an idle clock.
    void drive(bool valid, bool last, unsigned bytes)
    {
        top.s_axis_tvalid = valid;
        top.s_axis_tlast = last;
        top.s_axis_tkeep = bytes >= 64 ? ~0ull : (1ull << bytes) - 1;
        for (int w = 0; w < 16; w++)
            top.s_axis_tdata[w] = 0;
    }
};

// Clocks from a lone frame's first beat in to its first beat out.
int latency(Card &c, int beats)
{
    long in_at = -1, out_at = -1;
    for (long clk = 0; out_at < 0; clk++) {
        bool valid = clk < beats;
        c.drive(valid, clk == beats - 1, 64);
        if (clk == 0)
            in_at = clk;
        c.top.clk = 0;
        c.top.eval();
        if (c.top.m_axis_tvalid)
            out_at = clk;
        c.top.clk = 1;
        c.top.eval();
        if (clk > 100000) {
            std::fprintf(stderr, "a %d-beat frame never came out\n", beats);
            std::exit(1);
        }
    }
    for (int i = 0; i < 600; i++) { // let the rest of it out
        c.drive(false, false, 0);
        c.tick();
    }
    return int(out_at - in_at);
}

} // namespace

int main()
{
    Card c;
    int first = -1;
    for (int beats : {1, 2, 3, 4, 5, 8, 24, 100, 255, 256}) {
        int l = latency(c, beats);
        if (first < 0)
            first = l;
        if (l != first) {
            std::fprintf(stderr, "FAIL: a %d-beat frame takes %d clocks, a 1-beat frame %d\n", beats, l, first);
            return 1;
        }
    }
    if (first > kLatencyAim) {
        std::fprintf(stderr, "FAIL: latency %d clocks, the aim is at most %d\n", first, kLatencyAim);
        return 1;
    }

    // Back-to-back 64-byte frames: every clock a frame in; count the frames
    // out and the clocks they took once the first is out.
    const long frames = 20000;
    long out_frames = 0, first_out = -1, last_out = -1;
    for (long clk = 0; out_frames < frames && clk < frames + 1000; clk++) {
        c.drive(clk < frames, true, 64);
        c.top.clk = 0;
        c.top.eval();
        if (c.top.m_axis_tvalid && c.top.m_axis_tlast) {
            if (first_out < 0)
                first_out = clk;
            last_out = clk;
            out_frames++;
        }
        c.top.clk = 1;
        c.top.eval();
    }
    double per_clock = double(out_frames) / double(last_out - first_out + 1);
    std::printf("latency_clocks=%d\npkts_per_clock_64B=%.3f\n", first, per_clock);
    if (out_frames != frames || per_clock < 1.0) {
        std::fprintf(stderr, "FAIL: %ld of %ld frames out, %.3f a clock\n", out_frames, frames, per_clock);
        return 1;
    }
    return 0;
}
