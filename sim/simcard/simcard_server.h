/* The server side of the control channel (host/hal/simcard_chan.h): creates
 * the shared-memory object, wakes the main loop when the client rings,
 * checks a posted transaction whole before running any of it, runs it on
 * the card, and notices clients coming, going and dying. */
#ifndef SIMCARD_SERVER_H
#define SIMCARD_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "scrub_err.h"
#include "simcard_core.h"

struct simcard_server;

/* Creates the channel. A name held by a running simcard, or by something
 * that is not a channel, is refused; one left by a stopped simcard is
 * replaced. */
struct simcard_server *simcard_server_open(const char *name, uint32_t max_ops, const char *core,
                                           struct scrub_err *err);
/* Readable when the client rang (or the process was signalled: see
 * simcard_server_poke). */
int simcard_server_fd(const struct simcard_server *s);
/* Async-signal-safe: makes the fd readable. */
void simcard_server_poke(const struct simcard_server *s);
/* A transaction is waiting: cheap enough to ask between frames. */
bool simcard_server_posted(const struct simcard_server *s);
/* Runs a posted transaction if there is one, and logs session changes. */
void simcard_server_serve(struct simcard_server *s, struct simcard_core *core);
/* Sessions that ended (clients that closed, or died and were noticed). */
uint64_t simcard_server_sessions_ended(const struct simcard_server *s);
/* Transactions run and refused so far. */
uint64_t simcard_server_txns(const struct simcard_server *s);
uint64_t simcard_server_refused(const struct simcard_server *s);
/* Marks the channel stopped; unlinks it unless keep. */
void simcard_server_close(struct simcard_server *s, bool keep);

#endif
