/* The control socket: a UNIX stream socket on the event loop, its
 * permissions, its clients and their line framing (scrub_control.h). What
 * a request does is requests.h's. */
#ifndef SCRUBD_CONTROL_H
#define SCRUBD_CONTROL_H

#include "scrubd.h"

/* Creates the socket at d->opt.socket_path with the configured owner,
 * group and mode, and serves it on d->base. A socket file left by a
 * stopped daemon is replaced; a live one (another scrubd answers) or a
 * file that is not a socket is refused. */
struct control *control_open(struct scrubd *d, struct scrub_err *err);
/* Drops every client and removes the socket file. */
void control_close(struct control *c);

#endif
