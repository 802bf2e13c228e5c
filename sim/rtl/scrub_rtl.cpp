// The Verilated scrub_pipeline behind scrub_rtl.h. Inputs change between
// clock edges; handshakes are sampled just before each rising edge.
#include "scrub_rtl.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <vector>

#include "Vscrub_pipeline.h"
#ifdef SCRUB_RTL_COVERAGE
#include "verilated_cov.h"
#endif

namespace {

constexpr unsigned kBeatBytes = 64;
// A register access takes a few clocks; this many means the card hangs.
constexpr unsigned kAccessClocks = 10000;

[[noreturn]] void hung(const char *what, uint32_t addr)
{
    std::fprintf(stderr, "scrub_rtl: the card did not complete a register %s at 0x%03x within %u clocks\n", what,
                 addr, kAccessClocks);
    std::abort();
}

struct Frame {
    std::vector<uint8_t> bytes;
    uint64_t ts;
};

struct OutFrame {
    std::vector<uint8_t> bytes;
    bool bad;
};

uint64_t splitmix(uint64_t &s)
{
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

} // namespace

struct scrub_rtl {
    Vscrub_pipeline top;
    scrub_rtl_params params;
    uint64_t rng, cycles = 0;
    bool stall_free = false; // drain: the output always ready
    std::deque<Frame> in;
    size_t in_pos = 0; // bytes of in.front() already sent
    std::vector<uint8_t> out_cur;
    std::deque<OutFrame> out;
    std::deque<scrub_rtl_event> events;
    uint64_t point_count[SCRUB_RTL_POINTS] = {}, point_frame[SCRUB_RTL_POINTS] = {};
    // Timing: each frame's first beat in, in frame order, from the frame
    // numbered first_base on; its event says whether it passed (a long
    // frame's first beat leaves before its event). A frame's first beat out
    // belongs to the oldest frame not known to be dropped.
    struct InFrame {
        uint64_t first_in;
        bool dropped;
    };
    std::deque<InFrame> first_in;
    uint64_t first_base = 0, event_seq = 0;
    bool out_in_frame = false;
    scrub_rtl_timing timing = {};
    scrub_rtl_policer_stats policer = {};
    bool pol_last_valid = false; // a lookup in the clock before, on pol_last_index
    uint32_t pol_last_index = 0;

    bool chance(uint32_t permille) { return splitmix(rng) % 1000 < permille; }

    void drive_input()
    {
        top.s_axis_tvalid = 0;
        if (in.empty() || chance(params.idle_permille))
            return;
        const Frame &f = in.front();
        size_t n = std::min<size_t>(kBeatBytes, f.bytes.size() - in_pos);
        for (unsigned w = 0; w < kBeatBytes / 4; w++)
            top.s_axis_tdata[w] = 0;
        for (size_t i = 0; i < n; i++)
            top.s_axis_tdata[i / 4] |= uint32_t(f.bytes[in_pos + i]) << (8 * (i % 4));
        top.s_axis_tkeep = n == 64 ? ~0ull : (1ull << n) - 1;
        top.s_axis_tlast = in_pos + n >= f.bytes.size();
        top.s_axis_tuser = f.ts;
        top.s_axis_tvalid = 1;
    }

    void after_input_beat()
    {
        if (!top.s_axis_tvalid)
            return;
        if (in_pos == 0)
            first_in.push_back({cycles, false});
        timing.beats_in++;
        in_pos += kBeatBytes;
        if (top.s_axis_tlast) {
            in.pop_front();
            in_pos = 0;
        }
    }

    void take_output_beat()
    {
        if (!(top.m_axis_tvalid && top.m_axis_tready))
            return;
        timing.beats_out++;
        while (!out_in_frame && !first_in.empty() && first_in.front().dropped) {
            first_in.pop_front();
            first_base++;
        }
        if (!out_in_frame && !first_in.empty()) {
            uint64_t latency = cycles - first_in.front().first_in;
            first_in.pop_front();
            first_base++;
            if (timing.frames_out == 0 || latency < timing.latency_min)
                timing.latency_min = latency;
            if (latency > timing.latency_max)
                timing.latency_max = latency;
            timing.frames_out++;
        }
        out_in_frame = !top.m_axis_tlast;
        uint64_t keep = top.m_axis_tkeep;
        for (unsigned i = 0; i < kBeatBytes; i++)
            if (keep >> i & 1)
                out_cur.push_back(uint8_t(top.m_axis_tdata[i / 4] >> (8 * (i % 4))));
        if (top.m_axis_tlast) {
            out.push_back({std::move(out_cur), bool(top.m_axis_tuser)});
            out_cur.clear();
        }
    }

    void take_event()
    {
        if (!top.mon_valid)
            return;
        scrub_rtl_event e;
        e.len = top.mon_len;
        e.outcome = top.mon_outcome;
        e.tx = top.mon_tx;
        e.seen_valid = top.mon_seen_valid;
        e.seen = top.mon_seen;
        e.late_valid = top.mon_late_valid;
        e.late = top.mon_late;
        e.lost = top.mon_lost;
        e.cycle = cycles;
        events.push_back(e);
        uint64_t frame = event_seq++;
        if (!e.tx && frame >= first_base && frame - first_base < first_in.size())
            first_in[frame - first_base].dropped = true;
    }

    // The card counts frames in 32 bits; the points of a kind never go back.
    void note_point(scrub_rtl_point_kind p, bool happened, uint32_t frame)
    {
        if (!happened)
            return;
        point_count[p]++;
        point_frame[p] += uint32_t(frame - uint32_t(point_frame[p]));
    }

    void take_points()
    {
        note_point(SCRUB_RTL_SWAP, top.mon_swap, top.mon_swap_frame);
        note_point(SCRUB_RTL_EM_CMD, top.mon_em_cmd, top.mon_em_cmd_frame);
        note_point(SCRUB_RTL_COUNTER_SET, top.mon_ctr_set, top.mon_ctr_frame);
        note_point(SCRUB_RTL_SNAPSHOT, top.mon_snap, top.mon_ctr_frame);
    }

    // mon_pol_lookup is registered: after a rising edge it shows the lookup
    // the policer takes in the coming clock, one sample a clock.
    void take_policer_lookup()
    {
        bool valid = top.mon_pol_lookup;
        if (valid) {
            policer.lookups++;
            policer.same_bucket_back_to_back += pol_last_valid && top.mon_pol_index == pol_last_index;
            pol_last_index = top.mon_pol_index;
        }
        pol_last_valid = valid;
    }

    // One clock: drive, sample the handshakes, rising edge, falling edge.
    void tick()
    {
        drive_input();
        top.m_axis_tready = stall_free || !chance(params.stall_permille);
        top.clk = 0;
        top.eval();
        take_output_beat();
        after_input_beat();
        top.clk = 1;
        top.eval();
        take_event();
        take_points();
        take_policer_lookup();
        cycles++;
    }
};

extern "C" {

scrub_rtl *scrub_rtl_new(const scrub_rtl_params *params)
{
    scrub_rtl *r = new scrub_rtl;
    r->params = *params;
    r->rng = params->seed;
    r->top.rst = 1;
    for (int i = 0; i < 4; i++)
        r->tick();
    r->top.rst = 0;
    r->tick();
    return r;
}

void scrub_rtl_free(scrub_rtl *r)
{
#ifdef SCRUB_RTL_COVERAGE
    // The counters live in the model: written before it goes.
    const char *path = std::getenv("SCRUB_RTL_COVERAGE_FILE");
    r->top.contextp()->coveragep()->write(path && *path ? path : "coverage.dat");
#endif
    delete r;
}

uint32_t scrub_rtl_read(scrub_rtl *r, uint32_t addr)
{
    auto &t = r->top;
    t.s_axil_araddr = addr;
    t.s_axil_arvalid = 1;
    t.s_axil_rready = 1;
    for (unsigned clocks = 0, addr_done = 0;; clocks++) {
        if (clocks == kAccessClocks)
            hung("read", addr);
        t.clk = 0;
        t.eval();
        bool ar = t.s_axil_arvalid && t.s_axil_arready, rd = t.s_axil_rvalid && t.s_axil_rready;
        uint32_t data = t.s_axil_rdata;
        r->tick();
        if (ar) {
            addr_done = 1;
            t.s_axil_arvalid = 0;
        }
        if (rd && addr_done) {
            t.s_axil_rready = 0;
            return data;
        }
    }
}

void scrub_rtl_write(scrub_rtl *r, uint32_t addr, uint32_t value)
{
    auto &t = r->top;
    t.s_axil_awaddr = addr;
    t.s_axil_awvalid = 1;
    t.s_axil_wdata = value;
    t.s_axil_wstrb = 0xf;
    t.s_axil_wvalid = 1;
    t.s_axil_bready = 1;
    for (unsigned clocks = 0;; clocks++) {
        if (clocks == kAccessClocks)
            hung("write", addr);
        t.clk = 0;
        t.eval();
        bool aw = t.s_axil_awvalid && t.s_axil_awready, w = t.s_axil_wvalid && t.s_axil_wready;
        bool b = t.s_axil_bvalid && t.s_axil_bready;
        r->tick();
        if (aw)
            t.s_axil_awvalid = 0;
        if (w)
            t.s_axil_wvalid = 0;
        if (b) {
            t.s_axil_bready = 0;
            return;
        }
    }
}

void scrub_rtl_set_time(scrub_rtl *r, uint64_t ns)
{
    r->top.time_ns = ns;
}

bool scrub_rtl_send(scrub_rtl *r, const uint8_t *frame, uint32_t len, uint64_t ts_ns)
{
    if (len == 0)
        return false;
    r->in.push_back({std::vector<uint8_t>(frame, frame + len), ts_ns});
    return true;
}

void scrub_rtl_run(scrub_rtl *r, uint64_t clocks)
{
    for (uint64_t i = 0; i < clocks; i++)
        r->tick();
}

void scrub_rtl_drain(scrub_rtl *r)
{
    r->stall_free = true;
    while (!r->in.empty())
        r->tick();
    // Past the last beat in: the delay line, the output FIFO, the event.
    for (unsigned quiet = 0; quiet < 256;) {
        bool busy = r->top.m_axis_tvalid;
        r->tick();
        quiet = busy ? 0 : quiet + 1;
    }
    r->stall_free = false;
}

uint32_t scrub_rtl_pending(const scrub_rtl *r)
{
    return uint32_t(r->in.size());
}

bool scrub_rtl_event_pop(scrub_rtl *r, scrub_rtl_event *e)
{
    if (r->events.empty())
        return false;
    *e = r->events.front();
    r->events.pop_front();
    return true;
}

uint32_t scrub_rtl_output_pop(scrub_rtl *r, uint8_t *buf, uint32_t cap, bool *bad)
{
    if (r->out.empty())
        return 0;
    const OutFrame &f = r->out.front();
    uint32_t len = uint32_t(f.bytes.size());
    std::memcpy(buf, f.bytes.data(), std::min(len, cap));
    *bad = f.bad;
    r->out.pop_front();
    return len;
}

void scrub_rtl_policer_stats_get(const scrub_rtl *r, scrub_rtl_policer_stats *s)
{
    *s = r->policer;
}

uint64_t scrub_rtl_cycles(const scrub_rtl *r)
{
    return r->cycles;
}

void scrub_rtl_point(const scrub_rtl *r, scrub_rtl_point_kind p, uint64_t *count, uint64_t *frame)
{
    *count = r->point_count[p];
    *frame = r->point_frame[p];
}

void scrub_rtl_timing_get(const scrub_rtl *r, scrub_rtl_timing *t)
{
    *t = r->timing;
}

bool scrub_rtl_error(const scrub_rtl *r)
{
    return r->top.error;
}

} // extern "C"
