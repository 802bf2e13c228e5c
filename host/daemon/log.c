#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static enum log_level threshold = LOG_LEVEL_INFO;
static bool to_syslog;

static const char *const names[] = {"error", "warning", "info", "debug"};

void log_init(enum log_level level, bool use_syslog)
{
    threshold = level;
    to_syslog = use_syslog;
    if (use_syslog)
        openlog("scrubd", LOG_PID, LOG_DAEMON);
}

int log_level_parse(const char *name)
{
    for (int i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if (level > threshold)
        return;
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);

    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[32];
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(stderr, "%s.%03ldZ scrubd %s: %s\n", when, ts.tv_nsec / 1000000, names[level], line);
    if (to_syslog) {
        static const int priorities[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
        syslog(priorities[level], "%s", line);
    }
}

void log_dots(void *ctx, enum dots_log_level level, const char *msg)
{
    static const enum log_level levels[] = {
        [DOTS_LOG_ERROR] = LOG_LEVEL_ERROR, [DOTS_LOG_WARNING] = LOG_LEVEL_WARNING,
        [DOTS_LOG_INFO] = LOG_LEVEL_INFO, [DOTS_LOG_DEBUG] = LOG_LEVEL_DEBUG};
    log_msg(levels[level], "%s: %s", (const char *)ctx, msg);
}
