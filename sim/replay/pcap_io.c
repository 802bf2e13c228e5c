#include "pcap_io.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#define SNAPLEN 65535

struct scrub_pcap_in {
    pcap_t *p;
    char *path;
    uint64_t records;
};

struct scrub_pcap_out {
    pcap_t *p;
    pcap_dumper_t *d;
    char *path;
};

struct scrub_pcap_in *scrub_pcap_open_in(const char *path, struct scrub_err *err)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!p) {
        scrub_err_set(err, EINVAL, "%s: not a readable pcap capture: %s", path, errbuf);
        return NULL;
    }
    if (pcap_datalink(p) != DLT_EN10MB) {
        scrub_err_set(err, EINVAL, "%s: link type %s; the card takes Ethernet (EN10MB) frames", path,
                      pcap_datalink_val_to_name(pcap_datalink(p)) ? pcap_datalink_val_to_name(pcap_datalink(p))
                                                                   : "unknown");
        pcap_close(p);
        return NULL;
    }
    struct scrub_pcap_in *in = calloc(1, sizeof(*in));
    if (!in || !(in->path = strdup(path))) {
        free(in);
        pcap_close(p);
        scrub_err_set(err, ENOMEM, "%s: out of memory", path);
        return NULL;
    }
    in->p = p;
    return in;
}

int scrub_pcap_next(struct scrub_pcap_in *in, const uint8_t **frame, uint32_t *len, uint64_t *ts_ns,
                    struct scrub_err *err)
{
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc = pcap_next_ex(in->p, &h, &data);
    if (rc == PCAP_ERROR_BREAK)
        return 0;
    if (rc != 1)
        return scrub_err_set(err, EINVAL, "%s: record %llu: %s", in->path, (unsigned long long)in->records + 1,
                             pcap_geterr(in->p));
    in->records++;
    if (h->caplen < h->len)
        return scrub_err_set(err, EINVAL,
                             "%s: record %llu: captured %u of its %u bytes; replay needs whole frames "
                             "(capture with a larger snaplen)",
                             in->path, (unsigned long long)in->records, h->caplen, h->len);
    *frame = data;
    *len = h->caplen;
    *ts_ns = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec; /* tv_usec holds ns here */
    return 1;
}

uint64_t scrub_pcap_records(const struct scrub_pcap_in *in)
{
    return in->records;
}

void scrub_pcap_close_in(struct scrub_pcap_in *in)
{
    if (!in)
        return;
    pcap_close(in->p);
    free(in->path);
    free(in);
}

struct scrub_pcap_out *scrub_pcap_open_out(const char *path, struct scrub_err *err)
{
    struct scrub_pcap_out *out = calloc(1, sizeof(*out));
    if (!out || !(out->path = strdup(path))) {
        free(out);
        scrub_err_set(err, ENOMEM, "%s: out of memory", path);
        return NULL;
    }
    out->p = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, SNAPLEN, PCAP_TSTAMP_PRECISION_NANO);
    out->d = out->p ? pcap_dump_open(out->p, path) : NULL;
    if (!out->d) {
        scrub_err_set(err, EIO, "%s: cannot create the capture: %s", path,
                      out->p ? pcap_geterr(out->p) : "out of memory");
        if (out->p)
            pcap_close(out->p);
        free(out->path);
        free(out);
        return NULL;
    }
    return out;
}

void scrub_pcap_write(struct scrub_pcap_out *out, const uint8_t *frame, uint32_t len, uint64_t ts_ns)
{
    struct pcap_pkthdr h = {.caplen = len, .len = len};
    h.ts.tv_sec = (time_t)(ts_ns / 1000000000u);
    h.ts.tv_usec = (suseconds_t)(ts_ns % 1000000000u); /* ns in a nanosecond capture */
    pcap_dump((u_char *)out->d, &h, frame);
}

int scrub_pcap_close_out(struct scrub_pcap_out *out, struct scrub_err *err)
{
    int rc = 0;
    if (pcap_dump_flush(out->d) != 0 || ferror(pcap_dump_file(out->d)))
        rc = scrub_err_set(err, EIO, "%s: writing the capture failed: %s", out->path, strerror(errno));
    pcap_dump_close(out->d);
    pcap_close(out->p);
    free(out->path);
    free(out);
    return rc;
}
