/* The control socket's protocol, shared by scrubd and scrubctl
 * (docs/daemon.md): a UNIX stream socket; each request is one line of
 * JSON, {"command": NAME, ...}; each answer is one line of JSON,
 * {"ok": true, "result": {...}} or {"ok": false, "error": TEXT}. */
#ifndef SCRUB_CONTROL_H
#define SCRUB_CONTROL_H

#define SCRUB_CONTROL_SOCKET_DEFAULT "/run/scrubd.sock"
/* A longer request line is refused and its connection closed. */
#define SCRUB_CONTROL_MAX_REQUEST 65536
/* Nesting deeper than this in a request is refused. */
#define SCRUB_CONTROL_MAX_DEPTH 16

#endif
