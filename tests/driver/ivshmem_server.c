/* A one-client ivshmem server for the QEMU driver test: gives an
 * ivshmem-doorbell device (a stand-in card with MSI-X) a prefilled file as
 * its shared memory and one interrupt vector, following the protocol of
 * QEMU's docs/specs/ivshmem-spec.rst (Debian ships no ivshmem-server).
 *
 *   ivshmem_server SOCKET FILE
 *
 * Listens on SOCKET, serves one client as peer 0 (the guest rings its own
 * doorbell), and exits when the client disconnects. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* One message: a little-endian int64, with fd attached when fd >= 0. */
static int send_msg(int sock, int64_t value, int fd)
{
    struct iovec iov = {.iov_base = &value, .iov_len = sizeof(value)};
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    if (fd >= 0) {
        memset(&control, 0, sizeof(control));
        msg.msg_control = control.buf;
        msg.msg_controllen = sizeof(control.buf);
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    return sendmsg(sock, &msg, 0) == (ssize_t)sizeof(value) ? 0 : -1;
}

static int fail(const char *what, const char *where)
{
    fprintf(stderr, "ivshmem_server: %s %s: %s\n", what, where, strerror(errno));
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: ivshmem_server SOCKET FILE\n");
        return 2;
    }
    int shm = open(argv[2], O_RDWR);
    if (shm < 0)
        return fail("cannot open", argv[2]);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(argv[1]) >= sizeof(addr.sun_path)) {
        fprintf(stderr, "ivshmem_server: socket path %s is too long\n", argv[1]);
        return 2;
    }
    strcpy(addr.sun_path, argv[1]);
    int listener = socket(AF_UNIX, SOCK_STREAM, 0);
    unlink(argv[1]);
    if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof(addr)) || listen(listener, 1))
        return fail("cannot listen on", argv[1]);
    int client = accept(listener, NULL, NULL);
    if (client < 0)
        return fail("cannot accept on", argv[1]);
    int vector = eventfd(0, 0);
    if (vector < 0)
        return fail("cannot make an eventfd for", argv[1]);
    /* Version 0, the client's ID 0, the memory, then its one vector. */
    if (send_msg(client, 0, -1) || send_msg(client, 0, -1) || send_msg(client, -1, shm) ||
        send_msg(client, 0, vector))
        return fail("cannot send to the client on", argv[1]);
    char byte;
    while (read(client, &byte, 1) > 0)
        ;
    unlink(argv[1]);
    return 0;
}
