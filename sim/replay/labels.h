/* The traffic generator's labels: for every packet of a capture, its
 * traffic class and whether it is legitimate or an attack. A TSV file with
 * the header "index<TAB>class<TAB>kind" and one line per packet, indexes
 * 0, 1, 2... in capture order, kind "legit" or "attack". */
#ifndef SCRUB_LABELS_H
#define SCRUB_LABELS_H

#include <stdbool.h>
#include <stdint.h>

#include "scrub_err.h"

#define SCRUB_LABELS_MAX_CLASSES 256

struct scrub_labels {
    uint32_t packets;
    uint16_t *class_of;    /* per packet */
    uint32_t classes;
    char *class_name[SCRUB_LABELS_MAX_CLASSES];
    bool class_legit[SCRUB_LABELS_MAX_CLASSES];
};

int scrub_labels_load(const char *path, struct scrub_labels *l, struct scrub_err *err);
void scrub_labels_free(struct scrub_labels *l);

#endif
