/* Errors as values: a code (an errno value) and a sentence a person can act
 * on, naming what is wrong and where. Owned by the caller, filled by the
 * callee. */
#ifndef SCRUB_ERR_H
#define SCRUB_ERR_H

struct scrub_err {
    int code;
    char msg[512];
};

/* Sets the error and returns -1, so that `return scrub_err_set(...)` reads
 * as the failure it is. */
int scrub_err_set(struct scrub_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Puts "context: " before the message already there. */
int scrub_err_prefix(struct scrub_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
