/* Inside host/core: the data channel's ACLs (RFC 8783) as the core keeps
 * them: read from their stored JSON (data_acl_read.c), compiled for the
 * owner's tenant and loaded with the rest (data_acls.c). The API is at the
 * end of scrub_core.h; docs/mitigations.md states the rules. */
#ifndef DATA_ACLS_H
#define DATA_ACLS_H

#include "core_internal.h"
#include "scrub_ace.h"

/* An ACL's body read. */
struct data_acl_parsed {
    char *name;
    char *type; /* its type as written; NULL when it has none */
    enum scrub_family family; /* what its type admits */
    enum scrub_store_activation activation; /* activation-type (default activate-when-mitigating) */
    struct scrub_ace *aces;
    size_t n_aces;
};
int data_acl_parse(const char *body, struct data_acl_parsed *out, struct scrub_err *err);
void data_acl_parsed_free(struct data_acl_parsed *p);

struct core_data_ace {
    char *name;     /* the ACE's name */
    char *counter;  /* its counter owner's name: "client CUID / acl NAME / ace NAME" */
    struct scrub_acl_entry *entries; /* tenant, action and matches; counter and policer are the image's */
    size_t n_entries;
    uint64_t rate; /* bytes/s of its own policer when rate-limited, else 0 */
    bool accepts; /* accept without rate-limit: an accept-list entry (the conflict rule, activity.c) */
    bool has_dst;
    struct scrub_prefix dst; /* its destination, when it names one */
};

struct core_data_acl {
    char *cuid, *identity, *name, *body;
    char *type; /* its type as written; NULL when it has none */
    int64_t position;
    int64_t expires_at; /* wall clock, s; 0: never */
    enum scrub_store_activation activation;
    struct core_data_ace *aces;
    size_t n_aces, n_entries;
    char *problem; /* a stored ACL that no longer compiles (its owner's prefixes changed...): why; not installed */
};

struct core_data_acls {
    struct core_data_acl *acls; /* by cuid, then position */
    size_t n;
};

/* Loads and compiles every stored ACL (core_load calls it). */
int core_data_acls_load(struct scrub_core *c, struct scrub_err *err);
void core_data_acls_unload(struct scrub_core *c);
/* The image's input: the ACEs of the ACLs that are on, in order (every
 * ACL that is not deactivated when all is set). A run-time client has no
 * peace-time DEST entries, and the card filters only what a DEST entry
 * covers: while one of its ACLs is on, each prefix it owns is a DEST entry
 * of its tenant with profile 0 (no profile: "scope", below any mitigation
 * of an equal prefix), and one more entry after every ACE accepts its
 * profile-0 traffic that no ACE decided, so that a card whose default is
 * drop does not drop it. */
struct core_data_input {
    struct image_data_ace *aces;
    size_t n_aces;
    struct image_mitigation *scopes;
    size_t n_scopes;
    char **names; /* the scopes' and the default entries' names, owned */
    size_t n_names;
    struct scrub_acl_entry *defaults; /* owned */
};
int core_data_acls_input(const struct scrub_core *c, bool all, struct core_data_input *in, struct scrub_err *err);
void core_data_input_free(struct core_data_input *in);

/* The cuid's owner when the cuid is registered on the data channel and
 * the actor may act on it (its owner, or an operator); else NULL with
 * ENOENT or EACCES. Aliases (data_aliases.c) share it. */
const struct core_tenant *core_data_owner(struct scrub_core *c, const struct scrub_actor *a, const char *cuid,
                                          struct scrub_err *err);

/* RFC 9133 (scrub_mitigation_req's acls): each ACL's record with the
 * activation it had and gets, copied so that it outlives a reload. */
struct core_acl_switch {
    struct scrub_store_acl rec; /* rec.activation: the new one */
    enum scrub_store_activation old;
    char *name, *body;
};
/* Checks the switches of cuid (owned by t): each an ACL of the cuid, once,
 * a switch on within t's quota; *out (n of them) on success. */
int core_acl_switches_prepare(const struct scrub_core *c, const struct core_tenant *t, const char *cuid,
                              const struct scrub_acl_activation *req, size_t n, struct core_acl_switch **out,
                              struct scrub_err *err);
/* Writes them into the open store transaction: the new activations, or
 * with undo the old ones. */
int core_acl_switches_write(struct scrub_core *c, const struct core_acl_switch *s, size_t n, bool undo,
                            struct scrub_err *err);
void core_acl_switches_free(struct core_acl_switch *s, size_t n);

#endif
