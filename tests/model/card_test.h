/* Shared helpers of the model tests: a card driven only through its
 * registers (the table port, COMMIT, SNAPSHOT), a packet builder, and the
 * hashes and random numbers the tests compute their expectations with.
 * Every helper that talks to the port checks TBL_STATUS. */
#ifndef CARD_TEST_H
#define CARD_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "scrub_model.h"

/* ---- the card ------------------------------------------------------------ */

/* The SIM configuration with CTRL.ENABLE = 1; fails the test if it cannot.
 * Cards live until card_free, or until card_free_all, the group teardown
 * that also frees what a failed test left behind. */
struct scrub_model *card_new(void);
struct scrub_model *card_new_with(const struct scrub_model_params *p);
/* As it comes out of reset (CTRL.ENABLE = 0). */
struct scrub_model *card_new_reset(const struct scrub_model_params *p);
void card_free(struct scrub_model *m);
int card_free_all(void **state);

/* One table command on (table, index) with the data window as it is.
 * Asserts BUSY is clear and returns the result code. */
uint8_t card_cmd(struct scrub_model *m, uint32_t table, uint32_t index, uint32_t cmd);
/* The first n words of the data window. */
void card_data_put(struct scrub_model *m, const scrub_words w, unsigned n);
void card_data_get(struct scrub_model *m, scrub_words w);

/* WRITE of a packed entry; the result code. */
uint8_t card_write(struct scrub_model *m, uint32_t table, uint32_t index, const scrub_words w);
/* READ into w; asserts OK. */
void card_read(struct scrub_model *m, uint32_t table, uint32_t index, scrub_words w);

uint8_t card_dest_try(struct scrub_model *m, uint32_t i, const struct scrub_dest_entry *e);
uint8_t card_acl_try(struct scrub_model *m, uint32_t i, const struct scrub_acl_entry *e);
uint8_t card_policer_try(struct scrub_model *m, uint32_t i, const struct scrub_policer_entry *e);
/* The same, asserting OK. */
void card_dest(struct scrub_model *m, uint32_t i, const struct scrub_dest_entry *e);
void card_acl(struct scrub_model *m, uint32_t i, const struct scrub_acl_entry *e);
void card_policer(struct scrub_model *m, uint32_t i, const struct scrub_policer_entry *e);
struct scrub_policer_entry card_policer_get(struct scrub_model *m, uint32_t i);

/* Exact match: result codes; *slot (TBL_RESULT) when OK. */
uint8_t card_em_insert(struct scrub_model *m, const struct scrub_em_entry *e, uint32_t *slot);
uint8_t card_em_delete(struct scrub_model *m, uint16_t tenant, const struct scrub_addr *a);
uint8_t card_em_lookup(struct scrub_model *m, uint16_t tenant, const struct scrub_addr *a, struct scrub_em_entry *out,
                       uint32_t *slot);

void card_commit(struct scrub_model *m);
/* CFG_ACTIONS, then COMMIT. */
void card_actions(struct scrub_model *m, uint32_t cfg_actions);
void card_snapshot(struct scrub_model *m);
/* Reads of the snapshot bank. */
struct scrub_counter card_counter(struct scrub_model *m, uint32_t i);
struct scrub_counter card_gstat(struct scrub_model *m, uint32_t i);
/* Snapshot, then read. */
struct scrub_counter card_counter_now(struct scrub_model *m, uint32_t i);
/* Sets a live pair. */
void card_counter_set(struct scrub_model *m, uint32_t i, uint64_t packets, uint64_t bytes);

/* Common entries: a valid, enabled DEST entry; an ACL entry that matches
 * everything with the given action (valid). */
struct scrub_dest_entry card_dest_entry(const char *prefix, unsigned plen, uint16_t tenant, uint8_t profile,
                                        uint32_t counter);
struct scrub_acl_entry card_acl_entry(uint8_t action, uint32_t counter);

/* ---- addresses, hashes, random numbers -------------------------------------- */

/* "192.0.2.1" (as ::ffff:192.0.2.1) or "2001:db8::1"; fails the test if neither. */
struct scrub_addr card_addr(const char *text);
/* Bitwise CRC-32C and CRC-32 (IEEE), reflected, init and final xor
 * 0xffffffff: the spec's definitions, computed independently of the model. */
uint32_t card_crc32c(const uint8_t *data, size_t len);
uint32_t card_crc32(const uint8_t *data, size_t len);
/* splitmix64 */
uint64_t card_rand(uint64_t *state);
/* Uniform in [0, n). */
uint32_t card_rand_below(uint64_t *state, uint32_t n);

/* ---- packets ------------------------------------------------------------------ */

#define PKT_MAX 16448u

struct pkt {
    uint8_t b[PKT_MAX];
    uint32_t len;
    uint32_t l3; /* offset of the IP header */
    uint32_t l4; /* offset of the upper-layer header (after IPv4 options / IPv6 extensions) */
};

#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ICMPV6 58

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

struct pkt_spec {
    unsigned vlans;        /* tags, outermost first */
    uint16_t tpid[3], tci[3];
    unsigned family;       /* 4, 6, or 0: a non-IP frame of ethertype and payload */
    uint16_t ethertype;    /* family 0 */
    struct scrub_addr src, dst;
    uint8_t proto;         /* IPv4 protocol / the last IPv6 next header */
    uint8_t tos;           /* IPv4 TOS / IPv6 traffic class */
    bool df, mf;           /* mf: IPv4 MF, or the M bit of an IPv6 fragment header */
    uint16_t frag;         /* fragment offset in 8-byte units (IPv4, or the IPv6 fragment header) */
    unsigned v4_options;   /* IPv4 option bytes, a multiple of 4 */
    unsigned exts;         /* IPv6 extension headers, in order */
    uint8_t ext[6];        /* their types: 0, 43, 44, 60 */
    uint8_t ext_len[6];    /* Hdr Ext Len of each but 44 (8-byte units after the first 8) */
    uint16_t sport, dport;
    uint8_t tcp_flags, tcp_doff; /* doff 0 means 5 */
    uint8_t icmp_type, icmp_code;
    int l4_bytes;          /* bytes of the L4 header written; -1: all of it */
    unsigned payload;      /* bytes after the L4 header */
    unsigned pad;          /* bytes after the IP packet */
    uint8_t fill;          /* first payload byte; the next ones count up */
};

/* A well-formed unfragmented packet from src to dst (both of one family):
 * TCP SYN 40000 -> 80, UDP 40000 -> 53, ICMP/ICMPv6 echo request, no
 * payload. */
struct pkt_spec pkt_spec(const char *src, const char *dst, uint8_t proto);
/* Builds the frame (IPv4 header checksum correct, UDP length right). */
void pkt_build(struct pkt *p, const struct pkt_spec *s);
/* Recomputes the IPv4 header checksum after an edit of the header. */
void pkt_v4_checksum(struct pkt *p);
void pkt_put16(struct pkt *p, uint32_t off, uint16_t v);

/* Sends a frame and drains the output: asserts that exactly one frame came
 * out iff the verdict passed it, with its bytes and timestamp intact. */
struct scrub_verdict card_send_frame(struct scrub_model *m, const uint8_t *frame, uint32_t len, uint64_t ts);
struct scrub_verdict card_send(struct scrub_model *m, const struct pkt *p, uint64_t ts);

#endif
