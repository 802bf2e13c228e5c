/* The operator's configuration of the card (host/config/yang/
 * scrub-config@2026-11-23.yang), loaded from JSON with libyang into plain
 * structs and checked. Owns loading, the checks libyang cannot make, and
 * the structs; laying them out on a card is config_apply.h's job.
 *
 * Errors name the file, the line when libyang knows it (JSON syntax and
 * value errors), the data path (/scrub-config:scrub-config/tenant[name=
 * 'acme']/protected-prefix) and the problem. */
#ifndef SCRUB_CONFIG_H
#define SCRUB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scrub_ace.h"
#include "scrub_err.h"
#include "scrub_prefix.h"

struct scrub_card_actions {
    bool default_drop;   /* protected traffic no source entry or ACE decided */
    bool nonip_drop;     /* non-IP frames */
    bool unparsed_drop;  /* frames the parser cannot finish */
    bool malformed_drop; /* malformed frames */
};

/* The largest rate a policer takes (RATE in the register map). */
#define SCRUB_POLICER_RATE_MAX ((1ull << 40) - 1)

struct scrub_policer_config {
    char *name;
    bool packets;  /* false: bytes */
    uint64_t rate; /* units per second, at most 2^40 - 1 */
    uint32_t burst;
    unsigned per_source_bits; /* 0: one bucket; n: a group of 2^n */
};

enum scrub_activation {
    SCRUB_ACTIVATE_WHEN_MITIGATING,
    SCRUB_ACTIVATE_IMMEDIATE,
    SCRUB_DEACTIVATED, /* kept, not installed */
};

struct scrub_acl {
    char *name;
    enum scrub_family type_family; /* the one family the ACL's type admits, or ANY */
    enum scrub_activation activation;
    struct scrub_ace *aces;
    size_t n_aces;
};

struct scrub_profile {
    char *name;
    char *description; /* NULL when absent */
    bool operator_only;
    struct scrub_acl *acls;
    size_t n_acls;
};

enum scrub_source_action {
    SCRUB_SOURCE_ACCEPT,
    SCRUB_SOURCE_DROP,
    SCRUB_SOURCE_POLICE,
};

struct scrub_source {
    struct scrub_addr addr;
    enum scrub_source_action action;
    int policer; /* index into policers when policed, else -1 */
};

struct scrub_tenant {
    char *name;
    char *identity; /* the client identity acting for it (its certificate's); the name unless configured */
    size_t profile; /* index into profiles */
    bool monitor_only;
    bool gateway; /* a server-domain DOTS gateway: its requests may carry a cdid */
    /* conflict-policy 'newest': a DOTS client's request displaces another
     * client's overlapping active mitigation; false ('refuse'): it is
     * refused */
    bool conflict_newest;
    struct scrub_prefix *prefixes;
    size_t n_prefixes;
    struct scrub_source *sources;
    size_t n_sources;
};

/* Ids on the card are 1-based positions: profile i has id i + 1, tenant i
 * has id i + 1. */
struct scrub_config {
    struct scrub_card_actions card;
    struct scrub_policer_config *policers;
    size_t n_policers;
    struct scrub_profile *profiles;
    size_t n_profiles;
    struct scrub_tenant *tenants;
    size_t n_tenants;
};

/* Where the YANG modules are found when the caller names none: the
 * SCRUB_YANG_DIRS environment variable if set, else the directories this
 * build was configured with (our module's and dots/yang); ':'-separated. */
const char *scrub_config_yang_dirs(void);

/* Loads and checks the configuration at path (JSON). yang_dirs: the
 * ':'-separated directories holding scrub-config and the IETF modules it
 * imports, or NULL for scrub_config_yang_dirs(). On success fills cfg,
 * which scrub_config_free releases; on failure cfg is left empty and err
 * says where and what. libyang's log options are process-wide: the load
 * changes them while it runs, so it must not run beside other libyang use
 * in another thread. */
int scrub_config_load(const char *path, const char *yang_dirs, struct scrub_config *cfg, struct scrub_err *err);
void scrub_config_free(struct scrub_config *cfg);

#endif
