/* store_ack_probe PATH N: commits N changes to the store at PATH one by
 * one and after each commit writes "ack K\n" to standard output, as scrubd
 * answers a client after its commit. fsync_order.sh runs it under strace
 * to show each acknowledgement follows the fsync of the WAL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scrub_store.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: store_ack_probe PATH N\n");
        return 2;
    }
    struct scrub_err err = {0};
    struct scrub_store *s = scrub_store_open(argv[1], 1000, &err);
    if (!s)
        goto fail;
    long n = strtol(argv[2], NULL, 10);
    for (long k = 0; k < n; k++) {
        struct scrub_store_audit a = {.at_ms = k, .who_kind = SCRUB_STORE_WHO_LOCAL_USER, .who = "probe",
                                      .channel = SCRUB_STORE_CHANNEL_CONTROL, .what = "probe change", .result = "ok"};
        if (scrub_store_begin(s, &err) || scrub_store_audit_append(s, &a, &err) || scrub_store_commit(s, &err))
            goto fail;
        char line[32];
        int len = snprintf(line, sizeof(line), "ack %ld\n", k);
        if (write(STDOUT_FILENO, line, (size_t)len) != len)
            return 1;
    }
    scrub_store_close(s);
    return 0;
fail:
    fprintf(stderr, "store_ack_probe: %s\n", err.msg);
    scrub_store_close(s);
    return 1;
}
