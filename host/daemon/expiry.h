/* The lifetime timer: mitigations whose lifetime ended are withdrawn
 * (scrub_core_expire) within EXPIRY_TICK_MS of their end, data-channel
 * ACLs (scrub_core_data_acls_expire) within 10 s of theirs. */
#ifndef SCRUBD_EXPIRY_H
#define SCRUBD_EXPIRY_H

#include "scrubd.h"

#define EXPIRY_TICK_MS 250u

int expiry_start(struct scrubd *d, struct scrub_err *err);
void expiry_stop(struct scrubd *d);

#endif
