#include "card_readback.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Entries per transaction: bounds the op list (an entry read is about 40
 * ops) whatever the table's size. */
#define CHUNK 256u

typedef void (*unpack_fn)(struct card_image *img, uint32_t index, const scrub_words w);

static void put_dest(struct card_image *img, uint32_t i, const scrub_words w)
{
    scrub_dest_unpack(w, &img->dest[i]);
}

static void put_acl(struct card_image *img, uint32_t i, const scrub_words w)
{
    scrub_acl_unpack(w, &img->acl[i]);
}

static void put_policer(struct card_image *img, uint32_t i, const scrub_words w)
{
    scrub_policer_unpack(w, &img->policers[i]);
}

static void put_em(struct card_image *img, uint32_t i, const scrub_words w)
{
    (void)i;
    struct scrub_em_entry e;
    scrub_em_unpack(w, &e);
    if (e.valid)
        img->em[img->n_em++] = e;
}

static int read_table(struct scrub_hal *h, uint32_t table, const char *name, uint32_t n, unsigned words,
                      struct card_image *img, unpack_fn put, struct scrub_err *err)
{
    struct scrub_hal_txn t;
    scrub_txn_init(&t);
    size_t first[CHUNK];
    int rc = 0;
    for (uint32_t at = 0; rc == 0 && at < n; at += CHUNK) {
        uint32_t k = n - at < CHUNK ? n - at : CHUNK;
        scrub_txn_reset(&t);
        for (uint32_t i = 0; i < k; i++)
            first[i] = scrub_txn_table_read(&t, table, at + i, words);
        rc = scrub_hal_run(h, &t, err);
        if (rc) {
            scrub_err_prefix(err, "reading the card's %s table back (entries %u..%u)", name, at, at + k - 1);
            break;
        }
        for (uint32_t i = 0; i < k; i++) {
            scrub_words w = {0};
            for (unsigned x = 0; x < words; x++)
                w[x] = t.ops[first[i] + x].value;
            put(img, at + i, w);
        }
    }
    scrub_txn_free(&t);
    return rc;
}

/* The exact-match table is large and mostly empty: a first pass reads each
 * slot's VALID word only, a second the valid slots whole. */
static int read_em(struct scrub_hal *h, uint32_t slots, struct card_image *img, struct scrub_err *err)
{
    uint32_t *valid = malloc((slots ? slots : 1) * sizeof(*valid));
    if (!valid)
        return scrub_err_set(err, ENOMEM, "out of memory reading the card back");
    uint32_t n_valid = 0;
    struct scrub_hal_txn t;
    scrub_txn_init(&t);
    size_t op[CHUNK];
    int rc = 0;
    for (uint32_t at = 0; rc == 0 && at < slots; at += CHUNK) {
        uint32_t k = slots - at < CHUNK ? slots - at : CHUNK;
        scrub_txn_reset(&t);
        for (uint32_t i = 0; i < k; i++) {
            scrub_txn_table_read(&t, SCRUB_TABLE_EM, at + i, 0);
            op[i] = scrub_txn_read(&t, SCRUB_REG_TBL_DATA + 4 * SCRUB_EM_VALID_WORD);
        }
        rc = scrub_hal_run(h, &t, err);
        if (rc)
            scrub_err_prefix(err, "reading the card's EM table back (slots %u..%u)", at, at + k - 1);
        for (uint32_t i = 0; rc == 0 && i < k; i++)
            if (t.ops[op[i]].value >> SCRUB_EM_VALID_LSB & 1)
                valid[n_valid++] = at + i;
    }
    for (uint32_t at = 0; rc == 0 && at < n_valid; at += CHUNK) {
        uint32_t k = n_valid - at < CHUNK ? n_valid - at : CHUNK;
        scrub_txn_reset(&t);
        for (uint32_t i = 0; i < k; i++)
            op[i] = scrub_txn_table_read(&t, SCRUB_TABLE_EM, valid[at + i], SCRUB_TABLE_EM_WORDS);
        rc = scrub_hal_run(h, &t, err);
        if (rc)
            scrub_err_prefix(err, "reading the card's EM entries back");
        for (uint32_t i = 0; rc == 0 && i < k; i++) {
            scrub_words w = {0};
            for (unsigned x = 0; x < SCRUB_TABLE_EM_WORDS; x++)
                w[x] = t.ops[op[i] + x].value;
            put_em(img, valid[at + i], w);
        }
    }
    scrub_txn_free(&t);
    free(valid);
    return rc;
}

static int readback(struct scrub_hal *h, bool with_em, struct card_image *out, struct scrub_err *err)
{
    const struct scrub_caps *c = &h->caps;
    if (card_image_empty(c, out, err))
        return -1;
    uint32_t em_slots = with_em ? c->em_ways * c->em_buckets * c->em_slots + c->em_stash : 0;
    struct scrub_em_entry *em = realloc(out->em, (em_slots ? em_slots : 1) * sizeof(*em));
    if (!em) {
        card_image_free(out);
        return scrub_err_set(err, ENOMEM, "out of memory reading the card back");
    }
    out->em = em;
    struct scrub_hal_txn t;
    scrub_txn_init(&t);
    size_t op = scrub_txn_read(&t, SCRUB_REG_CFG_ACTIONS);
    int rc = scrub_hal_run(h, &t, err);
    if (rc == 0)
        out->cfg_actions = t.ops[op].value;
    else
        scrub_err_prefix(err, "reading CFG_ACTIONS back");
    scrub_txn_free(&t);
    if (rc == 0)
        rc = read_table(h, SCRUB_TABLE_DEST, "DEST", c->dest, SCRUB_TABLE_DEST_WORDS, out, put_dest, err);
    if (rc == 0)
        rc = read_table(h, SCRUB_TABLE_ACL, "ACL", c->acl, SCRUB_TABLE_ACL_WORDS, out, put_acl, err);
    if (rc == 0)
        rc = read_table(h, SCRUB_TABLE_POLICER, "POLICER", c->policers, SCRUB_TABLE_POLICER_WORDS, out, put_policer,
                        err);
    if (rc == 0)
        rc = read_em(h, em_slots, out, err);
    if (rc) {
        card_image_free(out);
        return -1;
    }
    card_image_find_extents(out);
    card_image_index(out);
    return 0;
}

int card_readback(struct scrub_hal *h, struct card_image *out, struct scrub_err *err)
{
    return readback(h, true, out, err);
}

int card_readback_shadow(struct scrub_hal *h, struct card_image *out, struct scrub_err *err)
{
    return readback(h, false, out, err);
}
