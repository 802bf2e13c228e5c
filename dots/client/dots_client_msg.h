/* The bodies a DOTS client sends, as validated dots-signal trees built from
 * the YANG JSON (RFC 7951) of ietf-dots-signal-channel: a mitigation
 * request or efficacy update (RFC 9132 sections 4.4.1 and 4.4.3) and a
 * session configuration (section 4.5.2). The trees belong to the caller
 * (lyd_free_all) and die with the schema. */
#ifndef DOTS_CLIENT_MSG_H
#define DOTS_CLIENT_MSG_H

#include <stddef.h>
#include <stdint.h>

#include <libyang/libyang.h>

#include "dots_schema.h"
#include "scrub_err.h"

struct dots_port_range {
    uint16_t lower, upper;  /* upper == lower: one port, sent as lower-port alone */
};

/* RFC 9133's filter control: an ACL of the client's (made on the data
 * channel) and the activation-type it should get. */
struct dots_acl_activation {
    const char *name;
    const char *activation; /* YANG name (immediate, ...), NULL: not sent (the schema's default) */
};

/* One scope (RFC 9132 allows one per request). */
struct dots_mitigation_scope {
    const char *const *prefixes;
    size_t nprefixes;
    const struct dots_port_range *ports;
    size_t nports;
    const uint8_t *protocols;
    size_t nprotocols;
    const char *const *aliases;  /* alias-name: data-channel aliases (RFC 8783) */
    size_t naliases;
    const struct dots_acl_activation *acls; /* ietf-dots-signal-control:acl-list */
    size_t nacls;
    int64_t lifetime;            /* seconds, -1 indefinite; always sent (it is mandatory) */
    int trigger_mitigation;      /* -1: not sent (the default, true), 0 or 1 */
    const char *attack_status;   /* NULL, or the YANG name: an efficacy update */
};

int dots_client_mitigation_tree(const struct dots_schema *s, const struct dots_mitigation_scope *scope,
                                struct lyd_node **tree, struct scrub_err *err);

/* The six parameters of a session configuration, in YANG names. */
enum dots_client_sc_param {
    DOTS_CLIENT_HEARTBEAT_INTERVAL,
    DOTS_CLIENT_MISSING_HB_ALLOWED,
    DOTS_CLIENT_MAX_RETRANSMIT,
    DOTS_CLIENT_ACK_TIMEOUT,        /* decimal64 */
    DOTS_CLIENT_ACK_RANDOM_FACTOR,  /* decimal64 */
    DOTS_CLIENT_PROBING_RATE,
    DOTS_CLIENT_SC_PARAMS
};
extern const char *const dots_client_sc_names[DOTS_CLIENT_SC_PARAMS];

enum dots_client_sc_time { DOTS_CLIENT_MITIGATING, DOTS_CLIENT_IDLE, DOTS_CLIENT_SC_TIMES };

/* The values a PUT asks for, as the user wrote them (NULL: not sent, the
 * server takes its default): integers for the first, decimals ("2.50") for
 * ack-timeout and ack-random-factor. At least one value is needed. */
struct dots_client_sc_request {
    const char *value[DOTS_CLIENT_SC_TIMES][DOTS_CLIENT_SC_PARAMS];
};

int dots_client_config_tree(const struct dots_schema *s, const struct dots_client_sc_request *req,
                            struct lyd_node **tree, struct scrub_err *err);

#endif
