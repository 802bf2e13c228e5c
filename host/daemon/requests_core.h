/* The control socket's commands on the core (scrub_core.h): mitigations,
 * clients, source entries, data-channel ACLs, the store's online backup and
 * the audit log (docs/daemon.md lists their
 * members and answers). */
#ifndef SCRUBD_REQUESTS_CORE_H
#define SCRUBD_REQUESTS_CORE_H

#include <json-c/json.h>

#include "requests.h"

#define REQUESTS_CORE_KNOWN                                                                                          \
    "mitigation-add, mitigation-withdraw, mitigation-list, mitigation-show, client-add, client-remove, "            \
    "client-list, source-add, source-remove, source-list, acl-list, store-backup, audit"

/* The answer to the request, or NULL when name is none of these commands. */
char *request_core(struct scrubd *d, const struct peer *p, const char *name, json_object *req);

#endif
