/* The DOTS data channel inside scrubd (dots/data, RFC 8783): started when
 * the options give it a port, with the signal channel's certificates, on
 * the daemon's loop, store and core; its log lines join the daemon's. */
#ifndef SCRUBD_DATA_CHANNEL_H
#define SCRUBD_DATA_CHANNEL_H

#include "scrubd.h"

int data_channel_start(struct scrubd *d, struct scrub_err *err);
/* SIGHUP: the certificates, CAs and CRLs read again (logged either way). */
void data_channel_reload(struct scrubd *d);
void data_channel_stop(struct scrubd *d);

#endif
