/* The running configuration: the first load and reloads (SIGHUP or the
 * control socket). A reload loads and checks the whole file first; only
 * a configuration that passed replaces the running one, so a bad file
 * changes nothing. Every reload, taken or refused, is in the audit log. */
#ifndef SCRUBD_RELOAD_H
#define SCRUBD_RELOAD_H

#include "scrubd.h"

int config_load_first(struct scrubd *d, struct scrub_err *err);

/* who: "uid 1000 (alice)" for a control-socket user, "SIGHUP" for the
 * signal. On failure err says file, line or path and what, and that the
 * running configuration was kept. */
int config_reload(struct scrubd *d, enum scrub_store_who who_kind, const char *who,
                  enum scrub_store_channel channel, struct scrub_err *err);

#endif
