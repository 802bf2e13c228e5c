/* How dots-client shows an answer: for people, the response code and its
 * name, then the decoded body as an indented list of names and values, or
 * the diagnostic; for programs, one line of JSON with the code as a field
 * and the body as its YANG JSON (RFC 7951). */
#ifndef DOTS_CLIENT_PRINT_H
#define DOTS_CLIENT_PRINT_H

#include <stdio.h>

#include "dots_client.h"

int dots_client_print_human(FILE *out, const struct dots_client_answer *answer);
/* {"code":"2.05","observe":3,"body":{...}} or {"code":"4.22","diagnostic":"..."} */
int dots_client_print_json(FILE *out, const struct dots_client_answer *answer);

#endif
