#include "scrub_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int scrub_err_set(struct scrub_err *err, int code, const char *fmt, ...)
{
    if (!err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    err->code = code;
    return -1;
}

int scrub_err_prefix(struct scrub_err *err, const char *fmt, ...)
{
    if (!err)
        return -1;
    char joined[2 * sizeof(err->msg)];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(joined, sizeof(err->msg), fmt, ap);
    va_end(ap);
    size_t at = n < 0 ? 0 : strlen(joined);
    memcpy(joined + at, ": ", 2);
    memcpy(joined + at + 2, err->msg, strlen(err->msg) + 1);
    memcpy(err->msg, joined, sizeof(err->msg) - 1);
    err->msg[sizeof(err->msg) - 1] = '\0';
    return -1;
}
