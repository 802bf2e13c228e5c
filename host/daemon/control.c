#define _GNU_SOURCE /* struct ucred */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "control.h"
#include "log.h"
#include "requests.h"
#include "scrub_control.h"

/* More clients at once are turned away with an answer saying so. */
#define MAX_CLIENTS 64
/* A client whose unread answers pass this is not read from until it has
 * read them, so a client that only writes cannot grow our memory. */
#define MAX_PENDING_ANSWERS (1u << 20)

struct client {
    struct control *control;
    struct bufferevent *bev;
    struct peer peer;
    bool closing; /* the last answer is being written; then the connection closes */
    struct client *next;
};

struct control {
    struct scrubd *d;
    struct evconnlistener *listener;
    struct client *clients;
    unsigned n_clients;
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static void client_free(struct client *c)
{
    struct control *ctl = c->control;
    for (struct client **p = &ctl->clients; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    ctl->n_clients--;
    log_debug("control: %s disconnected", c->peer.who);
    bufferevent_free(c->bev);
    free(c);
}

static void send_line(struct client *c, char *text)
{
    struct evbuffer *out = bufferevent_get_output(c->bev);
    if (!text)
        text = request_error("out of memory answering the request; try again");
    if (text) {
        evbuffer_add(out, text, strlen(text));
        evbuffer_add(out, "\n", 1);
    }
    free(text);
}

static void on_read(struct bufferevent *bev, void *arg);

static void on_write(struct bufferevent *bev, void *arg)
{
    struct client *c = arg;
    if (evbuffer_get_length(bufferevent_get_output(bev)) != 0)
        return;
    if (c->closing) {
        client_free(c);
        return;
    }
    if (!(bufferevent_get_enabled(bev) & EV_READ)) {
        bufferevent_enable(bev, EV_READ);
        on_read(bev, c); /* requests that arrived meanwhile are already buffered */
    }
}

static void on_read(struct bufferevent *bev, void *arg)
{
    struct client *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    for (;;) {
        if (evbuffer_get_length(bufferevent_get_output(bev)) > MAX_PENDING_ANSWERS) {
            bufferevent_disable(bev, EV_READ); /* on_write resumes once the client has read */
            log_debug("control: %s leaves over %u bytes of answers unread: its requests wait until it reads",
                      c->peer.who, MAX_PENDING_ANSWERS);
            return;
        }
        size_t len;
        char *line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
        if (!line)
            break;
        if (len > SCRUB_CONTROL_MAX_REQUEST) {
            free(line);
            goto too_long;
        }
        send_line(c, request_answer(c->control->d, &c->peer, line, len));
        free(line);
    }
    if (evbuffer_get_length(in) <= SCRUB_CONTROL_MAX_REQUEST)
        return;
too_long:;
    char msg[160];
    snprintf(msg, sizeof(msg), "request longer than %d bytes: refused, and the connection closed (one request per "
             "line, each at most %d bytes)", SCRUB_CONTROL_MAX_REQUEST, SCRUB_CONTROL_MAX_REQUEST);
    log_warning("control: %s sent a request longer than %d bytes: connection closed", c->peer.who,
                SCRUB_CONTROL_MAX_REQUEST);
    send_line(c, request_error(msg));
    evbuffer_drain(in, evbuffer_get_length(in));
    bufferevent_disable(bev, EV_READ);
    c->closing = true;
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    struct client *c = arg;
    if (what & BEV_EVENT_ERROR)
        log_debug("control: %s: %s", c->peer.who, strerror(errno));
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
        client_free(c);
}

static void identify(int fd, struct peer *p)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len)) {
        p->uid = (uid_t)-1;
        snprintf(p->who, sizeof(p->who), "an unidentified local user");
        return;
    }
    p->uid = cred.uid;
    p->pid = cred.pid;
    struct passwd pw, *found = NULL;
    char buf[1024];
    if (getpwuid_r(cred.uid, &pw, buf, sizeof(buf), &found) == 0 && found)
        snprintf(p->who, sizeof(p->who), "uid %u (%.64s)", (unsigned)cred.uid, pw.pw_name);
    else
        snprintf(p->who, sizeof(p->who), "uid %u", (unsigned)cred.uid);
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
    (void)l;
    (void)sa;
    (void)salen;
    struct control *ctl = arg;
    if (ctl->n_clients >= MAX_CLIENTS) {
        char *text = request_error("too many control connections at once (64); close one and try again");
        if (text) {
            (void)!send(fd, text, strlen(text), MSG_DONTWAIT | MSG_NOSIGNAL);
            (void)!send(fd, "\n", 1, MSG_DONTWAIT | MSG_NOSIGNAL);
        }
        free(text);
        close(fd);
        log_warning("control: connection refused: %d clients already", MAX_CLIENTS);
        return;
    }
    struct client *c = calloc(1, sizeof(*c));
    struct bufferevent *bev = bufferevent_socket_new(ctl->d->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (!c || !bev) {
        free(c);
        if (bev)
            bufferevent_free(bev);
        else
            close(fd);
        log_error("control: out of memory accepting a connection");
        return;
    }
    c->control = ctl;
    c->bev = bev;
    identify(fd, &c->peer);
    c->next = ctl->clients;
    ctl->clients = c;
    ctl->n_clients++;
    bufferevent_setcb(bev, on_read, on_write, on_event, c);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
    log_debug("control: %s connected (pid %d)", c->peer.who, (int)c->peer.pid);
}

/* Removes a socket file left by a stopped daemon; refuses a live one and
 * anything that is not a socket. */
static int clear_stale(const struct sockaddr_un *sa, struct scrub_err *err)
{
    struct stat st;
    if (lstat(sa->sun_path, &st)) {
        if (errno == ENOENT)
            return 0;
        return scrub_err_set(err, errno, "control socket %s: %s", sa->sun_path, strerror(errno));
    }
    if (!S_ISSOCK(st.st_mode))
        return scrub_err_set(err, EEXIST, "control socket %s: the path exists and is not a socket; remove it or "
                             "choose another path (-s)", sa->sun_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return scrub_err_set(err, errno, "control socket: socket: %s", strerror(errno));
    int rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
    close(fd);
    if (rc == 0)
        return scrub_err_set(err, EADDRINUSE, "control socket %s: another scrubd answers on it; stop it first, or "
                             "choose another path (-s)", sa->sun_path);
    if (unlink(sa->sun_path) && errno != ENOENT)
        return scrub_err_set(err, errno, "control socket %s: removing the stale socket: %s", sa->sun_path,
                             strerror(errno));
    log_info("control: removed the stale socket %s left by a stopped daemon", sa->sun_path);
    return 0;
}

static int set_owner(const struct scrubd_options *o, const char *path, struct scrub_err *err)
{
    uid_t uid = (uid_t)-1;
    gid_t gid = (gid_t)-1;
    char buf[4096];
    if (o->socket_owner) {
        struct passwd pw, *found = NULL;
        if (getpwnam_r(o->socket_owner, &pw, buf, sizeof(buf), &found) || !found)
            return scrub_err_set(err, ENOENT, "control socket %s: no user '%s' (--socket-owner)", path,
                                 o->socket_owner);
        uid = pw.pw_uid;
    }
    if (o->socket_group) {
        struct group gr, *found = NULL;
        if (getgrnam_r(o->socket_group, &gr, buf, sizeof(buf), &found) || !found)
            return scrub_err_set(err, ENOENT, "control socket %s: no group '%s' (--socket-group)", path,
                                 o->socket_group);
        gid = gr.gr_gid;
    }
    if ((uid != (uid_t)-1 || gid != (gid_t)-1) && chown(path, uid, gid))
        return scrub_err_set(err, errno, "control socket %s: chown to %s:%s: %s", path,
                             o->socket_owner ? o->socket_owner : "-", o->socket_group ? o->socket_group : "-",
                             strerror(errno));
    if (chmod(path, o->socket_mode))
        return scrub_err_set(err, errno, "control socket %s: chmod %04o: %s", path, (unsigned)o->socket_mode,
                             strerror(errno));
    return 0;
}

struct control *control_open(struct scrubd *d, struct scrub_err *err)
{
    const char *path = d->opt.socket_path;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path)) {
        scrub_err_set(err, ENAMETOOLONG, "control socket %s: longer than %zu bytes; choose a shorter path (-s)", path,
                      sizeof(sa.sun_path) - 1);
        return NULL;
    }
    strcpy(sa.sun_path, path);
    if (clear_stale(&sa, err))
        return NULL;
    struct control *ctl = calloc(1, sizeof(*ctl));
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (!ctl || fd < 0) {
        scrub_err_set(err, ctl ? errno : ENOMEM, "control socket %s: %s", path, ctl ? strerror(errno) : "no memory");
        free(ctl);
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    ctl->d = d;
    strcpy(ctl->path, path);
    /* Nobody may connect between bind and chmod: bind with no permissions. */
    mode_t old = umask(0777);
    int rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    int bind_errno = errno;
    umask(old);
    if (rc) {
        scrub_err_set(err, bind_errno, "control socket %s: bind: %s", path, strerror(bind_errno));
        close(fd);
        free(ctl);
        return NULL;
    }
    if (set_owner(&d->opt, path, err)) {
        close(fd);
        unlink(path);
        free(ctl);
        return NULL;
    }
    ctl->listener = evconnlistener_new(d->base, on_accept, ctl, LEV_OPT_CLOSE_ON_FREE, 16, fd);
    if (!ctl->listener) {
        scrub_err_set(err, errno, "control socket %s: listen: %s", path, strerror(errno));
        close(fd);
        unlink(path);
        free(ctl);
        return NULL;
    }
    log_info("control: listening on %s (mode %04o)", path, (unsigned)d->opt.socket_mode);
    return ctl;
}

void control_close(struct control *ctl)
{
    if (!ctl)
        return;
    while (ctl->clients)
        client_free(ctl->clients);
    evconnlistener_free(ctl->listener);
    if (unlink(ctl->path) && errno != ENOENT)
        log_warning("control: removing %s: %s", ctl->path, strerror(errno));
    free(ctl);
}
