/* The ternary ACL: which entry decides a packet and which count-only
 * entries count it (docs/card.md, "ACL"). The card searches every entry
 * in index order; the model gets the same answer faster from prefilter
 * bitmaps on profile, protocol and tenant that are exact supersets of the
 * matching entries, changed at commit for the entries written since the
 * last one. The linear search stays as the
 * reference the tests compare the index against. */
#ifndef SCRUB_ACL_H
#define SCRUB_ACL_H

#include <stdbool.h>
#include <stdint.h>

#include "parse.h"
#include "scrub_entry.h"

struct scrub_acl_result {
    int32_t decisive;                        /* -1: none, the default applies */
    uint32_t counted[SCRUB_COUNT_ONLY_MAX];  /* count-only entries that count */
    unsigned n_counted;
    unsigned lost;                           /* count-only hits beyond the maximum */
};

struct scrub_acl_index {
    uint32_t n, words;          /* entries, 64-bit words per bitmap */
    uint64_t *by_profile;       /* [256][words] */
    uint64_t *by_proto;         /* [256][words] */
    uint64_t *tenant_wild;      /* [words] entries whose tenant mask is not 0xffff */
    uint16_t *tenant_keys;      /* open addressing, tenant_slots entries */
    uint64_t *tenant_exact;     /* [tenant_slots][words] */
    bool *tenant_used;
    uint32_t tenant_slots, tenant_count; /* slots, and those used */
};

bool scrub_acl_match(const struct scrub_acl_entry *e, const struct scrub_pkt *p, uint16_t tenant, uint8_t profile);

/* Memory for n entries: 0, or -1 with errno ENOMEM. */
int scrub_acl_index_init(struct scrub_acl_index *x, uint32_t n);
/* Rebuilds the index in place over the n entries of init; never allocates. */
void scrub_acl_index_build(struct scrub_acl_index *x, const struct scrub_acl_entry *entries);
/* Entry i changed from before to after: 0, or -1 when the tenant table has no
 * room left and the caller must rebuild the index. */
int scrub_acl_index_change(struct scrub_acl_index *x, uint32_t i, const struct scrub_acl_entry *before,
                           const struct scrub_acl_entry *after);
void scrub_acl_index_free(struct scrub_acl_index *x);

void scrub_acl_search(const struct scrub_acl_entry *entries, const struct scrub_acl_index *x,
                      const struct scrub_pkt *p, uint16_t tenant, uint8_t profile, struct scrub_acl_result *r);
void scrub_acl_search_linear(const struct scrub_acl_entry *entries, uint32_t n, const struct scrub_pkt *p,
                             uint16_t tenant, uint8_t profile, struct scrub_acl_result *r);

#endif
