#include "parse_scoreboard.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "Vscrub_parse.h"
#include "Vscrub_parse_scrub_parse.h"
#include "verilated.h"

namespace rtl_tb {

namespace {

constexpr size_t WINDOW = SCRUB_WINDOW_BYTES;
constexpr size_t MAX_LEN = 1u << 17;
static_assert(sizeof(Vscrub_parse::s_window) == WINDOW, "s_window is not the register map's window");

struct Field {
    const char *name;
    uint32_t (*get)(const scrub_pkt &);
};

const Field FIELDS[] = {
    {"kind", [](const scrub_pkt &p) -> uint32_t { return p.kind; }},
    {"mal", [](const scrub_pkt &p) -> uint32_t { return p.mal; }},
    {"v6", [](const scrub_pkt &p) -> uint32_t { return p.v6; }},
    {"has_ports", [](const scrub_pkt &p) -> uint32_t { return p.has_ports; }},
    {"has_tcp", [](const scrub_pkt &p) -> uint32_t { return p.has_tcp; }},
    {"has_icmp", [](const scrub_pkt &p) -> uint32_t { return p.has_icmp; }},
    {"proto", [](const scrub_pkt &p) -> uint32_t { return p.proto; }},
    {"dscp", [](const scrub_pkt &p) -> uint32_t { return p.dscp; }},
    {"frag", [](const scrub_pkt &p) -> uint32_t { return p.frag; }},
    {"tcp_flags", [](const scrub_pkt &p) -> uint32_t { return p.tcp_flags; }},
    {"icmp_type", [](const scrub_pkt &p) -> uint32_t { return p.icmp_type; }},
    {"icmp_code", [](const scrub_pkt &p) -> uint32_t { return p.icmp_code; }},
    {"vlan", [](const scrub_pkt &p) -> uint32_t { return p.vlan; }},
    {"l3_len", [](const scrub_pkt &p) -> uint32_t { return p.l3_len; }},
    {"ip_end", [](const scrub_pkt &p) -> uint32_t { return p.ip_end; }},
    {"sport", [](const scrub_pkt &p) -> uint32_t { return p.sport; }},
    {"dport", [](const scrub_pkt &p) -> uint32_t { return p.dport; }},
};

/* A 128-bit output, network order from bit 127 down. */
scrub_addr addr_of(const VlWide<4> &w)
{
    scrub_addr a;
    for (unsigned i = 0; i < 16; i++) {
        unsigned bit = 120 - 8 * i;
        a.b[i] = (uint8_t)(w[bit / 32] >> (bit % 32));
    }
    return a;
}

std::string hex(const uint8_t *b, size_t n)
{
    std::string s;
    char x[4];
    for (size_t i = 0; i < n; i++) {
        std::snprintf(x, sizeof(x), "%02x", b[i]);
        s += x;
    }
    return s;
}

void dump_bytes(const char *title, const uint8_t *b, size_t from, size_t to)
{
    std::fprintf(stderr, "  %s:\n", title);
    for (size_t row = from & ~(size_t)15; row < to; row += 16) {
        std::fprintf(stderr, "    %04zx:", row);
        for (size_t i = row; i < row + 16 && i < to; i++) {
            if (i < from)
                std::fprintf(stderr, "   ");
            else
                std::fprintf(stderr, " %02x", b[i]);
        }
        std::fprintf(stderr, "\n");
    }
}

} // namespace

ParseScoreboard::ParseScoreboard(uint64_t seed)
    : context_(new VerilatedContext), top_(new Vscrub_parse(context_.get())), frame_(MAX_LEN), rng_(seed)
{
    top_->clk = 0;
    top_->rst = 0;
    top_->s_valid = 0;
    top_->eval();
}

ParseScoreboard::~ParseScoreboard()
{
    top_->final();
}

unsigned ParseScoreboard::latency() const
{
    return Vscrub_parse_scrub_parse::LATENCY;
}

bool ParseScoreboard::send(const Bytes &bytes, uint32_t len, const std::string &source, scrub_pkt *model)
{
    if (len > MAX_LEN)
        throw std::invalid_argument("frame longer than the scoreboard takes");
    size_t known = std::min<size_t>(bytes.size(), len);
    std::copy(bytes.begin(), bytes.begin() + (ptrdiff_t)known, frame_.begin());
    for (size_t i = known; i < WINDOW; i++)
        frame_[i] = (uint8_t)rng_.next();

    InFlight f;
    f.cycle = cycle_;
    f.tag = next_tag_++;
    f.len = len;
    f.source = source;
    std::memcpy(f.window, frame_.data(), WINDOW);
    scrub_parse(frame_.data(), len, &f.model);
    *model = f.model;
    in_flight_.push_back(f);
    return clock(true, false, f.window, len, f.tag);
}

bool ParseScoreboard::idle(unsigned clocks)
{
    for (unsigned i = 0; i < clocks; i++) {
        if (!clock(false, false, frame_.data(), 0, 0))
            return false;
    }
    return true;
}

bool ParseScoreboard::reset(unsigned clocks)
{
    uint8_t garbage[WINDOW];
    for (unsigned i = 0; i < clocks; i++) {
        for (uint8_t &b : garbage)
            b = (uint8_t)rng_.next();
        if (!clock(true, true, garbage, rng_.below(2000), (uint32_t)rng_.next()))
            return false;
        in_flight_.clear();
    }
    return true;
}

bool ParseScoreboard::drain()
{
    while (!in_flight_.empty()) {
        if (!idle(1))
            return false;
    }
    return idle(latency());
}

/* Outputs are sampled before the rising edge, as the next stage's
 * registers would; a frame driven at edge c is due at edge c + LATENCY. */
bool ParseScoreboard::clock(bool valid, bool rst, const uint8_t *window, uint32_t len, uint32_t tag)
{
    top_->clk = 0;
    top_->rst = rst;
    top_->s_valid = valid;
    for (size_t w = 0; w < WINDOW / 4; w++) {
        const uint8_t *b = window + 4 * w;
        top_->s_window[w] = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    }
    top_->s_len = (uint16_t)std::min<uint32_t>(len, 65535);
    top_->s_tag = tag;
    top_->eval();
    if (!check_outputs())
        return false;
    top_->clk = 1;
    top_->eval();
    cycle_++;
    return true;
}

bool ParseScoreboard::check_outputs()
{
    bool due = !in_flight_.empty() && in_flight_.front().cycle + latency() == cycle_;
    if (!top_->m_valid) {
        if (due)
            std::fprintf(stderr, "parse_rtl: MISMATCH: no output at clock %llu for frame %u (%s)\n",
                         (unsigned long long)cycle_, in_flight_.front().tag, in_flight_.front().source.c_str());
        return !due;
    }
    if (!due) {
        std::fprintf(stderr, "parse_rtl: MISMATCH: output at clock %llu (tag %u) with no frame due\n",
                     (unsigned long long)cycle_, (unsigned)top_->m_tag);
        return false;
    }
    InFlight f = in_flight_.front();
    in_flight_.pop_front();
    checked_++;
    seen_[f.model.kind][f.model.mal]++;
    return compare(f);
}

bool ParseScoreboard::compare(const InFlight &f)
{
    scrub_pkt rtl{};
    rtl.kind = top_->m_kind;
    rtl.mal = top_->m_mal;
    rtl.v6 = top_->m_v6;
    rtl.has_ports = top_->m_has_ports;
    rtl.has_tcp = top_->m_has_tcp;
    rtl.has_icmp = top_->m_has_icmp;
    rtl.proto = top_->m_proto;
    rtl.dscp = top_->m_dscp;
    rtl.frag = top_->m_frag;
    rtl.tcp_flags = top_->m_tcp_flags;
    rtl.icmp_type = top_->m_icmp_type;
    rtl.icmp_code = top_->m_icmp_code;
    rtl.vlan = top_->m_vlan;
    rtl.l3_len = top_->m_l3_len;
    rtl.ip_end = top_->m_ip_end;
    rtl.sport = top_->m_sport;
    rtl.dport = top_->m_dport;
    rtl.src = addr_of(top_->m_src);
    rtl.dst = addr_of(top_->m_dst);

    bool same = top_->m_tag == f.tag && scrub_addr_eq(&rtl.src, &f.model.src) &&
                scrub_addr_eq(&rtl.dst, &f.model.dst);
    for (const Field &field : FIELDS)
        same = same && field.get(rtl) == field.get(f.model);
    if (same)
        return true;

    std::fprintf(stderr, "parse_rtl: MISMATCH on frame %u (%s), length %u, at clock %llu\n", f.tag,
                 f.source.c_str(), f.len, (unsigned long long)cycle_);
    std::fprintf(stderr, "  %-10s %-34s %-34s\n", "field", "rtl", "model");
    auto row = [](const char *name, const std::string &r, const std::string &m) {
        std::fprintf(stderr, "  %-10s %-34s %-34s%s\n", name, r.c_str(), m.c_str(), r == m ? "" : "  <<");
    };
    row("tag", std::to_string(top_->m_tag), std::to_string(f.tag));
    for (const Field &field : FIELDS)
        row(field.name, std::to_string(field.get(rtl)), std::to_string(field.get(f.model)));
    row("src", hex(rtl.src.b, 16), hex(f.model.src.b, 16));
    row("dst", hex(rtl.dst.b, 16), hex(f.model.dst.b, 16));
    size_t shown = std::min<size_t>(f.len, WINDOW);
    dump_bytes("frame (the window's part)", f.window, 0, shown);
    if (shown < WINDOW)
        dump_bytes("garbage past the length", f.window, shown, WINDOW);
    return false;
}

} // namespace rtl_tb
