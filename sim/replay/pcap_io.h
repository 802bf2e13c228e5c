/* Reading and writing Ethernet captures with libpcap, with errors that name
 * the file and the record. Timestamps are nanoseconds (microsecond
 * captures are scaled by libpcap). */
#ifndef SCRUB_PCAP_IO_H
#define SCRUB_PCAP_IO_H

#include <stdint.h>

#include "scrub_err.h"

struct scrub_pcap_in;
struct scrub_pcap_out;

struct scrub_pcap_in *scrub_pcap_open_in(const char *path, struct scrub_err *err);
/* 1: a frame (valid until the next call), 0: end of file, -1: error. */
int scrub_pcap_next(struct scrub_pcap_in *in, const uint8_t **frame, uint32_t *len, uint64_t *ts_ns,
                    struct scrub_err *err);
/* Records read so far. */
uint64_t scrub_pcap_records(const struct scrub_pcap_in *in);
void scrub_pcap_close_in(struct scrub_pcap_in *in);

struct scrub_pcap_out *scrub_pcap_open_out(const char *path, struct scrub_err *err);
/* Write errors surface at close. */
void scrub_pcap_write(struct scrub_pcap_out *out, const uint8_t *frame, uint32_t len, uint64_t ts_ns);
/* Flushes and closes; -1 if the data did not reach the file. */
int scrub_pcap_close_out(struct scrub_pcap_out *out, struct scrub_err *err);

#endif
