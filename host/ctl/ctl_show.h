/* scrubctl's human output: the answers of scrubd's control socket
 * (docs/daemon.md) as aligned text with human units. */
#ifndef CTL_SHOW_H
#define CTL_SHOW_H

#include <stdio.h>

#include <json-c/json.h>

void show_status(FILE *f, json_object *result);
void show_counters(FILE *f, json_object *result);
void show_reload(FILE *f, json_object *result);
void show_mitigations(FILE *f, json_object *result);
void show_mitigation(FILE *f, json_object *result);
void show_added(FILE *f, json_object *result);
void show_withdrawn(FILE *f, json_object *result);
void show_clients(FILE *f, json_object *result);
void show_sources(FILE *f, json_object *result);
void show_acls(FILE *f, json_object *result);
void show_backup(FILE *f, json_object *result);
void show_audit(FILE *f, json_object *result);
void show_done(FILE *f, json_object *result);

/* n with an SI prefix and 3 significant digits: "999", "1.23 k", "45.6 M". */
void human_si(char *out, size_t size, double n);

#endif
