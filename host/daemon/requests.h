/* The control socket's requests: parsing one request line, running the
 * command and writing its answer (docs/daemon.md lists them). */
#ifndef SCRUBD_REQUESTS_H
#define SCRUBD_REQUESTS_H

#include <stddef.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "scrubd.h"

/* Who is on the other end of a connection (SO_PEERCRED). */
struct peer {
    uid_t uid;
    pid_t pid;
    char who[96]; /* "uid 1000 (alice)" */
};

/* Answers one request (a line without its newline, not NUL-terminated):
 * a malloc'ed NUL-terminated JSON object without a newline, or NULL when
 * out of memory. */
char *request_answer(struct scrubd *d, const struct peer *p, const char *line, size_t len);

/* The answer to a request that could not be read: {"ok":false,"error":msg}. */
char *request_error(const char *msg);
/* {"ok":true,"result":result} (takes result). */
char *request_ok(json_object *result);

#endif
