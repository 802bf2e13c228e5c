/* scrubd's log: one line per event, with a level, to stderr (and to syslog
 * when asked). Owns the level filter and the line format. */
#ifndef SCRUBD_LOG_H
#define SCRUBD_LOG_H

#include <stdbool.h>

#include "dots_log.h"

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARNING, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* Lines below level are dropped; use_syslog copies every kept line to
 * syslog (facility daemon). */
void log_init(enum log_level level, bool use_syslog);
/* "error", "warning", "info", "debug"; -1 for anything else. */
int log_level_parse(const char *name);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A DOTS channel's log callback (dots_log.h): ctx is the channel's name,
 * put before each line ("dots signal: ..."). */
void log_dots(void *ctx, enum dots_log_level level, const char *msg);

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
