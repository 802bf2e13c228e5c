#include "card_test.h"

#include <stdlib.h>
#include <string.h>

/* ---- the card ------------------------------------------------------------ */

static struct scrub_model *live[16];

struct scrub_model *card_new_reset(const struct scrub_model_params *p)
{
    struct scrub_model *m = scrub_model_new(p);
    assert_non_null(m);
    size_t i = 0;
    while (i < sizeof(live) / sizeof(*live) && live[i])
        i++;
    if (i == sizeof(live) / sizeof(*live)) {
        scrub_model_free(m);
        fail_msg("more than %zu cards at once", i);
    }
    live[i] = m;
    return m;
}

struct scrub_model *card_new_with(const struct scrub_model_params *p)
{
    struct scrub_model *m = card_new_reset(p);
    scrub_model_write(m, SCRUB_REG_CTRL, SCRUB_CTRL_ENABLE_MASK);
    return m;
}

void card_free(struct scrub_model *m)
{
    for (size_t i = 0; i < sizeof(live) / sizeof(*live); i++)
        if (live[i] == m)
            live[i] = NULL;
    scrub_model_free(m);
}

int card_free_all(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(live) / sizeof(*live); i++) {
        scrub_model_free(live[i]);
        live[i] = NULL;
    }
    return 0;
}

struct scrub_model *card_new(void)
{
    struct scrub_model_params p = SCRUB_MODEL_PARAMS_SIM;
    return card_new_with(&p);
}

uint8_t card_cmd(struct scrub_model *m, uint32_t table, uint32_t index, uint32_t cmd)
{
    scrub_model_write(m, SCRUB_REG_TBL_SELECT, table);
    scrub_model_write(m, SCRUB_REG_TBL_INDEX, index);
    scrub_model_write(m, SCRUB_REG_TBL_CMD, cmd);
    uint32_t st = scrub_model_read(m, SCRUB_REG_TBL_STATUS);
    assert_int_equal(st & SCRUB_TBL_STATUS_BUSY_MASK, 0);
    assert_int_equal(st & ~(SCRUB_TBL_STATUS_BUSY_MASK | SCRUB_TBL_STATUS_RESULT_MASK), 0);
    return (uint8_t)(st & SCRUB_TBL_STATUS_RESULT_MASK);
}

void card_data_put(struct scrub_model *m, const scrub_words w, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        scrub_model_write(m, SCRUB_REG_TBL_DATA + 4 * i, w[i]);
}

void card_data_get(struct scrub_model *m, scrub_words w)
{
    for (unsigned i = 0; i < SCRUB_DATA_WORDS; i++)
        w[i] = scrub_model_read(m, SCRUB_REG_TBL_DATA + 4 * i);
}

/* Every word of the window, so that no stale word of an earlier command
 * lingers beyond the entry. */
uint8_t card_write(struct scrub_model *m, uint32_t table, uint32_t index, const scrub_words w)
{
    card_data_put(m, w, SCRUB_DATA_WORDS);
    return card_cmd(m, table, index, SCRUB_CMD_WRITE);
}

void card_read(struct scrub_model *m, uint32_t table, uint32_t index, scrub_words w)
{
    assert_int_equal(card_cmd(m, table, index, SCRUB_CMD_READ), SCRUB_STATUS_OK);
    card_data_get(m, w);
}

uint8_t card_dest_try(struct scrub_model *m, uint32_t i, const struct scrub_dest_entry *e)
{
    scrub_words w;
    scrub_dest_pack(e, w);
    return card_write(m, SCRUB_TABLE_DEST, i, w);
}

uint8_t card_acl_try(struct scrub_model *m, uint32_t i, const struct scrub_acl_entry *e)
{
    scrub_words w;
    scrub_acl_pack(e, w);
    return card_write(m, SCRUB_TABLE_ACL, i, w);
}

uint8_t card_policer_try(struct scrub_model *m, uint32_t i, const struct scrub_policer_entry *e)
{
    scrub_words w;
    scrub_policer_pack(e, w);
    return card_write(m, SCRUB_TABLE_POLICER, i, w);
}

void card_dest(struct scrub_model *m, uint32_t i, const struct scrub_dest_entry *e)
{
    assert_int_equal(card_dest_try(m, i, e), SCRUB_STATUS_OK);
}

void card_acl(struct scrub_model *m, uint32_t i, const struct scrub_acl_entry *e)
{
    assert_int_equal(card_acl_try(m, i, e), SCRUB_STATUS_OK);
}

void card_policer(struct scrub_model *m, uint32_t i, const struct scrub_policer_entry *e)
{
    assert_int_equal(card_policer_try(m, i, e), SCRUB_STATUS_OK);
}

struct scrub_policer_entry card_policer_get(struct scrub_model *m, uint32_t i)
{
    scrub_words w;
    struct scrub_policer_entry e;
    card_read(m, SCRUB_TABLE_POLICER, i, w);
    scrub_policer_unpack(w, &e);
    return e;
}

uint8_t card_em_insert(struct scrub_model *m, const struct scrub_em_entry *e, uint32_t *slot)
{
    scrub_words w;
    scrub_em_pack(e, w);
    card_data_put(m, w, SCRUB_TABLE_EM_WORDS);
    uint8_t st = card_cmd(m, SCRUB_TABLE_EM, 0, SCRUB_CMD_EM_INSERT);
    if (st == SCRUB_STATUS_OK && slot)
        *slot = scrub_model_read(m, SCRUB_REG_TBL_RESULT);
    return st;
}

static void em_key(struct scrub_model *m, uint16_t tenant, const struct scrub_addr *a)
{
    struct scrub_em_entry e = {.tenant = tenant, .addr = *a};
    scrub_words w;
    scrub_em_pack(&e, w);
    card_data_put(m, w, SCRUB_TABLE_EM_WORDS);
}

uint8_t card_em_delete(struct scrub_model *m, uint16_t tenant, const struct scrub_addr *a)
{
    em_key(m, tenant, a);
    return card_cmd(m, SCRUB_TABLE_EM, 0, SCRUB_CMD_EM_DELETE);
}

uint8_t card_em_lookup(struct scrub_model *m, uint16_t tenant, const struct scrub_addr *a, struct scrub_em_entry *out,
                       uint32_t *slot)
{
    em_key(m, tenant, a);
    uint8_t st = card_cmd(m, SCRUB_TABLE_EM, 0, SCRUB_CMD_EM_LOOKUP);
    if (st == SCRUB_STATUS_OK) {
        scrub_words w;
        card_data_get(m, w);
        if (out)
            scrub_em_unpack(w, out);
        if (slot)
            *slot = scrub_model_read(m, SCRUB_REG_TBL_RESULT);
    }
    return st;
}

void card_commit(struct scrub_model *m)
{
    uint32_t before = scrub_model_read(m, SCRUB_REG_COMMIT_COUNT);
    scrub_model_write(m, SCRUB_REG_COMMIT, 1);
    assert_int_equal(scrub_model_read(m, SCRUB_REG_STATUS) & SCRUB_STATUS_COMMIT_BUSY_MASK, 0);
    assert_int_equal(scrub_model_read(m, SCRUB_REG_COMMIT_COUNT), before + 1);
}

void card_actions(struct scrub_model *m, uint32_t cfg_actions)
{
    scrub_model_write(m, SCRUB_REG_CFG_ACTIONS, cfg_actions);
    card_commit(m);
}

void card_snapshot(struct scrub_model *m)
{
    scrub_model_write(m, SCRUB_REG_SNAPSHOT, 1);
    assert_int_equal(scrub_model_read(m, SCRUB_REG_STATUS) & SCRUB_STATUS_SNAPSHOT_BUSY_MASK, 0);
}

static struct scrub_counter read_pair(struct scrub_model *m, uint32_t table, uint32_t i)
{
    scrub_words w;
    struct scrub_counter c;
    card_read(m, table, i, w);
    scrub_counter_unpack(w, &c);
    return c;
}

struct scrub_counter card_counter(struct scrub_model *m, uint32_t i)
{
    return read_pair(m, SCRUB_TABLE_COUNTER, i);
}

struct scrub_counter card_gstat(struct scrub_model *m, uint32_t i)
{
    return read_pair(m, SCRUB_TABLE_GSTAT, i);
}

struct scrub_counter card_counter_now(struct scrub_model *m, uint32_t i)
{
    card_snapshot(m);
    return card_counter(m, i);
}

void card_counter_set(struct scrub_model *m, uint32_t i, uint64_t packets, uint64_t bytes)
{
    struct scrub_counter c = {.packets = packets, .bytes = bytes};
    scrub_words w;
    scrub_counter_pack(&c, w);
    assert_int_equal(card_write(m, SCRUB_TABLE_COUNTER, i, w), SCRUB_STATUS_OK);
}

struct scrub_dest_entry card_dest_entry(const char *prefix, unsigned plen, uint16_t tenant, uint8_t profile,
                                        uint32_t counter)
{
    return (struct scrub_dest_entry){.prefix = card_addr(prefix),
                                     .plen = (uint8_t)plen,
                                     .valid = true,
                                     .enable = true,
                                     .tenant = tenant,
                                     .profile = profile,
                                     .counter = counter};
}

struct scrub_acl_entry card_acl_entry(uint8_t action, uint32_t counter)
{
    struct scrub_acl_entry e;
    scrub_acl_entry_any(&e);
    e.valid = true;
    e.action = action;
    e.counter = counter;
    return e;
}

/* ---- addresses, hashes, random numbers -------------------------------------- */

struct scrub_addr card_addr(const char *text)
{
    struct scrub_addr a;
    if (!scrub_addr_parse(text, &a))
        fail_msg("bad address in test: %s", text);
    return a;
}

static uint32_t crc_bitwise(uint32_t poly, const uint8_t *data, size_t len)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < len; i++) {
        c ^= data[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (poly & (0u - (c & 1)));
    }
    return ~c;
}

uint32_t card_crc32c(const uint8_t *data, size_t len)
{
    return crc_bitwise(0x82f63b78u, data, len);
}

uint32_t card_crc32(const uint8_t *data, size_t len)
{
    return crc_bitwise(0xedb88320u, data, len);
}

uint64_t card_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint32_t card_rand_below(uint64_t *state, uint32_t n)
{
    return (uint32_t)(card_rand(state) % n);
}

/* ---- packets ------------------------------------------------------------------ */

struct pkt_spec pkt_spec(const char *src, const char *dst, uint8_t proto)
{
    struct pkt_spec s = {0};
    s.src = card_addr(src);
    s.dst = card_addr(dst);
    bool v4 = scrub_addr_is_v4(&s.src);
    assert_int_equal(v4, scrub_addr_is_v4(&s.dst));
    s.family = v4 ? 4 : 6;
    s.proto = proto;
    s.sport = 40000;
    s.dport = proto == PROTO_UDP ? 53 : 80;
    s.tcp_flags = TCP_SYN;
    s.icmp_type = proto == PROTO_ICMPV6 ? 128 : 8;
    s.l4_bytes = -1;
    return s;
}

void pkt_put16(struct pkt *p, uint32_t off, uint16_t v)
{
    p->b[off] = (uint8_t)(v >> 8);
    p->b[off + 1] = (uint8_t)v;
}

static uint32_t l4_header_len(const struct pkt_spec *s)
{
    if (s->frag != 0)
        return 0; /* a later fragment carries no L4 header */
    switch (s->proto) {
    case PROTO_TCP:
        return s->tcp_doff > 5 ? s->tcp_doff * 4u : 20u;
    case PROTO_UDP:
    case PROTO_ICMP:
    case PROTO_ICMPV6:
        return 8;
    default:
        return 0;
    }
}

/* The L4 header (cut to l4_bytes) and the payload at off; returns the end. */
static uint32_t put_l4(struct pkt *p, uint32_t off, const struct pkt_spec *s)
{
    uint32_t hlen = l4_header_len(s);
    uint8_t h[64] = {0};
    switch (hlen ? s->proto : 0) {
    case PROTO_TCP:
        h[0] = (uint8_t)(s->sport >> 8), h[1] = (uint8_t)s->sport;
        h[2] = (uint8_t)(s->dport >> 8), h[3] = (uint8_t)s->dport;
        h[7] = 1; /* sequence number */
        h[12] = (uint8_t)((s->tcp_doff ? s->tcp_doff : 5) << 4);
        h[13] = s->tcp_flags;
        h[15] = 0xff; /* window */
        break;
    case PROTO_UDP:
        h[0] = (uint8_t)(s->sport >> 8), h[1] = (uint8_t)s->sport;
        h[2] = (uint8_t)(s->dport >> 8), h[3] = (uint8_t)s->dport;
        h[4] = (uint8_t)((8 + s->payload) >> 8), h[5] = (uint8_t)(8 + s->payload);
        break;
    case PROTO_ICMP:
    case PROTO_ICMPV6:
        h[0] = s->icmp_type;
        h[1] = s->icmp_code;
        break;
    default:
        break;
    }
    if (s->l4_bytes >= 0 && (uint32_t)s->l4_bytes < hlen)
        hlen = (uint32_t)s->l4_bytes;
    assert_true(off + hlen + s->payload + s->pad <= PKT_MAX);
    memcpy(p->b + off, h, hlen);
    p->l4 = off;
    off += hlen;
    for (unsigned i = 0; i < s->payload; i++)
        p->b[off + i] = (uint8_t)(s->fill + i);
    return off + s->payload;
}

void pkt_v4_checksum(struct pkt *p)
{
    uint8_t *h = p->b + p->l3;
    unsigned hlen = (h[0] & 15u) * 4;
    h[10] = h[11] = 0;
    uint32_t sum = 0;
    for (unsigned i = 0; i < hlen; i += 2)
        sum += (uint32_t)h[i] << 8 | h[i + 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    pkt_put16(p, p->l3 + 10, (uint16_t)~sum);
}

static uint32_t put_v4(struct pkt *p, uint32_t off, const struct pkt_spec *s)
{
    uint32_t hlen = 20 + s->v4_options;
    assert_true(hlen <= 60 && s->v4_options % 4 == 0);
    memset(p->b + off, 0, hlen);
    for (unsigned i = 20; i < hlen; i++)
        p->b[off + i] = 1; /* NOP options */
    uint32_t end = put_l4(p, off + hlen, s);
    uint8_t *h = p->b + off;
    h[0] = (uint8_t)(0x40 | hlen / 4);
    h[1] = s->tos;
    pkt_put16(p, off + 2, (uint16_t)(end - off));
    pkt_put16(p, off + 4, 0x1234);
    pkt_put16(p, off + 6, (uint16_t)((s->df ? 0x4000 : 0) | (s->mf ? 0x2000 : 0) | (s->frag & 0x1fff)));
    h[8] = 64;
    h[9] = s->proto;
    memcpy(h + 12, s->src.b + 12, 4);
    memcpy(h + 16, s->dst.b + 12, 4);
    pkt_v4_checksum(p);
    return end;
}

static uint32_t put_v6(struct pkt *p, uint32_t off, const struct pkt_spec *s)
{
    uint8_t *h = p->b + off;
    memset(h, 0, 40);
    h[0] = (uint8_t)(0x60 | s->tos >> 4);
    h[1] = (uint8_t)(s->tos << 4);
    h[6] = s->exts ? s->ext[0] : s->proto;
    h[7] = 64;
    memcpy(h + 8, s->src.b, 16);
    memcpy(h + 24, s->dst.b, 16);
    uint32_t cur = off + 40;
    for (unsigned i = 0; i < s->exts; i++) {
        uint8_t next = i + 1 < s->exts ? s->ext[i + 1] : s->proto;
        uint32_t len = s->ext[i] == 44 ? 8u : (s->ext_len[i] + 1u) * 8;
        memset(p->b + cur, 0, len);
        p->b[cur] = next;
        if (s->ext[i] == 44) {
            pkt_put16(p, cur + 2, (uint16_t)(s->frag << 3 | (s->mf ? 1 : 0)));
            p->b[cur + 7] = 0x42; /* identification */
        } else {
            p->b[cur + 1] = s->ext_len[i];
        }
        cur += len;
    }
    uint32_t end = put_l4(p, cur, s);
    pkt_put16(p, off + 4, (uint16_t)(end - off - 40));
    return end;
}

void pkt_build(struct pkt *p, const struct pkt_spec *s)
{
    memset(p->b, 0, 64);
    static const uint8_t macs[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
    memcpy(p->b, macs, 12);
    uint32_t off = 12;
    for (unsigned i = 0; i < s->vlans; i++) {
        pkt_put16(p, off, s->tpid[i]);
        pkt_put16(p, off + 2, s->tci[i]);
        off += 4;
    }
    uint16_t type = s->family == 4 ? 0x0800 : s->family == 6 ? 0x86dd : s->ethertype;
    pkt_put16(p, off, type);
    off += 2;
    p->l3 = p->l4 = off;
    uint32_t end;
    if (s->family == 4) {
        end = put_v4(p, off, s);
    } else if (s->family == 6) {
        end = put_v6(p, off, s);
    } else {
        for (unsigned i = 0; i < s->payload; i++)
            p->b[off + i] = (uint8_t)(s->fill + i);
        end = off + s->payload;
    }
    assert_true(end + s->pad <= PKT_MAX);
    memset(p->b + end, 0, s->pad);
    p->len = end + s->pad;
}

/* ---- sending ------------------------------------------------------------------ */

struct scrub_verdict card_send_frame(struct scrub_model *m, const uint8_t *frame, uint32_t len, uint64_t ts)
{
    struct scrub_verdict v;
    scrub_model_packet(m, frame, len, ts, &v);
    static uint8_t out[PKT_MAX];
    uint64_t out_ts = 0;
    uint32_t n = scrub_model_output_pop(m, out, sizeof(out), &out_ts);
    if (v.pass) {
        assert_int_equal(n, len);
        assert_memory_equal(out, frame, len);
        assert_int_equal(out_ts, ts);
        n = scrub_model_output_pop(m, out, sizeof(out), NULL);
    }
    assert_int_equal(n, 0);
    return v;
}

struct scrub_verdict card_send(struct scrub_model *m, const struct pkt *p, uint64_t ts)
{
    return card_send_frame(m, p->b, p->len, ts);
}
