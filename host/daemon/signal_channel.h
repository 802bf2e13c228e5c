/* The DOTS signal channel inside scrubd (dots/signal, RFC 9132): started
 * when the options name a server certificate, on the daemon's loop, with
 * the daemon's store and core; its log lines join the daemon's. */
#ifndef SCRUBD_SIGNAL_CHANNEL_H
#define SCRUBD_SIGNAL_CHANNEL_H

#include "scrubd.h"

int signal_channel_start(struct scrubd *d, struct scrub_err *err);
void signal_channel_stop(struct scrubd *d);
/* SIGHUP: the channel's certificates, key, CAs and CRLs read again. */
void signal_channel_reload(struct scrubd *d);

#endif
