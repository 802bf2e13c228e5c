/* Replays files through a fuzz entry point without libFuzzer, so every
 * build (gcc, ASan/UBSan) runs the committed corpus as a test.
 * Usage: dots_fuzz_replay DIR|FILE... (dots_fuzz_data_replay alike); fails
 * when nothing was replayed. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, n;
    if (!f) {
        perror(path);
        exit(1);
    }
    do {
        if (len == cap && !(buf = realloc(buf, cap = cap ? 2 * cap : 4096)))
            abort();
        n = fread(buf + len, 1, cap - len, f);
        len += n;
    } while (n > 0);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 1;
}

int main(int argc, char **argv)
{
    const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    int count = 0;
    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        if (!d) {
            count += replay_file(argv[i]);
            continue;
        }
        for (struct dirent *e; (e = readdir(d));) {
            char path[4096];
            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            count += replay_file(path);
        }
        closedir(d);
    }
    if (count == 0) {
        fprintf(stderr, "%s: no inputs\n", name);
        return 1;
    }
    printf("%s: %d inputs, no crash\n", name, count);
    return 0;
}
