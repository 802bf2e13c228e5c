/* The daemon's durable store: one SQLite file (WAL, synchronous=FULL,
 * foreign keys) holding every accepted change, so that scrubd can restart
 * and reprogram or reconcile the card from it (docs/store.md).
 *
 * Changes run in explicit transactions: scrub_store_begin, any number of
 * operations, scrub_store_commit. Several accepted changes may share one
 * commit (group commit); none is acknowledged before scrub_store_commit has
 * returned, which is when SQLite has made it durable. An operation that
 * fails rolls the whole transaction back and says so; the caller begins
 * again. Reads (the *_each and *_get calls) work inside or outside a
 * transaction.
 *
 * Times are wall-clock seconds since the Unix epoch unless a name says
 * otherwise. Strings given to the store are copied; strings handed to a
 * callback live until the callback returns. A callback must not call
 * the store: a listing's statement is reused, not nested, and a failure
 * elsewhere would reset it.
 *
 * One struct scrub_store is used by one thread. scrub_store_backup opens
 * its own connection and may run in another thread or process while the
 * daemon writes. */
#ifndef SCRUB_STORE_H
#define SCRUB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scrub_err.h"

struct scrub_store;

/* The schema version this code writes (PRAGMA user_version). */
int scrub_store_schema_version(void);

/* Opens the store at path, creating it if absent, and migrates an older
 * schema forward (each migration its own transaction). Refuses a database
 * of a newer schema version than this code knows, and a SQLite file that is
 * not a scrubd store. busy_timeout_ms: how long a statement waits for
 * another connection's lock (e.g. a backup's) before failing. */
struct scrub_store *scrub_store_open(const char *path, int busy_timeout_ms, struct scrub_err *err);
/* Rolls back a transaction still open, then closes. */
void scrub_store_close(struct scrub_store *s);
/* Removes a closed store's files (the database, its WAL and shared-memory
 * index) if present: benchmarks start from none. */
void scrub_store_unlink(const char *path);

int scrub_store_begin(struct scrub_store *s, struct scrub_err *err);
/* Returns 0 once the transaction is durable (WAL written and fsynced). On
 * failure the transaction is rolled back and nothing of it remains. */
int scrub_store_commit(struct scrub_store *s, struct scrub_err *err);
/* Abandons the open transaction; nothing of it remains. */
void scrub_store_rollback(struct scrub_store *s);
bool scrub_store_in_transaction(const struct scrub_store *s);
/* One change inside a transaction that holds several (the core's group
 * commit): scrub_store_savepoint before it, then scrub_store_release to
 * keep it or scrub_store_rollback_to to take back only it. One level. An
 * operation that fails still rolls back the whole transaction. */
int scrub_store_savepoint(struct scrub_store *s, struct scrub_err *err);
int scrub_store_release(struct scrub_store *s, struct scrub_err *err);
void scrub_store_rollback_to(struct scrub_store *s);

/* Copies the store to dest_path (replaced if present) with SQLite's online
 * backup, as one read snapshot: writers go on meanwhile and the copy holds
 * exactly the transactions committed before it began. */
int scrub_store_backup(struct scrub_store *s, const char *dest_path, struct scrub_err *err);

/* --- Clients added at run time by the operator (configured clients come
 * from the configuration file and are not stored). */

struct scrub_store_quotas {
    uint32_t mitigations;
    uint32_t acl_entries;
    uint32_t source_entries;
    uint32_t aliases;
    uint32_t sessions;
};

struct scrub_store_client {
    const char *identity; /* certificate identity (DNS SAN or CN) */
    const char *profile;  /* default countermeasure profile, by name */
    struct scrub_store_quotas quotas;
    const char *const *prefixes; /* owned prefixes, "198.51.100.0/24" or "2001:db8::/48" */
    size_t n_prefixes;
    int64_t created_at;
};

/* Adds a client; refused if the identity exists or a prefix does not parse.
 * Prefixes are kept in canonical form (host bits cleared). */
int scrub_store_client_add(struct scrub_store *s, const struct scrub_store_client *c, struct scrub_err *err);
/* Replaces an existing client's profile, quotas and prefixes. */
int scrub_store_client_update(struct scrub_store *s, const struct scrub_store_client *c, struct scrub_err *err);
int scrub_store_client_remove(struct scrub_store *s, const char *identity, struct scrub_err *err);
/* What identity's cuids hold on the data channel (ACLs, aliases,
 * registrations) and the claims of those of its cuids no mitigation uses:
 * for a client removed. */
int scrub_store_client_data_remove(struct scrub_store *s, const char *identity, struct scrub_err *err);
typedef int (*scrub_store_client_fn)(void *ctx, const struct scrub_store_client *c);
/* Calls fn for every client by identity; a non-zero return stops the walk
 * and is returned. */
int scrub_store_clients_each(struct scrub_store *s, scrub_store_client_fn fn, void *ctx, struct scrub_err *err);

/* The card's tenant id of a client added at run time: chosen by the
 * daemon when it adds the client, kept so that the id (which the card's
 * DEST and exact-match entries carry) survives restarts; removed with the
 * client. Ids are unique. */
int scrub_store_tenant_id_put(struct scrub_store *s, const char *identity, uint16_t id, struct scrub_err *err);
typedef int (*scrub_store_tenant_id_fn)(void *ctx, const char *identity, uint16_t id);
int scrub_store_tenant_ids_each(struct scrub_store *s, scrub_store_tenant_id_fn fn, void *ctx,
                                struct scrub_err *err);

/* --- DOTS client identifiers: a cuid belongs to the identity that first
 * used it (RFC 9132 §4.4.1). Mitigations, ACLs and aliases name a cuid
 * that has been claimed. */

/* Records that identity uses cuid; succeeds if it already does; refused,
 * naming the owner, if another identity owns it. */
int scrub_store_cuid_claim(struct scrub_store *s, const char *cuid, const char *identity, int64_t at,
                           struct scrub_err *err);
/* Returns 1 and copies the owner (NUL-terminated, truncated to size) if
 * the cuid is claimed, 0 if not, -1 on error. */
int scrub_store_cuid_owner(struct scrub_store *s, const char *cuid, char *owner, size_t size, struct scrub_err *err);
/* Forgets a cuid; refused while a mitigation, ACL or alias names it. */
int scrub_store_cuid_release(struct scrub_store *s, const char *cuid, struct scrub_err *err);

/* --- Mitigations (signal channel requests and operator mitigations). */

enum scrub_store_mitigation_status {
    SCRUB_STORE_REQUESTED, /* waiting for its trigger (DOTS trigger-mitigation false): off the card */
    SCRUB_STORE_ACTIVE,
    SCRUB_STORE_WITHDRAWN, /* its client withdrew it: on the card until its expiry (terminating_s) */
    SCRUB_STORE_EXPIRED,
    /* another DOTS client's newer request of the same identity overlapped
     * it (conflict-policy 'newest'): off the card; displaced_by names that
     * request */
    SCRUB_STORE_DISPLACED,
};
const char *scrub_store_status_name(enum scrub_store_mitigation_status st);

#define SCRUB_STORE_LIFETIME_INDEFINITE (-1)

struct scrub_store_mitigation {
    const char *identity; /* the owner of cuid */
    const char *cuid;
    int64_t mid; /* 0..2^32-1 */
    const char *cdid; /* from a gateway, else NULL */
    const char *scope; /* canonical JSON text, not interpreted here */
    const char *profile;
    int64_t lifetime; /* granted, seconds; SCRUB_STORE_LIFETIME_INDEFINITE or > 0 */
    enum scrub_store_mitigation_status status;
    int64_t created_at;
    int64_t triggered_at; /* 0: not triggered (trigger-mitigation false) */
    int64_t expires_at;   /* 0 exactly when the lifetime is indefinite */
    /* The monotonic guard: the kernel boot the expiry was computed in
     * (/proc/sys/kernel/random/boot_id) and the expiry on CLOCK_BOOTTIME in
     * milliseconds. Within the same boot it decides expiry whatever the
     * wall clock did; after a reboot expires_at does. "" and 0 when the
     * lifetime is indefinite. */
    const char *boot_id;
    int64_t expires_boottime_ms;
    /* The active-but-terminating period (RFC 9132 section 4.4.4) its
     * client's last withdrawal got, seconds; 0: never withdrawn. With
     * status SCRUB_STORE_WITHDRAWN the mitigation is still on the card
     * until its expiry (expires_at and the monotonic guard), then ends. */
    int64_t terminating_s;
    /* made or last changed by the operator (scrubctl), not a DOTS client:
     * outside the conflicts between clients */
    bool by_operator;
    /* With status SCRUB_STORE_DISPLACED (and only then): the (cuid, mid)
     * whose request displaced it. */
    const char *displaced_by;
    int64_t displaced_by_mid;
    /* When the card last dropped its traffic (wall clock, seconds; 0: not
     * seen), as the core last saved it: its status across a restart. */
    int64_t last_drop_at;
};

/* Creates the mitigation or, when (cuid, mid) exists, replaces it (an
 * update of the same mid). Claims the cuid for identity if it is unclaimed;
 * refused if another identity owns it. */
int scrub_store_mitigation_put(struct scrub_store *s, const struct scrub_store_mitigation *m, struct scrub_err *err);
int scrub_store_mitigation_delete(struct scrub_store *s, const char *cuid, int64_t mid, struct scrub_err *err);
/* Sets only last_drop_at. */
int scrub_store_mitigation_last_drop(struct scrub_store *s, const char *cuid, int64_t mid, int64_t at,
                                     struct scrub_err *err);
typedef int (*scrub_store_mitigation_fn)(void *ctx, const struct scrub_store_mitigation *m);
/* Returns 1 after calling fn with the mitigation, 0 if absent, -1 on error. */
int scrub_store_mitigation_get(struct scrub_store *s, const char *cuid, int64_t mid, scrub_store_mitigation_fn fn,
                               void *ctx, struct scrub_err *err);
/* Every mitigation by cuid and mid; cuid NULL for all. */
int scrub_store_mitigations_each(struct scrub_store *s, const char *cuid, scrub_store_mitigation_fn fn, void *ctx,
                                 struct scrub_err *err);

/* --- Data channel (RFC 8783): ACLs and aliases of a cuid. */

enum scrub_store_activation {
    SCRUB_STORE_ACTIVATE_WHEN_MITIGATING,
    SCRUB_STORE_ACTIVATE_IMMEDIATE,
    SCRUB_STORE_DEACTIVATE,
};
const char *scrub_store_activation_name(enum scrub_store_activation a);

struct scrub_store_acl {
    const char *cuid;
    const char *name;
    int64_t position; /* order among the cuid's ACLs (ordered by user) */
    enum scrub_store_activation activation;
    const char *body;   /* the ACL as JSON (RFC 8783), not interpreted here */
    int64_t expires_at; /* pending-lifetime's end; 0: indefinite */
    int64_t updated_at;
};
int scrub_store_acl_put(struct scrub_store *s, const struct scrub_store_acl *a, struct scrub_err *err);
int scrub_store_acl_delete(struct scrub_store *s, const char *cuid, const char *name, struct scrub_err *err);
typedef int (*scrub_store_acl_fn)(void *ctx, const struct scrub_store_acl *a);
/* By cuid, then position; cuid NULL for all. */
int scrub_store_acls_each(struct scrub_store *s, const char *cuid, scrub_store_acl_fn fn, void *ctx,
                          struct scrub_err *err);

struct scrub_store_alias {
    const char *cuid;
    const char *name;
    const char *body; /* the alias as JSON (RFC 8783), not interpreted here */
    int64_t expires_at;
    int64_t updated_at;
};
int scrub_store_alias_put(struct scrub_store *s, const struct scrub_store_alias *a, struct scrub_err *err);
int scrub_store_alias_delete(struct scrub_store *s, const char *cuid, const char *name, struct scrub_err *err);
typedef int (*scrub_store_alias_fn)(void *ctx, const struct scrub_store_alias *a);
int scrub_store_aliases_each(struct scrub_store *s, const char *cuid, scrub_store_alias_fn fn, void *ctx,
                             struct scrub_err *err);

/* --- Data channel client registrations (RFC 8783 section 7.1): a cuid
 * registered on the data channel by the identity that owns it. */

struct scrub_store_data_client {
    const char *cuid;
    const char *identity; /* the owner of cuid */
    int64_t registered_at;
    const char *cdid; /* the client domain a gateway registered it for; NULL: none */
};

/* Registers cuid for identity, claiming the cuid if it is unclaimed;
 * refused if another identity owns it. Returns 1 when the registration is
 * new, 0 when it existed (registered_at and cdid are then kept), -1 on
 * error. */
int scrub_store_data_client_put(struct scrub_store *s, const struct scrub_store_data_client *c,
                                struct scrub_err *err);
typedef int (*scrub_store_data_client_fn)(void *ctx, const struct scrub_store_data_client *c);
/* Returns 1 after calling fn with the registration, 0 if cuid is not
 * registered, -1 on error. */
int scrub_store_data_client_get(struct scrub_store *s, const char *cuid, scrub_store_data_client_fn fn, void *ctx,
                                struct scrub_err *err);
/* The registrations of identity (NULL: all) by cuid. */
int scrub_store_data_clients_each(struct scrub_store *s, const char *identity, scrub_store_data_client_fn fn,
                                  void *ctx, struct scrub_err *err);
/* Removes the registration with the cuid's ACLs and aliases; refused
 * (ENOENT) if cuid is not registered. The cuid stays claimed by its owner. */
int scrub_store_data_client_remove(struct scrub_store *s, const char *cuid, struct scrub_err *err);

/* --- Signal channel session configuration (RFC 9132 §4.5), one per
 * client identity. */

struct scrub_store_session_config {
    const char *identity;
    int64_t sid;
    const char *body; /* the accepted configuration as JSON, not interpreted here */
    int64_t updated_at;
};
int scrub_store_session_config_put(struct scrub_store *s, const struct scrub_store_session_config *c,
                                   struct scrub_err *err);
int scrub_store_session_config_delete(struct scrub_store *s, const char *identity, struct scrub_err *err);
typedef int (*scrub_store_session_config_fn)(void *ctx, const struct scrub_store_session_config *c);
int scrub_store_session_configs_each(struct scrub_store *s, scrub_store_session_config_fn fn, void *ctx,
                                     struct scrub_err *err);

/* --- Source-list entries added at run time, per tenant. */

enum scrub_store_source_action {
    SCRUB_STORE_SOURCE_ACCEPT,
    SCRUB_STORE_SOURCE_DROP,
    SCRUB_STORE_SOURCE_POLICE,
};
const char *scrub_store_source_action_name(enum scrub_store_source_action a);

struct scrub_store_source {
    const char *tenant;
    const char *address; /* one IPv4 or IPv6 address; kept canonical */
    enum scrub_store_source_action action;
    const char *policer; /* the policer's name when policed, else NULL */
    int64_t updated_at;
};
int scrub_store_source_put(struct scrub_store *s, const struct scrub_store_source *e, struct scrub_err *err);
int scrub_store_source_delete(struct scrub_store *s, const char *tenant, const char *address, struct scrub_err *err);
typedef int (*scrub_store_source_fn)(void *ctx, const struct scrub_store_source *e);
/* By tenant, then address text; tenant NULL for all. */
int scrub_store_sources_each(struct scrub_store *s, const char *tenant, scrub_store_source_fn fn, void *ctx,
                             struct scrub_err *err);

/* --- The audit log: who did what, when, through which channel. */

enum scrub_store_who {
    SCRUB_STORE_WHO_CERTIFICATE, /* a certificate identity */
    SCRUB_STORE_WHO_LOCAL_USER,  /* a local user on the control socket */
    SCRUB_STORE_WHO_DAEMON,      /* the daemon itself (expiry, configuration reload) */
};
enum scrub_store_channel {
    SCRUB_STORE_CHANNEL_SIGNAL,
    SCRUB_STORE_CHANNEL_DATA,
    SCRUB_STORE_CHANNEL_CONTROL,
    SCRUB_STORE_CHANNEL_CONFIG,
};
const char *scrub_store_who_name(enum scrub_store_who w);
const char *scrub_store_channel_name(enum scrub_store_channel c);

struct scrub_store_audit {
    int64_t id; /* set by the store, increasing */
    int64_t at_ms; /* wall clock, milliseconds */
    enum scrub_store_who who_kind;
    const char *who;
    enum scrub_store_channel channel;
    const char *what;   /* e.g. "mitigation put cuid=... mid=7" */
    const char *result; /* "ok" or the refusal's reason */
};
int scrub_store_audit_append(struct scrub_store *s, const struct scrub_store_audit *a, struct scrub_err *err);
typedef int (*scrub_store_audit_fn)(void *ctx, const struct scrub_store_audit *a);
/* Entries with id > after_id in id order, at most limit (0: all). */
int scrub_store_audit_each(struct scrub_store *s, int64_t after_id, size_t limit, scrub_store_audit_fn fn, void *ctx,
                           struct scrub_err *err);

#endif
