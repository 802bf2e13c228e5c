/* The body check of a mitigation request (RFC 9132 section 4.4.1) and of
 * an efficacy update (section 4.4.3): a body the decoder has validated
 * against ietf-dots-signal-channel, turned into what the core's
 * scrub_mitigation_req is made of, or refused with a diagnostic (4.00).
 * No server state: dots_mitigate.c calls it on a PUT, and the fuzz target
 * (tests/dots/fuzz_cbor.c) on every body that decodes. */
#ifndef DOTS_MITIGATE_BODY_H
#define DOTS_MITIGATE_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <libyang/libyang.h>

#include "scrub_core.h"

struct put_request {
    struct scrub_prefix *prefixes;
    size_t n_prefixes;
    int64_t lifetime;
    bool lifetime_given, trigger, trigger_given;
    char attack_status[40]; /* an efficacy update's */
    json_object *extra; /* target-port-range, target-protocol, alias-name, acl-list */
    struct scrub_acl_activation *acls; /* RFC 9133's acl-list, names owned */
    size_t n_acls;
};

/* The scope of a validated body (its top-level nodes); attack-status only
 * in an efficacy update, and there required. -1 with a diagnostic (4.00).
 * Either way r holds what was taken so far (zero it first):
 * dots_put_request_release frees it. */
int dots_put_request_from_tree(const struct lyd_node *tree, bool efficacy, struct put_request *r,
                               char *diagnostic, size_t size);

/* Frees what r holds; r may be zeroed or partly filled. */
void dots_put_request_release(struct put_request *r);

#endif
