#include "scrub_entry.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static const uint8_t v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

struct scrub_addr scrub_addr_v4(uint32_t host_order)
{
    struct scrub_addr a;
    memcpy(a.b, v4_mapped_prefix, 12);
    a.b[12] = (uint8_t)(host_order >> 24);
    a.b[13] = (uint8_t)(host_order >> 16);
    a.b[14] = (uint8_t)(host_order >> 8);
    a.b[15] = (uint8_t)host_order;
    return a;
}

bool scrub_addr_is_v4(const struct scrub_addr *a)
{
    return memcmp(a->b, v4_mapped_prefix, 12) == 0;
}

struct scrub_addr scrub_addr_mask(unsigned plen)
{
    struct scrub_addr m;
    for (unsigned i = 0; i < 16; i++) {
        unsigned bits = plen > 8 * i ? plen - 8 * i : 0;
        m.b[i] = bits >= 8 ? 0xff : (uint8_t)(0xff00u >> bits);
    }
    return m;
}

void scrub_addr_and(struct scrub_addr *a, const struct scrub_addr *mask)
{
    for (unsigned i = 0; i < 16; i++)
        a->b[i] &= mask->b[i];
}

bool scrub_addr_eq(const struct scrub_addr *a, const struct scrub_addr *b)
{
    return memcmp(a->b, b->b, 16) == 0;
}

bool scrub_addr_parse(const char *text, struct scrub_addr *out)
{
    struct in_addr v4;
    if (inet_pton(AF_INET, text, &v4) == 1) {
        *out = scrub_addr_v4(ntohl(v4.s_addr));
        return true;
    }
    return inet_pton(AF_INET6, text, out->b) == 1;
}

void scrub_addr_format(const struct scrub_addr *a, char *buf, unsigned size)
{
    if (scrub_addr_is_v4(a))
        inet_ntop(AF_INET, a->b + 12, buf, size);
    else
        inet_ntop(AF_INET6, a->b, buf, size);
}

void scrub_acl_entry_any(struct scrub_acl_entry *e)
{
    memset(e, 0, sizeof(*e));
    e->sport_hi = e->dport_hi = e->len_hi = 0xffff;
}

/* Fields of at most 32 bits. */
static void put(uint32_t *w, unsigned word, unsigned lsb, unsigned width, uint32_t v)
{
    uint32_t m = width == 32 ? 0xffffffffu : ((1u << width) - 1) << lsb;
    w[word] = (w[word] & ~m) | ((v << lsb) & m);
}

static uint32_t get(const uint32_t *w, unsigned word, unsigned lsb, unsigned width)
{
    uint32_t v = w[word] >> lsb;
    return width == 32 ? v : v & ((1u << width) - 1);
}

/* 64-bit fields: two words, most significant first. */
static void put64(uint32_t *w, unsigned word, uint64_t v)
{
    w[word] = (uint32_t)(v >> 32);
    w[word + 1] = (uint32_t)v;
}

static uint64_t get64(const uint32_t *w, unsigned word)
{
    return (uint64_t)w[word] << 32 | w[word + 1];
}

/* Addresses: four words, network byte order. */
static void put_addr(uint32_t *w, unsigned word, const struct scrub_addr *a)
{
    for (unsigned i = 0; i < 4; i++)
        w[word + i] = (uint32_t)a->b[4 * i] << 24 | (uint32_t)a->b[4 * i + 1] << 16 |
                      (uint32_t)a->b[4 * i + 2] << 8 | a->b[4 * i + 3];
}

static void get_addr(const uint32_t *w, unsigned word, struct scrub_addr *a)
{
    for (unsigned i = 0; i < 4; i++)
        for (unsigned j = 0; j < 4; j++)
            a->b[4 * i + j] = (uint8_t)(w[word + i] >> (24 - 8 * j));
}

#define PUT(T, F, v) put(w, SCRUB_##T##_##F##_WORD, SCRUB_##T##_##F##_LSB, SCRUB_##T##_##F##_WIDTH, (uint32_t)(v))
#define GET(T, F) get(w, SCRUB_##T##_##F##_WORD, SCRUB_##T##_##F##_LSB, SCRUB_##T##_##F##_WIDTH)
#define PUT64(T, F, v) put64(w, SCRUB_##T##_##F##_WORD, v)
#define GET64(T, F) get64(w, SCRUB_##T##_##F##_WORD)
#define PUT_ADDR(T, F, a) put_addr(w, SCRUB_##T##_##F##_WORD, a)
#define GET_ADDR(T, F, a) get_addr(w, SCRUB_##T##_##F##_WORD, a)

void scrub_dest_pack(const struct scrub_dest_entry *e, scrub_words w)
{
    memset(w, 0, sizeof(scrub_words));
    PUT_ADDR(DEST, PREFIX, &e->prefix);
    PUT(DEST, PLEN, e->plen);
    PUT(DEST, VALID, e->valid);
    PUT(DEST, ENABLE, e->enable);
    PUT(DEST, TENANT, e->tenant);
    PUT(DEST, PROFILE, e->profile);
    PUT(DEST, COUNTER, e->counter);
}

void scrub_dest_unpack(const scrub_words w, struct scrub_dest_entry *e)
{
    GET_ADDR(DEST, PREFIX, &e->prefix);
    e->plen = (uint8_t)GET(DEST, PLEN);
    e->valid = GET(DEST, VALID);
    e->enable = GET(DEST, ENABLE);
    e->tenant = (uint16_t)GET(DEST, TENANT);
    e->profile = (uint8_t)GET(DEST, PROFILE);
    e->counter = GET(DEST, COUNTER);
}

void scrub_em_pack(const struct scrub_em_entry *e, scrub_words w)
{
    memset(w, 0, sizeof(scrub_words));
    PUT(EM, TENANT, e->tenant);
    PUT_ADDR(EM, ADDR, &e->addr);
    PUT(EM, ACTION, e->action);
    PUT(EM, VALID, e->valid);
    PUT(EM, POLICER, e->policer);
    PUT(EM, COUNTER, e->counter);
}

void scrub_em_unpack(const scrub_words w, struct scrub_em_entry *e)
{
    e->tenant = (uint16_t)GET(EM, TENANT);
    GET_ADDR(EM, ADDR, &e->addr);
    e->action = (uint8_t)GET(EM, ACTION);
    e->valid = GET(EM, VALID);
    e->policer = GET(EM, POLICER);
    e->counter = GET(EM, COUNTER);
}

void scrub_acl_pack(const struct scrub_acl_entry *e, scrub_words w)
{
    memset(w, 0, sizeof(scrub_words));
    PUT_ADDR(ACL, SRC_VALUE, &e->src_value);
    PUT_ADDR(ACL, SRC_MASK, &e->src_mask);
    PUT_ADDR(ACL, DST_VALUE, &e->dst_value);
    PUT_ADDR(ACL, DST_MASK, &e->dst_mask);
    PUT(ACL, TENANT_VALUE, e->tenant_value);
    PUT(ACL, TENANT_MASK, e->tenant_mask);
    PUT(ACL, PROFILE_VALUE, e->profile_value);
    PUT(ACL, PROFILE_MASK, e->profile_mask);
    PUT(ACL, PROTO_VALUE, e->proto_value);
    PUT(ACL, PROTO_MASK, e->proto_mask);
    PUT(ACL, SPORT_LO, e->sport_lo);
    PUT(ACL, SPORT_HI, e->sport_hi);
    PUT(ACL, DPORT_LO, e->dport_lo);
    PUT(ACL, DPORT_HI, e->dport_hi);
    PUT(ACL, FLAGS_VALUE, e->flags_value);
    PUT(ACL, FLAGS_MASK, e->flags_mask);
    PUT(ACL, ITYPE_VALUE, e->itype_value);
    PUT(ACL, ITYPE_MASK, e->itype_mask);
    PUT(ACL, ICODE_VALUE, e->icode_value);
    PUT(ACL, ICODE_MASK, e->icode_mask);
    PUT(ACL, FRAG_VALUE, e->frag_value);
    PUT(ACL, FRAG_MASK, e->frag_mask);
    PUT(ACL, LEN_LO, e->len_lo);
    PUT(ACL, LEN_HI, e->len_hi);
    PUT(ACL, DSCP_VALUE, e->dscp_value);
    PUT(ACL, DSCP_MASK, e->dscp_mask);
    PUT(ACL, VLAN_VALUE, e->vlan_value);
    PUT(ACL, VLAN_MASK, e->vlan_mask);
    PUT(ACL, V6_VALUE, e->v6_value);
    PUT(ACL, V6_MASK, e->v6_mask);
    PUT(ACL, VALID, e->valid);
    PUT(ACL, ACTION, e->action);
    PUT(ACL, COUNT_ONLY, e->count_only);
    PUT(ACL, POLICER_BITS, e->policer_bits);
    PUT(ACL, POLICER, e->policer);
    PUT(ACL, COUNTER, e->counter);
}

void scrub_acl_unpack(const scrub_words w, struct scrub_acl_entry *e)
{
    GET_ADDR(ACL, SRC_VALUE, &e->src_value);
    GET_ADDR(ACL, SRC_MASK, &e->src_mask);
    GET_ADDR(ACL, DST_VALUE, &e->dst_value);
    GET_ADDR(ACL, DST_MASK, &e->dst_mask);
    e->tenant_value = (uint16_t)GET(ACL, TENANT_VALUE);
    e->tenant_mask = (uint16_t)GET(ACL, TENANT_MASK);
    e->profile_value = (uint8_t)GET(ACL, PROFILE_VALUE);
    e->profile_mask = (uint8_t)GET(ACL, PROFILE_MASK);
    e->proto_value = (uint8_t)GET(ACL, PROTO_VALUE);
    e->proto_mask = (uint8_t)GET(ACL, PROTO_MASK);
    e->sport_lo = (uint16_t)GET(ACL, SPORT_LO);
    e->sport_hi = (uint16_t)GET(ACL, SPORT_HI);
    e->dport_lo = (uint16_t)GET(ACL, DPORT_LO);
    e->dport_hi = (uint16_t)GET(ACL, DPORT_HI);
    e->flags_value = (uint8_t)GET(ACL, FLAGS_VALUE);
    e->flags_mask = (uint8_t)GET(ACL, FLAGS_MASK);
    e->itype_value = (uint8_t)GET(ACL, ITYPE_VALUE);
    e->itype_mask = (uint8_t)GET(ACL, ITYPE_MASK);
    e->icode_value = (uint8_t)GET(ACL, ICODE_VALUE);
    e->icode_mask = (uint8_t)GET(ACL, ICODE_MASK);
    e->frag_value = (uint8_t)GET(ACL, FRAG_VALUE);
    e->frag_mask = (uint8_t)GET(ACL, FRAG_MASK);
    e->len_lo = (uint16_t)GET(ACL, LEN_LO);
    e->len_hi = (uint16_t)GET(ACL, LEN_HI);
    e->dscp_value = (uint8_t)GET(ACL, DSCP_VALUE);
    e->dscp_mask = (uint8_t)GET(ACL, DSCP_MASK);
    e->vlan_value = (uint16_t)GET(ACL, VLAN_VALUE);
    e->vlan_mask = (uint16_t)GET(ACL, VLAN_MASK);
    e->v6_value = (uint8_t)GET(ACL, V6_VALUE);
    e->v6_mask = (uint8_t)GET(ACL, V6_MASK);
    e->valid = GET(ACL, VALID);
    e->action = (uint8_t)GET(ACL, ACTION);
    e->count_only = GET(ACL, COUNT_ONLY);
    e->policer_bits = (uint8_t)GET(ACL, POLICER_BITS);
    e->policer = GET(ACL, POLICER);
    e->counter = GET(ACL, COUNTER);
}

void scrub_policer_pack(const struct scrub_policer_entry *e, scrub_words w)
{
    memset(w, 0, sizeof(scrub_words));
    PUT(POLICER, PACKETS, e->packets);
    PUT(POLICER, RESET, e->reset);
    PUT64(POLICER, RATE, e->rate);
    PUT(POLICER, BURST, e->burst);
    PUT(POLICER, COUNTER, e->counter);
    PUT64(POLICER, TOKENS, e->tokens);
    PUT64(POLICER, LAST, e->last);
}

void scrub_policer_unpack(const scrub_words w, struct scrub_policer_entry *e)
{
    e->packets = GET(POLICER, PACKETS);
    e->reset = GET(POLICER, RESET);
    e->rate = GET64(POLICER, RATE);
    e->burst = GET(POLICER, BURST);
    e->counter = GET(POLICER, COUNTER);
    e->tokens = GET64(POLICER, TOKENS);
    e->last = GET64(POLICER, LAST);
}

void scrub_counter_pack(const struct scrub_counter *c, scrub_words w)
{
    memset(w, 0, sizeof(scrub_words));
    PUT64(COUNTER, PACKETS, c->packets);
    PUT64(COUNTER, BYTES, c->bytes);
}

void scrub_counter_unpack(const scrub_words w, struct scrub_counter *c)
{
    c->packets = GET64(COUNTER, PACKETS);
    c->bytes = GET64(COUNTER, BYTES);
}
