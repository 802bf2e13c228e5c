/* A card image: every DEST, ACL, policer and exact-match entry a card
 * holds or should hold, with CFG_ACTIONS and the counter pairs in use.
 * Two kinds exist: a *desired* image, built from the configuration, the
 * active mitigations and the run-time source entries (card_image_build),
 * and a *read-back* image (card_readback.h). card_sync.h writes the
 * difference of two images. docs/mitigations.md states the rules.
 *
 * Allocation is stable: an image is built with the card's current image
 * as input, and an entity still wanted keeps its table index (DEST) and its
 * counter pairs. Entities are matched by what the card holds, not by name,
 * so a read-back image (which has no names) serves as well as the last
 * desired one:
 * - DEST: same prefix, length and tenant (an entry with the same profile,
 *   enable and valid bits first);
 * - ACL: positional (the data channel's ACEs, then the configuration's
 *   order); an ACE keeps its counter
 *   pair if an entry of the same content (counter aside) is found, at its
 *   position first, else anywhere;
 * - policers: positional; a policer in use at its index keeps its pair;
 * - exact match: same (tenant, address).
 * New entities take the lowest free DEST index and the lowest free counter
 * pairs that the current image does not use (so a pair freed by a change is
 * not reused by the same change: it is zeroed before the commit while its
 * old entry may still count into it otherwise). */
#ifndef CARD_IMAGE_H
#define CARD_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config_apply.h"
#include "scrub_config.h"
#include "scrub_hal.h"
#include "scrub_prefix.h"

struct card_image {
    struct scrub_caps caps; /* the table sizes the arrays have */
    uint32_t cfg_actions;
    struct scrub_dest_entry *dest;        /* caps.dest; free: all zero */
    struct scrub_acl_entry *acl;          /* caps.acl; free: invalid */
    struct scrub_policer_entry *policers; /* caps.policers; free: all zero */
    struct scrub_em_entry *em;            /* the valid entries, sorted by (tenant, address) */
    size_t n_em;
    /* DEST and policer entries at and beyond these indexes are free: the
     * scans stop there, so a large card's untouched table costs nothing. */
    uint32_t dest_extent, policer_extent;
    uint8_t *pair_used;  /* caps.counters: 1 where an entry counts into the pair */
    uint8_t *pair_fresh; /* built images: 1 where the pair was newly allocated (sync zeroes it) */
    /* Built images: every counter owner by name, in index order, and the
     * tables' fill. A read-back image has no names (n_counters 0). */
    struct scrub_layout layout;
    size_t *by_name; /* built images: layout.counters indexes in name order */
};

/* One active mitigation as the image needs it. */
struct image_mitigation {
    const char *name; /* "mitigation cuid-acme/7", names its counters */
    uint16_t tenant;
    uint8_t profile; /* the profile's id (config index + 1) */
    int64_t precedence; /* among equal prefixes of mitigations, the highest wins (the mid) */
    const struct scrub_prefix *prefixes;
    size_t n_prefixes;
};

/* One run-time source entry (configured ones come with the configuration). */
struct image_source {
    const char *tenant_name;
    uint16_t tenant;
    struct scrub_addr addr;
    uint8_t action;  /* SCRUB_ACTION_* */
    int policer;     /* the configured policer's index when policed, else -1 */
};

/* One ACE of a data-channel ACL (RFC 8783), compiled for its tenant. */
struct image_data_ace {
    const char *name; /* names its counter pair (and, with " / rate-limit", its policer's) */
    const struct scrub_acl_entry *entries; /* tenant, action, matches; counter and policer are the image's */
    size_t n_entries;
    uint64_t rate; /* > 0: police (the entries' action) with a byte policer of its own at this rate */
};

struct image_input {
    const struct scrub_config *cfg;
    const struct image_mitigation *mitigations;
    size_t n_mitigations;
    const struct image_source *sources;
    size_t n_sources;
    /* Placed before the configuration's ACL entries, in this order; their
     * rate-limit policers after the configuration's policers. */
    const struct image_data_ace *data_aces;
    size_t n_data_aces;
};

/* The desired image of in on a card with caps, allocated stably against
 * prev (NULL: an empty card). -1 with err saying what does not fit and
 * how much room is left (ENOSPC), or what is wrong. out is empty on
 * failure. */
int card_image_build(const struct image_input *in, const struct scrub_caps *caps, const struct card_image *prev,
                     struct card_image *out, struct scrub_err *err);
/* An image of empty tables (what a card fresh from reset holds). */
int card_image_empty(const struct scrub_caps *caps, struct card_image *out, struct scrub_err *err);
void card_image_free(struct card_image *img);
/* Sorts the EM entries and fills pair_used from the entries (within the
 * extents). */
void card_image_index(struct card_image *img);
/* Sets the extents from the whole tables (after filling them by hand, as
 * a read-back does). */
void card_image_find_extents(struct card_image *img);
/* Whether two images hold the same entries (names and fresh marks aside). */
bool card_image_equal(const struct card_image *a, const struct card_image *b);

/* What makes a slot "in use" in either kind of image. */
bool card_dest_in_use(const struct scrub_dest_entry *e);
bool card_policer_in_use(const struct scrub_policer_entry *e);
/* The policer fields a write sets (tokens, last and reset aside). */
bool card_policer_same(const struct scrub_policer_entry *a, const struct scrub_policer_entry *b);
/* Orders exact-match entries by (tenant, address). */
int card_em_key_cmp(const struct scrub_em_entry *a, const struct scrub_em_entry *b);
/* The counter pair owned by name, or NULL. */
const struct scrub_layout_counter *card_image_counter(const struct card_image *img, const char *name);

/* CFG_ACTIONS from the configuration's card actions. */
uint32_t card_actions_word(const struct scrub_card_actions *c);

#endif
