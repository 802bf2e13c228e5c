/* scrubd's side of the card: opening it through the HAL, its identity,
 * the first programming of a fresh card, the watchdog, and what status
 * and counters report. Which backend runs is the HAL's business. */
#ifndef SCRUBD_CARD_H
#define SCRUBD_CARD_H

#include <json-c/json.h>

#include "scrubd.h"

/* Opens the card (d->opt.backend) and checks its identity (the HAL refuses
 * a foreign magic or another register map major version). A card fresh
 * from reset (filtering off, no commit yet) gets the running configuration
 * laid out and enabled; a card already programmed is left exactly as it is
 * (reconciling it with the store is a later slice). Then sets
 * CTRL.FAIL_CLOSED and arms the watchdog. */
int card_start(struct scrubd *d, struct scrub_err *err);
/* Kicks the watchdog every opt.wdog_kick_ms on d->base. */
int card_watchdog_start(struct scrubd *d, struct scrub_err *err);
/* Stops kicking and closes the HAL. The card keeps its tables, its
 * filtering and its armed watchdog. */
void card_stop(struct scrubd *d);

/* The "card" and "watchdog" parts of status, read from the card now. */
int card_status(struct scrubd *d, json_object *result, struct scrub_err *err);
/* A counter snapshot, then the global counters: {"global": {name:
 * {"packets": n, "bytes": n}}, "malformed": {...}}. */
json_object *card_counters(struct scrubd *d, struct scrub_err *err);

#endif
