/* The traffic mix; see mix.h. Each rng draw is its own statement: C leaves
 * the order of evaluating function arguments open, and the output must not
 * depend on a compiler's choice. */
#include "mix.h"

#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "payload.h"
#include "rng.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* Tenant acme (untagged). */
#define ACME_NET IP4(198, 51, 100, 0) /* /24 */
#define ACME_WEB IP4(198, 51, 100, 10)
#define ACME_GAME IP4(198, 51, 100, 20)
#define ACME_DNS IP4(198, 51, 100, 53)
#define GAME_PORT 27015
#define RESOLVER_1 IP4(192, 0, 2, 201) /* acme dns's upstream resolvers */
#define RESOLVER_2 IP4(192, 0, 2, 202)
#define BLOCKLISTED IP4(100, 100, 100, 100)
static const uint8_t acme_web6[16] = {0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, [15] = 0x10};

/* Tenant globex: VLAN 200, some of it inside QinQ service VLAN 10. */
#define GLOBEX_WEB IP4(203, 0, 113, 80)
#define GLOBEX_VID 200
#define QINQ_OUTER_VID 10

#define UNPROTECTED_HOST IP4(192, 0, 2, 99)

/* Sources. */
#define CLIENTS IP4(100, 64, 0, 0) /* /10 */
#define CLIENTS_HOST_MASK 0x003fffffu
static const uint8_t clients6[5] = {0x20, 0x01, 0x0d, 0xb8, 0x0f};        /* /40 */
static const uint8_t attackers6[6] = {0x20, 0x01, 0x0d, 0xb8, 0x0b, 0xad}; /* /48 */

#define TCP_POOL 64 /* concurrent flows per flow class */
#define FRAG_POOL 4 /* concurrent fragment trains */
#define PLAYERS 64  /* game clients online at a time */
#define EDNS_MAX 4000 /* largest legit-fragments DNS response: 3 fragments */
#define FRAG_PAYLOAD (LINK_MTU - 20) /* per fragment, a multiple of 8 as non-last ones must be */

/* A client's TCP connection as the scrubber sees it: inbound only. */
struct tcp_flow {
    bool live;
    unsigned step, data_packets; /* SYN, ACK, data_packets PSH|ACK, FIN|ACK */
    struct frame_spec s;         /* addresses, ports, tags; seq and ack run on */
};

/* A large DNS response from an upstream resolver, sent as IPv4 fragments. */
struct frag_flow {
    bool live;
    uint32_t src;
    uint16_t dport, ip_id;
    uint64_t seed; /* regenerates the same DNS payload for every fragment */
    size_t dns_len, sent;
};

struct player {
    uint32_t addr;
    uint16_t port;
};

struct mix {
    struct rng rng;
    struct tcp_flow web[TCP_POOL], v6[TCP_POOL], vlan[TCP_POOL], unprotected[TCP_POOL];
    struct frag_flow frags[FRAG_POOL];
    uint16_t resolver_ip_id[2]; /* counting up, so fragment trains never share an ID */
    struct player players[PLAYERS];
};

/* ---- addresses, ports, TTLs ---------------------------------------------- */

static uint32_t client_v4(struct rng *r)
{
    for (;;) {
        uint32_t a = CLIENTS | ((uint32_t)rng_next(r) & CLIENTS_HOST_MASK);
        if (a != BLOCKLISTED)
            return a;
    }
}

/* A routable address outside the network above, for spoofed and reflector
 * sources: never a martian (the card drops those as malformed) nor a
 * legitimate client or resolver, so the labels stay true. */
static uint32_t public_v4(struct rng *r)
{
    static const struct {
        uint32_t net;
        unsigned plen;
    } excluded[] = {
        {IP4(0, 0, 0, 0), 8},      {IP4(10, 0, 0, 0), 8},      {IP4(100, 64, 0, 0), 10},
        {IP4(127, 0, 0, 0), 8},    {IP4(169, 254, 0, 0), 16},  {IP4(172, 16, 0, 0), 12},
        {IP4(192, 0, 0, 0), 24},   {IP4(192, 0, 2, 0), 24},    {IP4(192, 168, 0, 0), 16},
        {IP4(198, 18, 0, 0), 15},  {IP4(198, 51, 100, 0), 24}, {IP4(203, 0, 113, 0), 24},
        {IP4(224, 0, 0, 0), 3}, /* multicast and reserved */
    };
    for (;;) {
        uint32_t a = (uint32_t)rng_next(r);
        bool ok = true;
        for (size_t i = 0; ok && i < sizeof(excluded) / sizeof(excluded[0]); i++)
            ok = (a ^ excluded[i].net) >> (32 - excluded[i].plen) != 0;
        if (ok)
            return a;
    }
}

static void random_v6(struct rng *r, uint8_t a[16], const uint8_t *prefix, size_t prefix_len)
{
    memcpy(a, prefix, prefix_len);
    rng_fill(r, a + prefix_len, 16 - prefix_len);
}

/* Attacks aim at the servers and, less often, anything in acme's /24. */
static uint32_t acme_target(struct rng *r)
{
    unsigned p = rng_range(r, 0, 99);
    if (p < 40)
        return ACME_WEB;
    if (p < 70)
        return ACME_DNS;
    if (p < 85)
        return ACME_GAME;
    return ACME_NET | rng_range(r, 1, 254);
}

static uint16_t ephemeral_port(struct rng *r)
{
    return (uint16_t)rng_range(r, 32768, 60999);
}

static uint16_t any_port(struct rng *r)
{
    return (uint16_t)rng_range(r, 1024, 65535);
}

/* A common initial TTL less 2..24 hops, chosen by v. */
static uint8_t ttl_from(uint64_t v)
{
    static const uint8_t initial[] = {64, 64, 128, 255};
    return (uint8_t)(initial[v % sizeof(initial)] - 2 - (v >> 8) % 23);
}

/* A real sender's packets all arrive with the same TTL: derive it from the
 * address. Spoofed packets' TTLs tell nothing about their source. */
static uint8_t source_ttl(const uint8_t *addr, bool v6)
{
    struct rng h = {0};
    for (size_t i = 0; i < (v6 ? 16u : 4u); i++)
        h.state = (h.state << 8 | h.state >> 56) ^ addr[i];
    return ttl_from(rng_next(&h));
}

static struct frame_spec v4_spec(struct rng *r, uint32_t src, uint32_t dst, uint8_t proto, bool spoofed)
{
    struct frame_spec s = {.proto = proto};
    put32(s.src, src);
    put32(s.dst, dst);
    s.ttl = spoofed ? ttl_from(rng_next(r)) : source_ttl(s.src, false);
    s.ip_id = (uint16_t)rng_next(r);
    return s;
}

typedef void payload_fn(struct rng *r, uint8_t *out, size_t len);

static size_t udp_v4(struct mix *m, uint8_t *frame, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                     size_t len, payload_fn *fill)
{
    uint8_t payload[LINK_MTU];
    fill(&m->rng, payload, len);
    struct frame_spec s = v4_spec(&m->rng, src, dst, PROTO_UDP, false);
    s.sport = sport;
    s.dport = dport;
    s.payload = payload;
    s.payload_len = len;
    return frame_build(&s, frame);
}

/* A reflected response: from a random reflector's service port to acme. */
static size_t reflection(struct mix *m, uint8_t *frame, uint32_t dst, uint16_t sport, size_t len, payload_fn *fill)
{
    uint32_t src = public_v4(&m->rng);
    uint16_t dport = any_port(&m->rng);
    return udp_v4(m, frame, src, dst, sport, dport, len, fill);
}

/* One bare TCP segment, as flood tools send them. */
static struct frame_spec flood_segment(struct rng *r, uint32_t src, bool spoofed, uint32_t dst, uint16_t dport,
                                       uint8_t flags)
{
    static const uint16_t windows[] = {512, 1024, 8192, 14600, 29200, 64240, 65535};
    struct frame_spec s = v4_spec(r, src, dst, PROTO_TCP, spoofed);
    s.sport = any_port(r);
    s.dport = dport;
    s.tcp_flags = flags;
    s.seq = (uint32_t)rng_next(r);
    if (flags & TCP_ACK)
        s.ack = (uint32_t)rng_next(r);
    s.window = windows[rng_next(r) % (sizeof(windows) / sizeof(windows[0]))];
    return s;
}

/* ---- legitimate TCP flows -------------------------------------------------- */

static struct tcp_flow *flow_pick(struct mix *m, struct tcp_flow pool[TCP_POOL])
{
    struct tcp_flow *f = &pool[rng_next(&m->rng) % TCP_POOL];
    if (!f->live)
        memset(f, 0, sizeof(*f));
    return f;
}

/* Starts a flow whose addresses, dport and tags the caller has set. */
static void flow_begin(struct rng *r, struct tcp_flow *f)
{
    f->live = true;
    f->step = 0;
    f->data_packets = rng_range(r, 1, 8);
    f->s.proto = PROTO_TCP;
    f->s.sport = ephemeral_port(r);
    f->s.seq = (uint32_t)rng_next(r);
    f->s.ack = (uint32_t)rng_next(r); /* the server's ISN + 1 */
    f->s.ttl = source_ttl(f->s.src, f->s.v6);
    f->s.ip_id = (uint16_t)rng_next(r);
    f->s.df = !f->s.v6;
    f->s.flow_label = (uint32_t)rng_next(r) & 0xfffff;
}

/* Client segment sizes: full MSS for bulk, the old 536-byte default
 * (576-byte packets), and anything between. */
static size_t segment_size(struct rng *r, size_t mss)
{
    unsigned p = rng_range(r, 0, 99);
    if (p < 40)
        return mss;
    if (p < 60)
        return 536;
    return rng_range(r, 200, (uint32_t)mss);
}

static size_t flow_next(struct mix *m, struct tcp_flow *f, uint8_t *frame)
{
    struct rng *r = &m->rng;
    size_t mss = f->s.v6 ? LINK_MTU - 60 : LINK_MTU - 40;
    /* MSS, NOP, window scale 8, NOP, NOP, SACK permitted: no timestamps, so
     * the later segments rightly carry no options. */
    uint8_t syn_opts[12] = {2, 4, (uint8_t)(mss >> 8), (uint8_t)mss, 1, 3, 3, 8, 1, 1, 4, 2};
    uint8_t payload[LINK_MTU];
    struct frame_spec s = f->s;
    s.ip_id = (uint16_t)(f->s.ip_id + f->step);
    s.window = (uint16_t)rng_range(r, 256, 2052); /* scaled by 2^8 */

    if (f->step == 0) {
        s.tcp_flags = TCP_SYN;
        s.ack = 0;
        s.window = 64240;
        s.tcp_opts = syn_opts;
        s.tcp_opts_len = sizeof(syn_opts);
        f->s.seq++;
    } else if (f->step == 1) {
        s.tcp_flags = TCP_ACK;
    } else if (f->step < 2 + f->data_packets) {
        size_t len = segment_size(r, mss);
        if (s.dport == 80)
            payload_http_request(r, payload, len);
        else
            payload_tls_record(r, payload, len);
        s.tcp_flags = TCP_PSH | TCP_ACK;
        s.payload = payload;
        s.payload_len = len;
        f->s.seq += (uint32_t)len;
        f->s.ack += rng_range(r, 0, 2920); /* the server's answers */
    } else {
        s.tcp_flags = TCP_FIN | TCP_ACK;
        f->live = false;
    }
    f->step++;
    return frame_build(&s, frame);
}

/* ---- legit classes ---------------------------------------------------------- */

static size_t legit_web(struct mix *m, uint8_t *frame)
{
    struct tcp_flow *f = flow_pick(m, m->web);
    if (!f->live) {
        put32(f->s.src, client_v4(&m->rng));
        put32(f->s.dst, ACME_WEB);
        f->s.dport = rng_percent(&m->rng, 30) ? 80 : 443;
        flow_begin(&m->rng, f);
    }
    return flow_next(m, f, frame);
}

static size_t legit_dns(struct mix *m, uint8_t *frame)
{
    struct rng *r = &m->rng;
    if (rng_percent(r, 60)) {
        uint32_t src = client_v4(r);
        uint16_t sport = ephemeral_port(r);
        size_t len = rng_range(r, 40, 80);
        return udp_v4(m, frame, src, ACME_DNS, sport, 53, len, payload_dns_query);
    }
    /* acme dns as a recursive resolver, hearing back from upstream */
    uint32_t src = rng_percent(r, 50) ? RESOLVER_1 : RESOLVER_2;
    uint16_t dport = ephemeral_port(r);
    size_t len = rng_range(r, 100, 512);
    return udp_v4(m, frame, src, ACME_DNS, 53, dport, len, payload_dns_response);
}

static size_t legit_game(struct mix *m, uint8_t *frame)
{
    struct rng *r = &m->rng;
    struct player *p = &m->players[rng_next(r) % PLAYERS];
    if (rng_percent(r, 1)) { /* one leaves, another joins */
        p->addr = client_v4(r);
        p->port = ephemeral_port(r);
    }
    size_t len = rng_range(r, 60, 200);
    return udp_v4(m, frame, p->addr, ACME_GAME, p->port, GAME_PORT, len, rng_fill);
}

static size_t legit_icmp(struct mix *m, uint8_t *frame)
{
    struct rng *r = &m->rng;
    uint8_t payload[56]; /* ping's default */
    payload_ping(r, payload, sizeof(payload));
    uint32_t src = client_v4(r);
    struct frame_spec s = v4_spec(r, src, ACME_WEB, PROTO_ICMP, false);
    s.df = true;
    s.icmp_type = 8;
    s.icmp_id = (uint16_t)rng_next(r);
    s.icmp_seq = (uint16_t)rng_range(r, 1, 64);
    s.payload = payload;
    s.payload_len = sizeof(payload);
    return frame_build(&s, frame);
}

static size_t legit_v6(struct mix *m, uint8_t *frame)
{
    struct tcp_flow *f = flow_pick(m, m->v6);
    if (!f->live) {
        f->s.v6 = true;
        random_v6(&m->rng, f->s.src, clients6, sizeof(clients6));
        memcpy(f->s.dst, acme_web6, 16);
        f->s.dport = 443;
        flow_begin(&m->rng, f);
    }
    return flow_next(m, f, frame);
}

static size_t legit_vlan(struct mix *m, uint8_t *frame)
{
    struct tcp_flow *f = flow_pick(m, m->vlan);
    if (!f->live) {
        if (rng_percent(&m->rng, 20)) {
            f->s.ntags = 2;
            f->s.tpid[0] = ETH_QINQ;
            f->s.vid[0] = QINQ_OUTER_VID;
            f->s.tpid[1] = ETH_VLAN;
            f->s.vid[1] = GLOBEX_VID;
        } else {
            f->s.ntags = 1;
            f->s.tpid[0] = ETH_VLAN;
            f->s.vid[0] = GLOBEX_VID;
        }
        put32(f->s.src, client_v4(&m->rng));
        put32(f->s.dst, GLOBEX_WEB);
        f->s.dport = 443;
        flow_begin(&m->rng, f);
    }
    return flow_next(m, f, frame);
}

static size_t legit_fragments(struct mix *m, uint8_t *frame)
{
    struct rng *r = &m->rng;
    struct frag_flow *f = &m->frags[rng_next(r) % FRAG_POOL];
    if (!f->live) {
        unsigned resolver = rng_range(r, 0, 1);
        f->live = true;
        f->src = resolver ? RESOLVER_2 : RESOLVER_1;
        f->ip_id = m->resolver_ip_id[resolver]++;
        f->dport = ephemeral_port(r);
        f->seed = rng_next(r);
        f->dns_len = rng_range(r, 1600, EDNS_MAX);
        f->sent = 0;
    }
    uint8_t dns[EDNS_MAX];
    struct rng payload_rng = {f->seed};
    payload_dns_response(&payload_rng, dns, f->dns_len);

    size_t total = 8 + f->dns_len, left = total - f->sent;
    struct frame_spec s = {.proto = PROTO_UDP, .ip_id = f->ip_id, .sport = 53, .dport = f->dport};
    put32(s.src, f->src);
    s.ttl = source_ttl(s.src, false);
    put32(s.dst, ACME_DNS);
    s.payload = dns;
    s.payload_len = f->dns_len;
    s.frag = true;
    s.frag_off = f->sent;
    s.frag_len = left > FRAG_PAYLOAD ? FRAG_PAYLOAD : left;
    s.more_frags = left > FRAG_PAYLOAD;
    f->sent += s.frag_len;
    f->live = s.more_frags;
    return frame_build(&s, frame);
}

static size_t unprotected(struct mix *m, uint8_t *frame)
{
    struct rng *r = &m->rng;
    if (rng_percent(r, 40)) {
        uint32_t src = client_v4(r);
        uint16_t sport = ephemeral_port(r);
        if (rng_percent(r, 75)) /* QUIC */
            return udp_v4(m, frame, src, UNPROTECTED_HOST, sport, 443, rng_range(r, 1200, 1350), rng_fill);
        return udp_v4(m, frame, src, UNPROTECTED_HOST, sport, 123, 48, rng_fill); /* NTP client */
    }
    struct tcp_flow *f = flow_pick(m, m->unprotected);
    if (!f->live) {
        put32(f->s.src, client_v4(r));
        put32(f->s.dst, UNPROTECTED_HOST);
        f->s.dport = rng_percent(r, 50) ? 80 : 443;
        flow_begin(r, f);
    }
    return flow_next(m, f, frame);
}

/* ---- attack classes ------------------------------------------------------------ */

static size_t dns_reflection(struct mix *m, uint8_t *frame)
{
    struct rng *r = &m->rng;
    uint32_t dst = rng_percent(r, 70) ? ACME_DNS : ACME_WEB;
    return reflection(m, frame, dst, 53, rng_range(r, 512, 1400), payload_dns_response);
}

static size_t ntp_reflection(struct mix *m, uint8_t *frame)
{
    return reflection(m, frame, acme_target(&m->rng), 123, 468, payload_ntp_monlist);
}

static size_t memcached_reflection(struct mix *m, uint8_t *frame)
{
    struct rng *r = &m->rng;
    uint32_t dst = acme_target(r);
    return reflection(m, frame, dst, 11211, rng_range(r, 1000, 1400), payload_memcached);
}

static size_t ssdp_reflection(struct mix *m, uint8_t *frame)
{
    struct rng *r = &m->rng;
    uint32_t dst = acme_target(r);
    return reflection(m, frame, dst, 1900, rng_range(r, 280, 320), payload_ssdp);
}

static size_t cldap_reflection(struct mix *m, uint8_t *frame)
{
    struct rng *r = &m->rng;
    uint32_t dst = acme_target(r);
    return reflection(m, frame, dst, 389, rng_range(r, 1380, 1420), payload_cldap);
}

static size_t syn_flood(struct mix *m, uint8_t *frame)
{
    uint16_t dport = rng_percent(&m->rng, 50) ? 80 : 443;
    uint32_t src = public_v4(&m->rng);
    struct frame_spec s = flood_segment(&m->rng, src, true, ACME_WEB, dport, TCP_SYN);
    return frame_build(&s, frame);
}

static size_t ack_flood(struct mix *m, uint8_t *frame)
{
    uint32_t src = public_v4(&m->rng);
    struct frame_spec s = flood_segment(&m->rng, src, true, ACME_WEB, 80, TCP_ACK);
    return frame_build(&s, frame);
}

static size_t icmp_flood(struct mix *m, uint8_t *frame)
{
    struct rng *r = &m->rng;
    uint8_t payload[1400];
    size_t len = rng_range(r, 500, sizeof(payload));
    rng_fill(r, payload, len);
    uint32_t src = public_v4(r);
    uint32_t dst = acme_target(r);
    struct frame_spec s = v4_spec(r, src, dst, PROTO_ICMP, true);
    s.icmp_type = 8;
    s.icmp_id = (uint16_t)rng_next(r);
    s.icmp_seq = (uint16_t)rng_next(r);
    s.payload = payload;
    s.payload_len = len;
    return frame_build(&s, frame);
}

static size_t fragment_attack(struct mix *m, uint8_t *frame)
{
    struct rng *r = &m->rng;
    uint8_t payload[1400];
    uint32_t src = public_v4(r);
    uint32_t dst = acme_target(r);
    unsigned kind = rng_range(r, 0, 2);
    struct frame_spec s = v4_spec(r, src, dst, kind == 2 ? PROTO_ICMP : PROTO_TCP, true);
    s.sport = any_port(r);
    s.dport = rng_percent(r, 50) ? 80 : 443;
    s.tcp_flags = TCP_SYN;
    s.seq = (uint32_t)rng_next(r);
    s.frag = true;
    s.payload = payload;
    switch (kind) {
    case 0: /* tiny first fragment: the TCP header's flags come later */
        s.more_frags = true;
        s.frag_len = rng_percent(r, 50) ? 8 : 16;
        break;
    case 1: /* at offset 8 bytes, rewriting the first fragment's flags */
        s.payload_len = rng_range(r, 8, 40);
        rng_fill(r, payload, s.payload_len);
        s.frag_off = 8;
        s.frag_len = 20 - 8 + s.payload_len;
        break;
    default: /* ping of death: the last fragment ends past 65535 */
        s.raw = true;
        s.payload_len = rng_range(r, 600, sizeof(payload));
        rng_fill(r, payload, s.payload_len);
        s.frag_off = 8 * rng_range(r, 65000 / 8, 65528 / 8);
        break;
    }
    return frame_build(&s, frame);
}

static size_t malformed(struct mix *m, uint8_t *frame)
{
    enum { IHL, IP_CHECKSUM, IP_LENGTH, TCP_DOFF, SYN_FIN, UDP_LENGTH, LAND, KINDS };
    struct rng *r = &m->rng;
    uint8_t payload[512];
    unsigned kind = rng_range(r, 0, KINDS - 1);
    bool tcp = kind == TCP_DOFF || kind == SYN_FIN || kind == LAND || (kind != UDP_LENGTH && rng_percent(r, 50));
    uint32_t src = public_v4(r);
    uint32_t dst = acme_target(r);
    struct frame_spec s = v4_spec(r, src, dst, tcp ? PROTO_TCP : PROTO_UDP, true);
    s.sport = any_port(r);
    if (tcp) {
        s.dport = rng_percent(r, 50) ? 80 : 443;
        s.tcp_flags = TCP_SYN;
        s.seq = (uint32_t)rng_next(r);
        s.window = 1024;
    } else {
        s.dport = 53;
        s.payload_len = rng_range(r, 16, sizeof(payload));
        rng_fill(r, payload, s.payload_len);
        s.payload = payload;
    }
    switch (kind) {
    case IHL:
        s.mal = FRAME_MAL_IHL;
        s.mal_arg = rng_range(r, 0, 4);
        break;
    case IP_CHECKSUM:
        s.mal = FRAME_MAL_IP_CHECKSUM;
        s.mal_arg = rng_range(r, 1, 0xffff);
        break;
    case IP_LENGTH:
        s.mal = FRAME_MAL_IP_LENGTH;
        s.mal_arg = rng_range(r, 100, 1000);
        break;
    case TCP_DOFF:
        s.mal = FRAME_MAL_TCP_DOFF;
        s.mal_arg = rng_range(r, 0, 4);
        s.tcp_flags = TCP_ACK;
        break;
    case SYN_FIN:
        s.tcp_flags = TCP_SYN | TCP_FIN;
        break;
    case UDP_LENGTH:
        s.mal = FRAME_MAL_UDP_LENGTH;
        s.mal_arg = (uint32_t)(8 + s.payload_len + rng_range(r, 1, 0xffff)) & 0xffff; /* never the true one */
        break;
    default: /* LAND: the classic, addressed to itself from its own port */
        memcpy(s.src, s.dst, 4);
        s.sport = s.dport;
        break;
    }
    return frame_build(&s, frame);
}

static size_t v6_flood(struct mix *m, uint8_t *frame)
{
    struct rng *r = &m->rng;
    uint8_t payload[1400];
    size_t len = rng_range(r, 512, sizeof(payload));
    payload_dns_response(r, payload, len);
    struct frame_spec s = {.v6 = true, .proto = PROTO_UDP, .sport = 53};
    random_v6(r, s.src, attackers6, sizeof(attackers6));
    memcpy(s.dst, acme_web6, 16);
    s.ttl = source_ttl(s.src, true);
    s.flow_label = (uint32_t)rng_next(r) & 0xfffff;
    s.dport = any_port(r);
    s.payload = payload;
    s.payload_len = len;
    return frame_build(&s, frame);
}

static size_t blocklisted_source(struct mix *m, uint8_t *frame)
{
    struct rng *r = &m->rng;
    if (rng_percent(r, 50)) {
        uint16_t sport = any_port(r);
        uint16_t dport = rng_percent(r, 50) ? 443 : any_port(r);
        return udp_v4(m, frame, BLOCKLISTED, ACME_WEB, sport, dport, rng_range(r, 64, 1400), rng_fill);
    }
    uint16_t dport = rng_percent(r, 50) ? 80 : 443;
    uint8_t flags = rng_percent(r, 50) ? TCP_SYN : TCP_ACK;
    struct frame_spec s = flood_segment(r, BLOCKLISTED, false, ACME_WEB, dport, flags);
    return frame_build(&s, frame);
}

static size_t globex_syn_flood(struct mix *m, uint8_t *frame)
{
    uint32_t src = public_v4(&m->rng);
    struct frame_spec s = flood_segment(&m->rng, src, true, GLOBEX_WEB, 443, TCP_SYN);
    s.ntags = 1;
    s.tpid[0] = ETH_VLAN;
    s.vid[0] = GLOBEX_VID;
    return frame_build(&s, frame);
}

/* ---- the mix ------------------------------------------------------------------ */

typedef size_t class_fn(struct mix *m, uint8_t *frame);

/* share: in tenths of a percent; legit 40 %, attack 60 %. */
static const struct {
    const char *name;
    bool attack;
    unsigned share;
    class_fn *next;
} classes[] = {
    {"legit-web", false, 150, legit_web},
    {"legit-dns", false, 70, legit_dns},
    {"legit-game", false, 50, legit_game},
    {"legit-icmp", false, 5, legit_icmp},
    {"legit-v6", false, 40, legit_v6},
    {"legit-vlan", false, 40, legit_vlan},
    {"legit-fragments", false, 15, legit_fragments},
    {"unprotected", false, 30, unprotected},
    {"dns-reflection", true, 80, dns_reflection},
    {"ntp-reflection", true, 50, ntp_reflection},
    {"memcached-reflection", true, 40, memcached_reflection},
    {"ssdp-reflection", true, 40, ssdp_reflection},
    {"cldap-reflection", true, 40, cldap_reflection},
    {"syn-flood", true, 100, syn_flood},
    {"ack-flood", true, 50, ack_flood},
    {"icmp-flood", true, 40, icmp_flood},
    {"fragment-attack", true, 30, fragment_attack},
    {"malformed", true, 30, malformed},
    {"v6-flood", true, 40, v6_flood},
    {"blocklisted-source", true, 20, blocklisted_source},
    {"globex-syn-flood", true, 40, globex_syn_flood},
};
#define CLASSES (sizeof(classes) / sizeof(classes[0]))

struct mix *mix_new(uint64_t seed)
{
    struct mix *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->rng.state = seed;
    m->resolver_ip_id[0] = (uint16_t)rng_next(&m->rng);
    m->resolver_ip_id[1] = (uint16_t)rng_next(&m->rng);
    for (size_t i = 0; i < PLAYERS; i++) {
        m->players[i].addr = client_v4(&m->rng);
        m->players[i].port = ephemeral_port(&m->rng);
    }
    return m;
}

void mix_free(struct mix *m)
{
    free(m);
}

size_t mix_next(struct mix *m, uint8_t frame[FRAME_MAX], unsigned *cls)
{
    unsigned total = 0;
    for (size_t i = 0; i < CLASSES; i++)
        total += classes[i].share;
    unsigned draw = (unsigned)(rng_next(&m->rng) % total), i = 0;
    while (draw >= classes[i].share)
        draw -= classes[i++].share;
    *cls = i;
    return classes[i].next(m, frame);
}

unsigned mix_class_count(void)
{
    return CLASSES;
}

const char *mix_class_name(unsigned cls)
{
    return classes[cls].name;
}

bool mix_class_is_attack(unsigned cls)
{
    return classes[cls].attack;
}
