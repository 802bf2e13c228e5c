/* What the core's files share (scrub_core.h is the API): the core object,
 * the tenants, mitigations and sources loaded from the configuration and
 * the store, and the one way a change reaches the store and the card. */
#ifndef CORE_INTERNAL_H
#define CORE_INTERNAL_H

#include "scrub_core.h"

struct core_tenant {
    char *identity;
    uint16_t id;
    bool configured;
    bool gateway; /* a configured server-domain DOTS gateway */
    bool conflict_newest; /* conflict-policy 'newest' (run-time clients: 'refuse') */
    size_t profile; /* config index; SIZE_MAX when the stored name is not configured */
    char *profile_name;
    struct scrub_prefix *prefixes;
    size_t n_prefixes;
    bool has_quotas;
    struct scrub_store_quotas quotas;
};

struct core_mitigation {
    char *identity, *cuid, *profile, *boot_id, *scope, *cdid;
    int64_t mid, lifetime, created_at, triggered_at, expires_at, expires_boottime_ms, terminating_s;
    bool by_operator;   /* made or last changed by the operator: no DOTS client's */
    int64_t last_drop_at; /* wall clock of the last drop seen, as last saved (scrub_core_activity_save); 0: none */
    char *displaced_by; /* SCRUB_STORE_DISPLACED only: the cuid (and mid) that displaced it */
    int64_t displaced_by_mid;
    enum scrub_store_mitigation_status status;
    struct scrub_prefix *prefixes;
    size_t n_prefixes;
};

/* Whether a mitigation in this state has its entries on the card: an
 * active one, and one its client withdrew during its active-but-terminating
 * period. */
static inline bool core_on_card(enum scrub_store_mitigation_status st)
{
    return st == SCRUB_STORE_ACTIVE || st == SCRUB_STORE_WITHDRAWN;
}

/* A mitigation's strings copied into memory of their own (prefixes left
 * out), and freed; its store record, pointing into it. */
void core_mitigation_copy(const struct core_mitigation *m, struct core_mitigation *out);
void core_mitigation_free_copy(struct core_mitigation *m);
struct scrub_store_mitigation core_mitigation_record(const struct core_mitigation *m);

struct core_source {
    char *tenant, *address, *policer;
    struct scrub_addr addr;
    enum scrub_store_source_action action;
};

/* A mitigation as it was before a group touched it (for an undo). */
struct core_group_saved {
    struct core_mitigation rec; /* a copy (core_mitigation_copy), without prefixes */
    bool existed;
};

/* Group commit (scrub_core_group_begin): the changes since the group
 * began share one store transaction, built and synced at its end. */
struct core_group {
    bool open;
    bool failed; /* the transaction was lost: every change of the group failed (why) */
    struct scrub_err why;
    size_t changes;
    uint32_t added; /* DEST entries (and counter pairs) the group's changes may add, at most */
    struct core_group_saved *saved;
    size_t n_saved, saved_cap;
};

/* What the polls saw of a mitigation's counter pair since it was
 * allocated (the status rule and the average drop rates). */
struct core_activity {
    int64_t drop_ms;             /* CLOCK_BOOTTIME of the last poll that saw its drops rise; 0: none */
    bool offered_rose;           /* over the last poll interval */
    bool dropping;               /* its drops rose over the last poll interval */
    int64_t bucket_k;            /* whole buckets since the trigger at its last sample; 0: none */
    struct scrub_counter bucket; /* its drop totals at that sample */
};

struct scrub_core {
    struct scrub_store *store;
    struct scrub_core_options opt;
    const struct scrub_config *cfg;
    struct scrub_hal *hal; /* NULL while detached */
    struct card_image card; /* what the card holds while attached */
    void (*on_change)(void *ctx); /* scrub_core_on_change */
    void *on_change_ctx;

    /* Loaded from the configuration and the store (core_load). */
    struct core_tenant *tenants;
    size_t n_tenants;
    struct core_mitigation *mits;
    size_t n_mits;
    struct core_source *sources;
    size_t n_sources;
    struct core_data_acls *dacls; /* data_acls.h */
    int64_t next_expiry_ms; /* CLOCK_BOOTTIME of the next lifetime's end; INT64_MAX: none */

    /* The last two counter polls of the mitigations' pairs (by pair). */
    struct scrub_counter *poll_prev, *poll_cur;
    uint8_t *poll_count; /* readings of the pair since it was allocated, up to 2 */
    struct core_activity *activity; /* at each pair's first counter */
    int64_t poll_prev_ms, poll_cur_ms;
    uint32_t poll_pairs;
    uint64_t overflow_packets; /* the card's DROP_OVERFLOW at the last poll */
    bool overflow_known, overflow_rose; /* it rose over the last poll interval */

    struct core_group group;
};

/* ---- core_load.c */
/* Reloads tenants, mitigations and sources (inside or outside a store
 * transaction: it reads what the transaction sees). */
int core_load(struct scrub_core *c, struct scrub_err *err);
void core_unload(struct scrub_core *c);
/* Reloads one mitigation from the store (inside the transaction that
 * wrote it): replaced, added or, when the store no longer has it, removed.
 * Loaded mitigations stay in the store's order, by cuid and mid. */
int core_reload_mitigation(struct scrub_core *c, const char *cuid, int64_t mid, struct scrub_err *err);
const struct core_tenant *core_tenant(const struct scrub_core *c, const char *identity);

/* --- ownership.c */

/* The prefixes as text, space-separated, "..." when they do not fit. */
void core_prefix_list(const struct scrub_prefix *p, size_t n, char *buf, size_t size);
/* 0 when p is t's: inside a prefix t owns and not inside a longer one of
 * a tenant nested in it (which wins there). Else EACCES saying which;
 * what (e.g. "ACL 'a', ACE 'b': destination ") comes before the prefix. */
int core_owns(const struct scrub_core *c, const struct core_tenant *t, const struct scrub_prefix *p, const char *what,
              struct scrub_err *err);
struct core_mitigation *core_mitigation(const struct scrub_core *c, const char *cuid, int64_t mid);
/* The mitigation's scope as stored: the members of extra (a JSON object,
 * or NULL) with "target-prefix" set to p; malloc'ed, NULL when extra is
 * not an object or memory ran out. */
char *core_scope_json(const struct scrub_prefix *p, size_t n, const char *extra);
/* The counters' name of a mitigation ("mitigation cuid/mid"). */
void core_mitigation_name(const char *cuid, int64_t mid, char *buf, size_t size);
/* The index of a profile or policer by name, or -1. */
long core_profile_index(const struct scrub_config *cfg, const char *name);
long core_policer_index(const struct scrub_config *cfg, const char *name);

/* ---- activity.c: what the counter polls say of each mitigation */
/* After a poll read the pairs: drops seen, traffic offered, buckets. */
void core_activity_poll(struct scrub_core *c, const struct scrub_core_clock *now);
/* Its state by the status rule (scrub_core.h); without from_polls only
 * from the store (an active one is in progress), which costs no lookups. */
enum scrub_mitigation_state core_mitigation_state(const struct scrub_core *c, const struct core_mitigation *m,
                                                  const struct scrub_core_clock *now, bool from_polls);
/* Its average drop rates into out (dropped totals filled in already). */
void core_activity_averages(const struct scrub_core *c, const struct core_mitigation *m,
                            const struct scrub_core_clock *now, struct scrub_traffic *out);
/* The ACLs of its cuid attacking its targets through the accept-list over
 * the last poll interval (the rule in docs/dots.md "Accept-list
 * conflicts"): *out malloc'ed (NULL when none), *n of them, their strings
 * the loaded ACLs'. -1 when memory ran out. */
int core_acceptlist_conflicts(const struct scrub_core *c, const struct core_mitigation *m,
                              struct scrub_acl_ref **out, size_t *n);

/* ---- core_clock.c */
void core_now(const struct scrub_core *c, struct scrub_core_clock *now);
/* The monotonic guard: within the boot it was computed in, CLOCK_BOOTTIME
 * decides; after a reboot the wall clock does. */
bool core_expired(const struct core_mitigation *m, const struct scrub_core_clock *now);
/* ms on CLOCK_BOOTTIME until its end (0 if past); INT64_MAX for indefinite. */
int64_t core_remaining_ms(const struct core_mitigation *m, const struct scrub_core_clock *now);

/* ---- core.c */
/* The desired image of what is loaded, against what the card holds. */
int core_build(struct scrub_core *c, struct card_image *out, struct scrub_err *err);
/* The same with every data-channel ACL that is not deactivated on, as if
 * all clients were mitigating (all_acls: the fit check of an ACL change). */
int core_build_image(struct scrub_core *c, bool all_acls, struct card_image *out, struct scrub_err *err);

/* One change: do() writes it into an open store transaction; undo() puts
 * back what was there (a second transaction, when the card refuses). See
 * scrub_core.h for the order. what: the audit log's text. */
struct core_key {
    const char *cuid;
    int64_t mid;
};
struct core_change {
    const char *what;
    /* When do_it writes these mitigations and nothing else, only they are
     * reloaded from the store after it; NULL: everything is. */
    const struct core_key *mitigations;
    size_t n_mitigations;
    bool reloads; /* do_it leaves what is loaded equal to the store itself */
    int (*do_it)(struct scrub_core *c, void *ctx, struct scrub_err *err);
    int (*undo)(struct scrub_core *c, void *ctx, struct scrub_err *err);
    void *ctx;
    struct card_image *before; /* if not NULL: receives the image before the change (names of freed pairs) */
    struct card_final **finals; /* if not NULL: the freed pairs' final values */
    size_t *n_finals;
};
int core_change(struct scrub_core *c, const struct scrub_actor *a, struct core_change *ch, struct scrub_err *err);
/* What is loaded made equal to the store after ch->do_it: its mitigations,
 * or everything. */
int core_reload(struct scrub_core *c, const struct core_change *ch, struct scrub_err *err);
int core_audit(struct scrub_core *c, const struct scrub_actor *a, const char *what, const char *result,
               struct scrub_err *err);
/* The card synced to want: it becomes the current image (the previous
 * one goes to before, if not NULL, else is freed), fresh pairs have no
 * readings yet, and on_change is told. */
void core_synced(struct scrub_core *c, struct card_image *want, struct card_image *before);
/* Loads the store again, reads the card back and syncs it to them (after
 * the card refused a sync and the store was put back). */
int core_resync_card(struct scrub_core *c, struct scrub_err *err);
/* Audits a refusal (its own transaction, or the open group's) and returns -1 with err as is. */
int core_refuse(struct scrub_core *c, const struct scrub_actor *a, const char *what, struct scrub_err *err);
/* Refuses while no card is attached. */
int core_need_card(struct scrub_core *c, const struct scrub_actor *a, const char *what, struct scrub_err *err);

/* ---- core_group.c */
/* A change made while a group is open (core_change hands it over). */
int core_group_change(struct scrub_core *c, const struct scrub_actor *a, struct core_change *ch,
                      struct scrub_err *err);
/* The group's transaction is lost: every change of it fails with why. */
void core_group_fail(struct scrub_core *c, const struct scrub_err *why);

#endif
