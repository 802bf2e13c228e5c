/* scrub-simcard's live ports: two Linux interfaces through AF_PACKET. What
 * arrives on the outside goes through the card towards the inside; what
 * arrives on the inside (the return path) goes back out unfiltered, as
 * through a bump in the wire. Frames the host loses (kernel socket drops,
 * frames longer than the buffer, failed sends) are counted here, apart
 * from what the card drops. */
#ifndef SIMCARD_LIVE_H
#define SIMCARD_LIVE_H

#include <poll.h>
#include <stdint.h>
#include <stdio.h>

#include "scrub_err.h"

struct simcard_live;

/* Opens both interfaces (promiscuous); errors name the interface and what
 * failed (no such interface, no permission). */
struct simcard_live *simcard_live_open(const char *outside, const char *inside, struct scrub_err *err);
void simcard_live_close(struct simcard_live *l);
/* The two sockets, for poll. */
void simcard_live_pollfds(const struct simcard_live *l, struct pollfd fds[2]);
/* The next frame from the outside, without waiting: its length, 0 if none. */
uint32_t simcard_live_recv_outside(struct simcard_live *l, uint8_t *buf, uint32_t cap);
/* A frame the card passed, to the inside. */
void simcard_live_send_inside(struct simcard_live *l, const uint8_t *frame, uint32_t len);
/* Passes what waits on the inside back to the outside; frames passed. */
unsigned simcard_live_return_path(struct simcard_live *l);
/* The host's counters, one line each. */
void simcard_live_report(struct simcard_live *l, FILE *f);

#endif
