/* The signal channel's schema: a libyang context holding
 * ietf-dots-signal-channel and RFC 9133's ietf-dots-signal-control, which
 * augments its scope (both patched for libyang, see dots/yang/patches), and
 * the sx:structure "dots-signal" every signal channel message body is an
 * instance of. Owns the context; trees parsed with it die with it. */
#ifndef DOTS_SCHEMA_H
#define DOTS_SCHEMA_H

#include <libyang/libyang.h>

#include "scrub_err.h"

struct dots_schema;

/* Loads the modules from yang_dir (the build's patched copy). */
int dots_schema_open(const char *yang_dir, struct dots_schema **out, struct scrub_err *err);
void dots_schema_close(struct dots_schema *s);

struct ly_ctx *dots_schema_ctx(const struct dots_schema *s);
/* The "dots-signal" structure of ietf-dots-signal-channel. */
const struct lysc_ext_instance *dots_schema_signal(const struct dots_schema *s);

/* Parses and validates JSON (RFC 7951) text as a dots-signal instance.
 * On failure fills err with libyang's message and the data path. */
int dots_schema_parse_json(const struct dots_schema *s, const char *json, struct lyd_node **tree,
                           struct scrub_err *err);

#endif
