#include "labels.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int class_index(struct scrub_labels *l, const char *name, bool legit, const char *path, unsigned line,
                       struct scrub_err *err)
{
    for (uint32_t c = 0; c < l->classes; c++) {
        if (strcmp(l->class_name[c], name) != 0)
            continue;
        if (l->class_legit[c] != legit)
            return scrub_err_set(err, EINVAL, "%s:%u: class '%s' was %s before, now %s", path, line, name,
                                 l->class_legit[c] ? "legit" : "attack", legit ? "legit" : "attack");
        return (int)c;
    }
    if (l->classes == SCRUB_LABELS_MAX_CLASSES)
        return scrub_err_set(err, EINVAL, "%s:%u: more than %u traffic classes", path, line,
                             SCRUB_LABELS_MAX_CLASSES);
    if (!(l->class_name[l->classes] = strdup(name)))
        return scrub_err_set(err, ENOMEM, "%s:%u: out of memory", path, line);
    l->class_legit[l->classes] = legit;
    return (int)l->classes++;
}

static int parse_line(struct scrub_labels *l, char *text, const char *path, unsigned line, uint32_t *cap,
                      struct scrub_err *err)
{
    char *index = strtok(text, "\t\n"), *name = strtok(NULL, "\t\n"), *kind = strtok(NULL, "\t\n");
    if (!index || !name || !kind || strtok(NULL, "\t\n"))
        return scrub_err_set(err, EINVAL, "%s:%u: expected three tab-separated fields: index, class, kind", path,
                             line);
    char *end;
    errno = 0;
    unsigned long i = strtoul(index, &end, 10);
    if (errno || *end || i != l->packets)
        return scrub_err_set(err, EINVAL, "%s:%u: index '%s', expected %u (packets in capture order)", path, line,
                             index, l->packets);
    bool legit = strcmp(kind, "legit") == 0;
    if (!legit && strcmp(kind, "attack") != 0)
        return scrub_err_set(err, EINVAL, "%s:%u: kind '%s' is neither legit nor attack", path, line, kind);
    int c = class_index(l, name, legit, path, line, err);
    if (c < 0)
        return -1;
    if (l->packets == *cap) {
        uint32_t n = *cap ? 2 * *cap : 4096;
        uint16_t *grown = realloc(l->class_of, n * sizeof(*grown));
        if (!grown)
            return scrub_err_set(err, ENOMEM, "%s:%u: out of memory", path, line);
        l->class_of = grown;
        *cap = n;
    }
    l->class_of[l->packets++] = (uint16_t)c;
    return 0;
}

int scrub_labels_load(const char *path, struct scrub_labels *l, struct scrub_err *err)
{
    memset(l, 0, sizeof(*l));
    FILE *f = fopen(path, "r");
    if (!f)
        return scrub_err_set(err, errno, "%s: %s", path, strerror(errno));
    char buf[512];
    unsigned line = 0;
    uint32_t cap = 0;
    int rc = 0;
    while (rc == 0 && fgets(buf, sizeof(buf), f)) {
        line++;
        if (!strchr(buf, '\n') && !feof(f))
            rc = scrub_err_set(err, EINVAL, "%s:%u: line longer than %zu bytes", path, line, sizeof(buf) - 2);
        else if (line == 1 && strcmp(buf, "index\tclass\tkind\n") != 0)
            rc = scrub_err_set(err, EINVAL, "%s:1: expected the header 'index<TAB>class<TAB>kind'", path);
        else if (line > 1)
            rc = parse_line(l, buf, path, line, &cap, err);
    }
    if (rc == 0 && ferror(f))
        rc = scrub_err_set(err, EIO, "%s: read error", path);
    if (rc == 0 && line == 0)
        rc = scrub_err_set(err, EINVAL, "%s: empty file", path);
    fclose(f);
    if (rc)
        scrub_labels_free(l);
    return rc;
}

void scrub_labels_free(struct scrub_labels *l)
{
    free(l->class_of);
    for (uint32_t c = 0; c < l->classes; c++)
        free(l->class_name[c]);
    memset(l, 0, sizeof(*l));
}
