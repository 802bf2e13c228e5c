/* scrubd's side of the card: opening it through the HAL, its identity,
 * the first programming of a fresh card, the watchdog, and what status
 * and counters report. Which backend runs is the HAL's business. */
#ifndef SCRUBD_CARD_H
#define SCRUBD_CARD_H

#include <json-c/json.h>

#include "scrubd.h"

/* Opens the card (d->opt.backend) and checks its identity (the HAL refuses
 * a foreign magic or another register map major version). Then the core
 * reads the card back and applies only the difference to what the
 * configuration and the store say (a card fresh from reset is programmed
 * whole; a card that holds it gets no write at all); filtering is enabled
 * if it was not. Then sets CTRL.FAIL_CLOSED and arms the watchdog. */
int card_start(struct scrubd *d, struct scrub_err *err);
/* The card timer on d->base: every opt.wdog_kick_ms it kicks the watchdog
 * (every second it reads STATUS when the watchdog is off). When that fails
 * the card is closed as lost (d->hal NULL) and the next ticks reopen it,
 * adopting it as at start: a card that came back from reset (a restarted
 * simcard) is programmed again, one still programmed is reconciled. */
int card_timer_start(struct scrubd *d, struct scrub_err *err);
/* 0 when the card is open, else -1 with err saying it is lost and why. */
int card_reachable(const struct scrubd *d, struct scrub_err *err);
/* Stops kicking and closes the HAL. The card keeps its tables, its
 * filtering and its armed watchdog. */
void card_stop(struct scrubd *d);

/* The "card" and "watchdog" parts of status, read from the card now; a
 * lost card is {"reachable": false, "error": why}. */
int card_status(struct scrubd *d, json_object *result, struct scrub_err *err);
/* A counter snapshot, then the global counters: {"global": {name:
 * {"packets": n, "bytes": n}}, "malformed": {...}}. */
json_object *card_counters(struct scrubd *d, struct scrub_err *err);

#endif
