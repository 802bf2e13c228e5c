/* The log levels of the DOTS channels' log callbacks (dots_signal_config,
 * dots_data_config): one set, so that scrubd routes both alike. */
#ifndef DOTS_LOG_H
#define DOTS_LOG_H

enum dots_log_level { DOTS_LOG_ERROR, DOTS_LOG_WARNING, DOTS_LOG_INFO, DOTS_LOG_DEBUG };

#endif
