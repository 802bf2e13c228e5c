#include "simcard_live.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* A frame longer than this (a jumbo beyond any MTU) is a host drop. */
#define FRAME_BUF 65536u
/* Socket receive buffers: a burst waits here while the card is busy (a
 * simulated card is far slower than a wire). */
#define RCVBUF_BYTES (16 << 20)
/* Return-path frames passed per call, so the outside is served too. */
#define RETURN_BATCH 64u

struct port {
    const char *name;
    int fd;
    uint64_t rx, tx, truncated, tx_failed, kernel_drops;
};

struct simcard_live {
    struct port outside, inside;
    uint8_t buf[FRAME_BUF + 4];
};

static int open_port(const char *name, struct port *p, struct scrub_err *err)
{
    p->name = name;
    p->fd = -1;
    unsigned ifindex = if_nametoindex(name);
    if (!ifindex)
        return scrub_err_set(err, ENODEV, "interface '%s': no such interface", name);
    /* Protocol 0 until bound: no frame of another interface gets queued. */
    p->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (p->fd < 0)
        return scrub_err_set(err, errno, "interface '%s': AF_PACKET socket: %s%s", name, strerror(errno),
                             errno == EPERM ? " (needs root or CAP_NET_RAW)" : "");
    struct ifreq ifr = {0};
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    if (ioctl(p->fd, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP))
        return scrub_err_set(err, ENETDOWN, "interface '%s' is down", name);
    struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = (int)ifindex};
    if (bind(p->fd, (struct sockaddr *)&sll, sizeof(sll)))
        return scrub_err_set(err, errno, "interface '%s': bind: %s", name, strerror(errno));
    struct packet_mreq mr = {.mr_ifindex = (int)ifindex, .mr_type = PACKET_MR_PROMISC};
    if (setsockopt(p->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)))
        return scrub_err_set(err, errno, "interface '%s': promiscuous mode: %s", name, strerror(errno));
    int one = 1, rcvbuf = RCVBUF_BYTES;
    if (setsockopt(p->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
        setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)); /* without CAP_NET_ADMIN: capped */
    /* VLAN tags the kernel took off come back through the aux data. */
    if (setsockopt(p->fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)))
        return scrub_err_set(err, errno, "interface '%s': PACKET_AUXDATA: %s", name, strerror(errno));
    /* Our own sends are not traffic (older kernels: filtered by type below). */
    setsockopt(p->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
    return 0;
}

struct simcard_live *simcard_live_open(const char *outside, const char *inside, struct scrub_err *err)
{
    if (strcmp(outside, inside) == 0) {
        scrub_err_set(err, EINVAL, "--outside and --inside are both '%s'", outside);
        return NULL;
    }
    struct simcard_live *l = calloc(1, sizeof(*l));
    if (!l) {
        scrub_err_set(err, ENOMEM, "out of memory opening the interfaces");
        return NULL;
    }
    l->inside.fd = -1;
    if (open_port(outside, &l->outside, err) || open_port(inside, &l->inside, err)) {
        scrub_err_prefix(err, "%s", l->inside.name ? "--inside" : "--outside");
        simcard_live_close(l);
        return NULL;
    }
    return l;
}

static void read_kernel_drops(struct port *p)
{
    struct tpacket_stats st;
    socklen_t len = sizeof(st);
    if (p->fd >= 0 && getsockopt(p->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0)
        p->kernel_drops += st.tp_drops; /* reading resets them */
}

void simcard_live_close(struct simcard_live *l)
{
    if (!l)
        return;
    if (l->outside.fd >= 0)
        close(l->outside.fd);
    if (l->inside.fd >= 0)
        close(l->inside.fd);
    free(l);
}

void simcard_live_pollfds(const struct simcard_live *l, struct pollfd fds[2])
{
    fds[0] = (struct pollfd){.fd = l->outside.fd, .events = POLLIN};
    fds[1] = (struct pollfd){.fd = l->inside.fd, .events = POLLIN};
}

/* One frame from a port as it was on the wire (VLAN tag put back); 0 when
 * none waits. */
static uint32_t port_recv(struct port *p, uint8_t *buf, uint32_t cap)
{
    for (;;) {
        struct sockaddr_ll from;
        union {
            struct cmsghdr align;
            char space[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
        } ctl;
        struct iovec iov = {.iov_base = buf, .iov_len = cap - 4};
        struct msghdr msg = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1,
                             .msg_control = &ctl, .msg_controllen = sizeof(ctl)};
        ssize_t n = recvmsg(p->fd, &msg, MSG_DONTWAIT | MSG_TRUNC);
        if (n <= 0)
            return 0;
        if (from.sll_pkttype == PACKET_OUTGOING)
            continue;
        if ((size_t)n > cap - 4 || (msg.msg_flags & MSG_TRUNC)) {
            p->truncated++;
            continue;
        }
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA || n < 12)
                continue;
            struct tpacket_auxdata aux;
            memcpy(&aux, CMSG_DATA(c), sizeof(aux));
            if (!(aux.tp_status & TP_STATUS_VLAN_VALID))
                continue;
            uint16_t tpid = aux.tp_status & TP_STATUS_VLAN_TPID_VALID ? aux.tp_vlan_tpid : ETH_P_8021Q;
            memmove(buf + 16, buf + 12, (size_t)n - 12);
            buf[12] = (uint8_t)(tpid >> 8);
            buf[13] = (uint8_t)tpid;
            buf[14] = (uint8_t)(aux.tp_vlan_tci >> 8);
            buf[15] = (uint8_t)aux.tp_vlan_tci;
            n += 4;
        }
        p->rx++;
        return (uint32_t)n;
    }
}

static void port_send(struct port *p, const uint8_t *frame, uint32_t len)
{
    if (send(p->fd, frame, len, MSG_DONTWAIT) == (ssize_t)len)
        p->tx++;
    else
        p->tx_failed++;
}

uint32_t simcard_live_recv_outside(struct simcard_live *l, uint8_t *buf, uint32_t cap)
{
    return port_recv(&l->outside, buf, cap);
}

void simcard_live_send_inside(struct simcard_live *l, const uint8_t *frame, uint32_t len)
{
    port_send(&l->inside, frame, len);
}

unsigned simcard_live_return_path(struct simcard_live *l)
{
    unsigned done = 0;
    uint32_t n;
    while (done < RETURN_BATCH && (n = port_recv(&l->inside, l->buf, sizeof(l->buf))) > 0) {
        port_send(&l->outside, l->buf, n);
        done++;
    }
    return done;
}

void simcard_live_report(struct simcard_live *l, FILE *f)
{
    read_kernel_drops(&l->outside);
    read_kernel_drops(&l->inside);
    const struct port *o = &l->outside, *i = &l->inside;
    fprintf(f, "host outside %s: %llu frames to the card; host drops: %llu kernel, %llu too long\n", o->name,
            (unsigned long long)o->rx, (unsigned long long)o->kernel_drops, (unsigned long long)o->truncated);
    fprintf(f, "host inside %s: %llu card frames sent, %llu send failures\n", i->name, (unsigned long long)i->tx,
            (unsigned long long)i->tx_failed);
    fprintf(f, "host return path %s -> %s: %llu frames in, %llu out, host drops: %llu kernel, %llu too long, "
            "%llu send failures\n", i->name, o->name, (unsigned long long)i->rx, (unsigned long long)o->tx,
            (unsigned long long)i->kernel_drops, (unsigned long long)i->truncated, (unsigned long long)o->tx_failed);
}
