/* Inside host/config: reading a validated libyang data tree into struct
 * scrub_config, and the checks libyang cannot make. Private to the
 * loader (scrub_config.c); nothing outside host/config includes it. */
#ifndef CONFIG_READ_H
#define CONFIG_READ_H

#include <libyang/libyang.h>

#include "scrub_config.h"

/* What every reader needs: the file for messages, the configuration
 * being filled, the error to fill. */
struct config_reader {
    const char *file;
    struct scrub_config *cfg;
    struct scrub_err *err;
};

/* Sets err to "FILE: DATA-PATH: <message>" and returns -1. */
int config_node_error(const struct config_reader *r, const struct lyd_node *node, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Puts "FILE: DATA-PATH: " before the message already in err; returns -1. */
int config_node_prefix(const struct config_reader *r, const struct lyd_node *node);

/* The child named name of a data node, or NULL. */
const struct lyd_node *config_child(const struct lyd_node *parent, const char *name);
/* The canonical value of the child leaf named name, or NULL. */
const char *config_leaf(const struct lyd_node *parent, const char *name);
/* The child leaf's unsigned value; 0 when absent. */
uint64_t config_leaf_uint(const struct lyd_node *parent, const char *name);
/* True when the child leaf exists and reads value. */
bool config_leaf_is(const struct lyd_node *parent, const char *name, const char *value);
/* A copy of text ("" for NULL) to free; NULL with err set when memory ran
 * out. */
char *config_copy(const struct config_reader *r, const char *text);
/* The index of the named policer in r->cfg, or -1. */
int config_policer_index(const struct scrub_config *cfg, const char *name);

/* config_read.c: the whole tree under /scrub-config:scrub-config. */
int config_read(struct config_reader *r, const struct lyd_node *root);
/* config_ace.c: one ACE node (acl/aces/ace). */
int config_read_ace(struct config_reader *r, const struct lyd_node *node, struct scrub_ace *ace);
/* config_check.c: that the card can hold the ACE of an ACL whose type
 * admits family (its expansion compiles). */
int config_check_ace(const struct config_reader *r, const struct lyd_node *node, enum scrub_family family,
                     const struct scrub_ace *ace);
/* config_check.c: that no two tenants' protected prefixes overlap. */
int config_check_prefixes(const struct config_reader *r, const struct lyd_node *root);

#endif
