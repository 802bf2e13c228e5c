/* Table entries of the card in decoded form, and their packing into the
 * table data window (TBL_DATA). Owns nothing but the mapping between these
 * structs and the word layout that scrub_regmap.def fixes; the model and
 * the host both use it, so neither writes the layout by hand. */
#ifndef SCRUB_ENTRY_H
#define SCRUB_ENTRY_H

#include <stdbool.h>
#include <stdint.h>

#include "scrub_regmap.h"

/* One address space for both families: IPv6 as is, IPv4 as ::ffff:a.b.c.d.
 * Bytes in network order. */
struct scrub_addr {
    uint8_t b[16];
};

struct scrub_addr scrub_addr_v4(uint32_t host_order);
bool scrub_addr_is_v4(const struct scrub_addr *a);
/* The mask of a prefix of plen bits (0..128). */
struct scrub_addr scrub_addr_mask(unsigned plen);
void scrub_addr_and(struct scrub_addr *a, const struct scrub_addr *mask);
bool scrub_addr_eq(const struct scrub_addr *a, const struct scrub_addr *b);
/* Parses "192.0.2.1" or "2001:db8::1"; false if neither. */
bool scrub_addr_parse(const char *text, struct scrub_addr *out);
/* Writes the address as text (IPv4 dotted for mapped addresses). */
void scrub_addr_format(const struct scrub_addr *a, char *buf, unsigned size);

struct scrub_dest_entry {
    struct scrub_addr prefix;
    uint8_t plen;
    bool valid, enable;
    uint16_t tenant;
    uint8_t profile;
    uint32_t counter;
};

struct scrub_em_entry {
    uint16_t tenant;
    struct scrub_addr addr;
    uint8_t action;
    bool valid;
    uint32_t policer, counter;
};

struct scrub_acl_entry {
    struct scrub_addr src_value, src_mask, dst_value, dst_mask;
    uint16_t tenant_value, tenant_mask;
    uint8_t profile_value, profile_mask, proto_value, proto_mask;
    uint16_t sport_lo, sport_hi, dport_lo, dport_hi;
    uint8_t flags_value, flags_mask, itype_value, itype_mask, icode_value, icode_mask;
    uint8_t frag_value, frag_mask;
    uint16_t len_lo, len_hi;
    uint8_t dscp_value, dscp_mask;
    uint16_t vlan_value, vlan_mask;
    uint8_t v6_value, v6_mask;
    bool valid, count_only;
    uint8_t action, policer_bits;
    uint32_t policer, counter;
};

/* An ACL entry that matches every packet (all masks 0, ranges full),
 * invalid until the caller sets valid. */
void scrub_acl_entry_any(struct scrub_acl_entry *e);

struct scrub_policer_entry {
    bool packets, reset;
    uint64_t rate;
    uint32_t burst, counter;
    uint64_t tokens, last; /* read only */
};

struct scrub_counter {
    uint64_t packets, bytes;
};

typedef uint32_t scrub_words[SCRUB_DATA_WORDS];

void scrub_dest_pack(const struct scrub_dest_entry *e, scrub_words w);
void scrub_dest_unpack(const scrub_words w, struct scrub_dest_entry *e);
void scrub_em_pack(const struct scrub_em_entry *e, scrub_words w);
void scrub_em_unpack(const scrub_words w, struct scrub_em_entry *e);
void scrub_acl_pack(const struct scrub_acl_entry *e, scrub_words w);
void scrub_acl_unpack(const scrub_words w, struct scrub_acl_entry *e);
void scrub_policer_pack(const struct scrub_policer_entry *e, scrub_words w);
void scrub_policer_unpack(const scrub_words w, struct scrub_policer_entry *e);
void scrub_counter_pack(const struct scrub_counter *c, scrub_words w);
void scrub_counter_unpack(const scrub_words w, struct scrub_counter *c);

#endif
