/* The appliance's core API: tenants, mitigations, run-time clients and
 * source entries, kept in the store and made true on the card through one
 * path (a desired card image, card_image.h, and a sync, card_sync.h).
 * The control socket is its first user; the DOTS signal and data channels
 * call the same functions. docs/mitigations.md states the semantics.
 *
 * Every change runs in this order: checks (authorization, quotas,
 * conflicts, fit on the card) → store transaction with its audit record
 * (durable) → card sync → return 0 (the caller acknowledges). When the
 * card refuses the sync, a second store transaction puts back what was
 * there before (audited as refused), the card is read back and synced to
 * it, and the call fails saying so. A refusal is audited too. While the
 * card is not attached every change is refused and nothing is stored.
 *
 * One struct scrub_core is used by one thread (the daemon's event loop). */
#ifndef SCRUB_CORE_H
#define SCRUB_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "card_image.h"
#include "card_sync.h"
#include "scrub_config.h"
#include "scrub_hal.h"
#include "scrub_prefix.h"
#include "scrub_store.h"

struct scrub_core;

/* The clocks lifetimes are kept on (tests give their own). */
struct scrub_core_clock {
    int64_t wall_s;      /* CLOCK_REALTIME */
    int64_t boottime_ms; /* CLOCK_BOOTTIME */
    char boot_id[40];    /* /proc/sys/kernel/random/boot_id */
};

struct scrub_core_options {
    int64_t max_lifetime_s; /* the longest lifetime granted (an indefinite one too); 0: no cap */
    /* A mitigation whose drops stopped this long is "stopped" (seconds; 0:
     * SCRUB_QUIET_DEFAULT_S). */
    int64_t quiet_s;
    /* The buckets its average drop rates are measured in (seconds; 0:
     * SCRUB_BUCKET_DEFAULT_S, the DOTS module's five minutes). */
    int64_t bucket_s;
    void (*clock)(void *ctx, struct scrub_core_clock *now); /* NULL: the system's */
    void *clock_ctx;
};

/* Who asks, for authorization and the audit log. An operator (the control
 * socket) may use operator-only profiles and act on any client's
 * mitigations; a client (a DOTS identity) only on its own. */
struct scrub_actor {
    enum scrub_store_who kind;
    const char *who; /* "uid 1000 (alice)", a certificate identity */
    enum scrub_store_channel channel;
    bool operator;
};

struct scrub_core *scrub_core_new(struct scrub_store *store, const struct scrub_core_options *opt,
                                  struct scrub_err *err);
void scrub_core_free(struct scrub_core *c);

/* Sets the running configuration (borrowed: it must live until replaced).
 * With a card attached, the card is synced to it; refused (and the old one
 * kept) when the configuration and what is stored do not fit together:
 * a mitigation's profile gone, the card too small, tenant ids colliding. */
int scrub_core_set_config(struct scrub_core *c, const struct scrub_config *cfg, struct scrub_err *err);

/* Takes a card (borrowed until scrub_core_detach): reads the card back,
 * expires what expired meanwhile, builds the desired image from the
 * configuration and the store and applies only the difference. A card
 * fresh from reset (CTRL.ENABLE 0, COMMIT_COUNT 0) is taken as empty
 * without reading it, and programmed whole. st, if not NULL, says what was
 * written. */
int scrub_core_attach(struct scrub_core *c, struct scrub_hal *h, struct card_sync_stats *st, struct scrub_err *err);
/* The card was lost: changes are refused until the next attach. */
void scrub_core_detach(struct scrub_core *c);
/* fn (one; NULL: none) is called after every change that reached the
 * card and the store: a mitigation put, withdrawn, expired or triggered, a
 * client or a source changed (the DOTS Observe notifications). */
void scrub_core_on_change(struct scrub_core *c, void (*fn)(void *ctx), void *ctx);
/* What the card holds (NULL while detached). */
const struct card_image *scrub_core_image(const struct scrub_core *c);

/* ---- group commit
 *
 * Changes that arrive together (the requests one pass of the daemon's loop
 * reads) may share one store commit, one image build and one card sync:
 * scrub_core_group_begin, the changes, scrub_core_group_end. Inside a group
 * only mitigation puts, withdrawals without final totals, triggers and
 * expiries are allowed (anything else fails with EINVAL). Each is checked
 * when it is made (authorization, quotas, conflicts, mids, the room on the
 * card) and a refusal is its own; an accepted one returns 0 but is durable
 * and on the card only when scrub_core_group_end has returned 0, so its
 * caller acknowledges it then and not before. When group_end fails, no
 * change of the group is in the store or on the card, and err says why.
 * Lookups and lists inside a group see its changes; on_change is called
 * once, at the end. */
void scrub_core_group_begin(struct scrub_core *c); /* groups do not nest */
/* The changes the open group holds (0 when none is open). */
size_t scrub_core_group_size(const struct scrub_core *c);
int scrub_core_group_end(struct scrub_core *c, struct scrub_err *err);

/* ---- tenants: configured ones (identity = the tenant's name) and clients
 * added at run time (the store). */

struct scrub_tenant_view {
    const char *identity;
    uint16_t tenant_id;
    bool configured; /* from the configuration file, else added at run time */
    const char *profile;
    const struct scrub_prefix *prefixes; /* owned */
    size_t n_prefixes;
    bool has_quotas; /* run-time clients have quotas; configured tenants are bounded by the card alone */
    struct scrub_store_quotas quotas;
    uint32_t mitigations, sources; /* in use */
};
/* Whether identity is a tenant (configured or added at run time). */
bool scrub_core_knows(const struct scrub_core *c, const char *identity);
/* Whether identity is a tenant configured as a server-domain DOTS gateway. */
bool scrub_core_is_gateway(const struct scrub_core *c, const char *identity);
/* The DOTS sessions the client may hold at once: its sessions quota (a
 * run-time client's), else UINT32_MAX (the signal channel's own cap
 * applies). */
uint32_t scrub_core_session_quota(const struct scrub_core *c, const char *identity);
typedef int (*scrub_tenant_fn)(void *ctx, const struct scrub_tenant_view *t);
int scrub_core_tenants_each(struct scrub_core *c, scrub_tenant_fn fn, void *ctx, struct scrub_err *err);

struct scrub_client_req {
    const char *identity;
    const char *profile; /* the default profile, by name */
    struct scrub_store_quotas quotas;
    const struct scrub_prefix *prefixes;
    size_t n_prefixes;
};
/* Refused when the identity exists (configured or added), a prefix overlaps
 * one another tenant owns, the profile does not exist, or the tenant ids
 * are used up. */
int scrub_core_client_add(struct scrub_core *c, const struct scrub_actor *a, const struct scrub_client_req *r,
                          struct scrub_err *err);
/* Removes a run-time client with its source entries; its mitigations are
 * withdrawn when withdraw is set, else their presence refuses it (naming
 * them). *withdrawn: how many were. */
int scrub_core_client_remove(struct scrub_core *c, const struct scrub_actor *a, const char *identity, bool withdraw,
                             size_t *withdrawn, struct scrub_err *err);

/* ---- mitigations */

/* RFC 9133's filter control: a data-channel ACL of the request's cuid,
 * by name, and the activation-type it gets. */
struct scrub_acl_activation {
    const char *name;
    enum scrub_store_activation activation;
};

struct scrub_mitigation_req {
    const char *identity;
    const char *cuid;
    const char *cdid; /* the client domain a gateway relays (RFC 9132); NULL: none. Gateways only (EACCES) */
    int64_t mid; /* 0..2^32-1; -1: one above the cuid's highest */
    const struct scrub_prefix *prefixes;
    size_t n_prefixes;
    const char *profile; /* NULL: the client's default */
    int64_t lifetime;    /* seconds, SCRUB_STORE_LIFETIME_INDEFINITE or > 0 */
    bool trigger;        /* false: stored, installed only when triggered (DOTS trigger-mitigation) */
    /* The DOTS scope's other members as a JSON object (target-port-range,
     * target-protocol...), kept with the mitigation and given back in its
     * view; NULL: none. They narrow nothing: the card applies the profile
     * to the whole prefixes. */
    const char *scope_extra;
    /* RFC 9133: ACLs of the cuid whose activation-type changes in the
     * same store commit and card sync as the mitigation (audited with it,
     * on the actor's channel). Refused (EINVAL, nothing changed) when one
     * is not an ACL of the cuid, is named twice, or when the request is in
     * idle time: it does not leave the mitigation active (trigger false).
     * A switch on counts against the client's acl_entries quota (EDQUOT)
     * and needs the card's room (ENOSPC). A request with any is not
     * allowed inside a group of changes (EINVAL): end the group first. */
    const struct scrub_acl_activation *acls;
    size_t n_acls;
};

enum scrub_conflict_cause {
    SCRUB_CONFLICT_NONE,
    SCRUB_CONFLICT_OVERLAP, /* overlapping prefixes (EBUSY) */
    SCRUB_CONFLICT_CUID,    /* the cuid belongs to another identity (EEXIST) */
};

#define SCRUB_CONFLICT_PREFIXES 8

struct scrub_mitigation_granted {
    int64_t mid;
    int64_t lifetime; /* after the server's cap */
    bool created;     /* false: an update of an existing (cuid, mid) */
    size_t replaced;  /* lower mids of the same cuid it replaced */
    size_t displaced; /* other clients' mitigations it displaced (conflict-policy newest) */
    /* On a refusal for a conflict: why; with an overlap, the other
     * mitigation's mid (else -1), whether it is another client's (cuid) of
     * the identity, the seconds left of it (retry-timer; -1: indefinite)
     * and its prefixes that overlap the request's (the first
     * SCRUB_CONFLICT_PREFIXES). */
    enum scrub_conflict_cause conflict;
    int64_t conflict_mid;
    bool conflict_other_client;
    int64_t conflict_retry_s;
    struct scrub_prefix conflict_prefixes[SCRUB_CONFLICT_PREFIXES];
    size_t n_conflict_prefixes;
};

/* Creates or updates (same cuid and mid: make-before-break, one commit).
 * RFC 9132's mid rule: a request whose prefixes overlap those of a lower
 * mid of the same cuid replaces it in the same commit; one that overlaps a
 * higher mid of the same cuid is refused (EBUSY, conflict_mid). A cuid
 * another identity uses is refused (EEXIST).
 *
 * Conflicts between DOTS clients of one identity (docs/mitigations.md): a
 * client's request (not the operator's) that is to be active and overlaps
 * an active mitigation of another of the identity's cuids (not one the
 * operator made) is refused (EBUSY) under the tenant's conflict-policy
 * 'refuse'; under 'newest' it is accepted and those mitigations are
 * displaced in the same commit (off the card, SCRUB_STORE_DISPLACED). A
 * displaced (cuid, mid) asked for again is refused (EBUSY) while what
 * displaced it is active; after that it is a request like any other.
 * g, if not NULL, is filled on success and on a conflict refusal. */
int scrub_core_mitigation_put(struct scrub_core *c, const struct scrub_actor *a, const struct scrub_mitigation_req *r,
                              struct scrub_mitigation_granted *g, struct scrub_err *err);

#define SCRUB_QUIET_DEFAULT_S 300
#define SCRUB_BUCKET_DEFAULT_S 300

struct scrub_traffic {
    struct scrub_counter offered, dropped; /* totals since the mitigation was installed */
    bool rates_known;
    double offered_pps, offered_bps, dropped_pps, dropped_bps; /* over the last poll interval */
    /* The average drop rates since it was triggered, over whole buckets
     * (bucket_s): what was dropped in the buckets complete at the last
     * poll, over their time; before the first one is complete, the totals
     * over the time since it was triggered. Bytes and packets a second. */
    uint64_t avg_dropped_bytes_s, avg_dropped_packets_s;
    int64_t avg_buckets; /* whole buckets the averages cover; 0: the partial first one */
};

/* What a mitigation does, from the store and the counter polls
 * (docs/dots.md states the rule; the DOTS status in parentheses). */
enum scrub_mitigation_state {
    SCRUB_MIT_WAITING,     /* stored, waiting for its trigger (8) */
    SCRUB_MIT_IN_PROGRESS, /* on the card, no drop seen since scrubd started (1) */
    SCRUB_MIT_MITIGATED,   /* a poll saw its drops rise, less than quiet_s ago (2) */
    SCRUB_MIT_STOPPED,     /* it dropped, then no drops for quiet_s (3) */
    SCRUB_MIT_EXCEEDED,    /* a prefix without its entry on the card, or the card's output FIFO overflowed
                              over the last poll interval while its traffic rose (4) */
    SCRUB_MIT_TERMINATING, /* withdrawn by its client, on the card until its period ends (5) */
    SCRUB_MIT_DISPLACED,   /* another client's newer request displaced it: off the card (7) */
};

/* RFC 9132 section 4.4.4: an active-but-terminating period grows (doubled
 * when the client asks again during one) up to 300 s, or the configured
 * period when that is longer. */
#define SCRUB_TERMINATING_MAX_S 300

/* Withdraws; final (if not NULL) gets its totals, read after the commit
 * that removed its entries. */
int scrub_core_mitigation_withdraw(struct scrub_core *c, const struct scrub_actor *a, const char *cuid, int64_t mid,
                                   struct scrub_traffic *final, struct scrub_err *err);
/* A client's withdrawal (RFC 9132 section 4.4.4): the mitigation stays on
 * the card, stored as withdrawn, for an active-but-terminating period, then
 * ends as an expiry does (scrub_core_expire), a restart meanwhile included.
 * The period is period_s, or twice the last one when the client asked for
 * it again during one (up to SCRUB_TERMINATING_MAX_S or period_s, the
 * larger), and never beyond its lifetime. A put of the same (cuid, mid)
 * meanwhile makes it active again. *granted_s: the seconds it stays. With
 * period_s 0, or a mitigation not on the card (waiting for its trigger), it
 * is withdrawn at once; one in its period already keeps it. */
int scrub_core_mitigation_terminate(struct scrub_core *c, const struct scrub_actor *a, const char *cuid, int64_t mid,
                                    int64_t period_s, int64_t *granted_s, struct scrub_err *err);

/* An ACL of the data channel by name and type (as its client wrote them;
 * type NULL when it has none). */
struct scrub_acl_ref {
    const char *name, *type;
};

struct scrub_mitigation_view {
    const char *identity, *cuid, *profile;
    const char *cdid; /* NULL: not through a gateway */
    int64_t mid;
    enum scrub_store_mitigation_status status;
    int64_t lifetime, created_at, triggered_at, expires_at;
    int64_t remaining_s; /* -1: indefinite */
    const struct scrub_prefix *prefixes;
    size_t n_prefixes;
    const char *scope; /* the stored scope: target-prefix and the request's scope_extra */
    bool installed;  /* its DEST entries are on the card */
    /* By the status rule with_traffic; without, only from the store: an
     * active one is SCRUB_MIT_IN_PROGRESS. */
    enum scrub_mitigation_state state;
    struct scrub_traffic traffic; /* with_traffic only */
    /* with_traffic only: the ACLs of its cuid whose accept ACEs (without
     * rate-limit, overlapping its targets) matched packets over the last
     * counter poll while it dropped: RFC 9132's conflict-with-acceptlist
     * (docs/dots.md "Accept-list conflicts"). */
    const struct scrub_acl_ref *acceptlist_conflicts;
    size_t n_acceptlist_conflicts;
    /* SCRUB_MIT_DISPLACED only: the cuid and mid that displaced it, the seconds
     * that one has left (-1: indefinite, or it is gone) and that one's
     * prefixes (valid during the call). */
    const char *displaced_by; /* NULL: not displaced */
    int64_t displaced_by_mid, displaced_retry_s;
    const struct scrub_prefix *displaced_by_prefixes;
    size_t n_displaced_by_prefixes;
    /* The prefixes of the mitigations it displaced (valid during the
     * call); none: it displaced none. */
    const struct scrub_prefix *displacing_prefixes;
    size_t n_displacing_prefixes;
};
typedef int (*scrub_mitigation_fn)(void *ctx, const struct scrub_mitigation_view *m);
/* Every mitigation of identity (NULL: all) by cuid and mid; with_traffic
 * takes a counter snapshot first and reads each one's counters. */
int scrub_core_mitigations_each(struct scrub_core *c, const char *identity, bool with_traffic,
                                scrub_mitigation_fn fn, void *ctx, struct scrub_err *err);

/* Whether identity has a mitigation on the card (active, or in its
 * active-but-terminating period), as loaded. */
bool scrub_core_mitigating(const struct scrub_core *c, const char *identity);

/* The signal with identity was lost: its mitigations waiting for that
 * (trigger false) become active, in one change. Returns how many, or -1.
 * They stay active when the signal comes back (withdrawal or expiry ends
 * them). */
int scrub_core_mitigations_trigger(struct scrub_core *c, const struct scrub_actor *a, const char *identity,
                                   struct scrub_err *err);

/* Withdraws the mitigations whose lifetime or active-but-terminating
 * period ended (the monotonic guard of docs/store.md decides): one store
 * transaction, one sync. Returns how
 * many expired, or -1. Cheap when nothing is due. */
int scrub_core_expire(struct scrub_core *c, struct scrub_err *err);

/* Takes a snapshot and reads the counters of every installed mitigation
 * and data-channel ACE, keeping the last two readings for rates and the
 * accept-list conflicts, when each mitigation last saw drops and its drop
 * totals at its last whole bucket, and the card's output FIFO overflows
 * (the daemon's poll timer). */
int scrub_core_poll(struct scrub_core *c, struct scrub_err *err);

/* Saves when each mitigation on the card last dropped (what has changed
 * since the last save: one store transaction, no audit record, nothing on
 * the card), so that its status after a restart of scrubd is 2 or 3, not 1,
 * until the polls see more (the daemon saves every minute and when it
 * stops). */
int scrub_core_activity_save(struct scrub_core *c, struct scrub_err *err);

/* ---- source entries added at run time */

struct scrub_source_req {
    const char *tenant; /* an identity */
    struct scrub_addr addr;
    enum scrub_store_source_action action;
    const char *policer; /* by name when policed; a single policer (no per-source group) */
};
int scrub_core_source_put(struct scrub_core *c, const struct scrub_actor *a, const struct scrub_source_req *r,
                          struct scrub_err *err);
int scrub_core_source_remove(struct scrub_core *c, const struct scrub_actor *a, const char *tenant,
                             const struct scrub_addr *addr, struct scrub_err *err);

/* ---- data-channel ACLs (RFC 8783), per DOTS client (cuid)
 *
 * A registered dots-client's ACLs, ordered by user, each an RFC 8783 acl
 * object in JSON (name, type, activation-type, aces) as the client sent
 * it. Each ACE becomes card ACL entries (host/rules/acl_compile.h) that
 * match the owner's tenant id, so they apply to its traffic only, placed
 * before every profile's rules (a tenant's data-channel entries decide
 * before its profile does); drop, accept, and accept with rate-limit (a
 * byte policer of the ACE's own). activation-type: immediate is always on
 * the card, activate-when-mitigating while the cuid has an active
 * mitigation, deactivate never. Tenant safety: an ACE's destination must
 * lie inside the owner's prefixes (EACCES naming the ACE and the
 * prefix). A run-time client's quota acl_entries counts card entries
 * after expansion of its ACLs that are not deactivated; the card must
 * hold all of those at once (a mitigation that switches them on never
 * finds it full). A request that does not fit is refused whole (EDQUOT,
 * ENOSPC) saying what it needs and the room left. */

/* RFC 8783's pending-lifetime of an ACL that is not refreshed: 10080
 * minutes (a week; the fact sheet's I9, unverified). */
#define SCRUB_DATA_ACL_LIFETIME_S (10080 * 60)

/* Where the request's ACLs go among the cuid's others (RFC 8040 section
 * 4.8.5's insert, with point an ACL of the cuid): by default new ones
 * after the others and replaced ones where they were; otherwise all of
 * them, in the request's order, as one block first, last, or before or
 * after point. */
enum scrub_data_insert {
    SCRUB_DATA_INSERT_DEFAULT,
    SCRUB_DATA_INSERT_FIRST,
    SCRUB_DATA_INSERT_LAST,
    SCRUB_DATA_INSERT_BEFORE,
    SCRUB_DATA_INSERT_AFTER,
};

struct scrub_data_acls_req {
    const char *cuid;
    const char *const *acls; /* JSON acl objects */
    size_t n_acls;
    bool create; /* refused (EEXIST) when one of them exists; else create or replace */
    /* Seconds until they expire unless put again (a PUT refreshes): 0 the
     * default SCRUB_DATA_ACL_LIFETIME_S, -1 never. */
    int64_t lifetime_s;
    enum scrub_data_insert insert;
    const char *point; /* BEFORE, AFTER: the ACL's name */
};

struct scrub_data_acls_result {
    size_t created, replaced;
};

/* Placed as insert says; the cuid's other ACLs that move keep all else. */
int scrub_core_data_acls_put(struct scrub_core *c, const struct scrub_actor *a, const struct scrub_data_acls_req *r,
                             struct scrub_data_acls_result *res, struct scrub_err *err);
/* Deletes the ACLs whose lifetime ended (on the wall clock), in one
 * change audited as the daemon; returns how many, or -1. */
int scrub_core_data_acls_expire(struct scrub_core *c, struct scrub_err *err);
/* Deletes one ACL (ENOENT if none), or with name NULL all of the cuid's. */
int scrub_core_data_acl_delete(struct scrub_core *c, const struct scrub_actor *a, const char *cuid, const char *name,
                               struct scrub_err *err);

struct scrub_data_ace_view {
    const char *name;
    size_t n_entries; /* card entries after expansion */
    bool installed;
    bool counters_known; /* with_counters and installed */
    struct scrub_counter matched; /* packets and bytes its entries decided (the card's ACE counter pair) */
};

struct scrub_data_acl_view {
    const char *cuid, *identity, *name;
    const char *body; /* as stored */
    enum scrub_store_activation activation;
    int64_t position;
    int64_t pending_lifetime_s; /* until it expires; -1: never */
    bool installed; /* its entries are on the card now */
    size_t n_entries;
    const char *problem; /* a stored ACL that no longer compiles: why (it is off the card); else NULL */
    const struct scrub_data_ace_view *aces;
    size_t n_aces;
};
typedef int (*scrub_data_acl_fn)(void *ctx, const struct scrub_data_acl_view *v);
/* The ACLs of cuid (NULL: all), or only the one named (NULL: every one),
 * in order; with_counters takes a counter snapshot first. */
int scrub_core_data_acls_each(struct scrub_core *c, const char *cuid, const char *name, bool with_counters,
                              scrub_data_acl_fn fn, void *ctx, struct scrub_err *err);

/* ---- data-channel aliases (RFC 8783), per DOTS client (cuid)
 *
 * A registered dots-client's named sets of targets, each an RFC 8783 alias
 * object in JSON (name, target-prefix, target-port-range, target-protocol,
 * target-fqdn, target-uri) as the client sent it, kept in the store with
 * an audit record before the call returns. They do not touch the card: a
 * mitigation request names an alias (the signal channel's alias-name) and
 * gets its targets. Tenant safety: every target-prefix lies inside the
 * owner's prefixes (EACCES naming the prefix). An alias names at least one
 * target-prefix, target-fqdn or target-uri (EINVAL); names are kept, not
 * resolved (the card has no resolver). A run-time client's quota aliases
 * counts the aliases of all its cuids (EDQUOT). An alias lives
 * SCRUB_DATA_ALIAS_LIFETIME_S from its last POST or PUT. */

/* RFC 8783's pending-lifetime of an alias, as for an ACL. */
#define SCRUB_DATA_ALIAS_LIFETIME_S SCRUB_DATA_ACL_LIFETIME_S

struct scrub_data_aliases_req {
    const char *cuid;
    const char *const *aliases; /* JSON alias objects */
    size_t n_aliases;
    bool create; /* refused (EEXIST) when one of them exists; else create or replace */
};

struct scrub_data_aliases_result {
    size_t created, replaced;
};

/* All of them in one commit, or none. */
int scrub_core_data_aliases_put(struct scrub_core *c, const struct scrub_actor *a,
                                const struct scrub_data_aliases_req *r, struct scrub_data_aliases_result *res,
                                struct scrub_err *err);
/* Deletes one alias (ENOENT if none), or with name NULL all of the cuid's. */
int scrub_core_data_alias_delete(struct scrub_core *c, const struct scrub_actor *a, const char *cuid,
                                 const char *name, struct scrub_err *err);
/* Deletes the aliases whose lifetime ended, in one commit audited as the
 * daemon; returns how many, or -1. */
int scrub_core_data_aliases_expire(struct scrub_core *c, struct scrub_err *err);

struct scrub_data_alias_view {
    const char *cuid, *name;
    const char *body; /* as stored */
    int64_t pending_lifetime_s;
    const struct scrub_prefix *prefixes; /* its target-prefix entries */
    size_t n_prefixes;
    size_t n_fqdns, n_uris; /* its target-fqdn and target-uri entries (not resolved) */
};
typedef int (*scrub_data_alias_fn)(void *ctx, const struct scrub_data_alias_view *v);
/* The aliases of cuid, or only the one named (NULL: every one), by name;
 * ended ones are left out. With identity not NULL, none unless identity
 * owns the cuid (the signal channel's alias-name). fn's non-zero return
 * stops the walk and is returned. */
int scrub_core_data_aliases_each(struct scrub_core *c, const char *identity, const char *cuid, const char *name,
                                 scrub_data_alias_fn fn, void *ctx, struct scrub_err *err);

/* What the data channel may promise (RFC 8783 section 7.4): what the card
 * matches and does, as the compiler uses it. */
struct scrub_data_capabilities {
    bool ipv4, ipv6;
    bool accept, drop, rate_limit;
    bool protocol, dscp, length, source_prefix, destination_prefix, fragment;
    bool tcp_flags_bitmask, source_port, destination_port;
    bool icmp_type, icmp_code;
};
int scrub_core_data_capabilities(const struct scrub_core *c, struct scrub_data_capabilities *out,
                                 struct scrub_err *err);

#endif
