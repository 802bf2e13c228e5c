/* Reads a card back into an image (card_image.h): CFG_ACTIONS, the shadow
 * DEST, ACL and policer tables and every exact-match slot. What the card
 * holds is then compared with what it should hold (card_sync.h), so that a
 * daemon that starts next to a filtering card applies only the difference.
 * A card fresh from reset reads back as an empty image. */
#ifndef CARD_READBACK_H
#define CARD_READBACK_H

#include "card_image.h"

int card_readback(struct scrub_hal *h, struct card_image *out, struct scrub_err *err);
/* The same without the exact-match table (an image with no EM entries):
 * for writing a configuration whose sources are inserted whatever the
 * card holds (scrub_config_apply). */
int card_readback_shadow(struct scrub_hal *h, struct card_image *out, struct scrub_err *err);

#endif
