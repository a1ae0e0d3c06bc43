/* Interleaved start-up timing: runs command A, then B, then A... N times
 * each (posix_spawn, stdout and stderr to /dev/null, wait), and prints the
 * median and the 10th/90th percentiles of each, in milliseconds, and the
 * ratio of the medians. Interleaving puts both under the same drift on a
 * noisy machine, where hyperfine's one-after-the-other runs do not.
 *
 *   cc -O2 -o spawn benches/spawn.c
 *   ./spawn N -- A ARGS... -- B ARGS...
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static double run(char **argv) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    double t0 = now_ms();
    pid_t pid;
    if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
        perror(argv[0]);
        exit(2);
    }
    int status;
    waitpid(pid, &status, 0);
    double t = now_ms() - t0;
    posix_spawn_file_actions_destroy(&fa);
    return t;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *name, double *v, int n) {
    qsort(v, n, sizeof *v, cmp);
    printf("%s: median %.3f ms (p10 %.3f, p90 %.3f)\n", name, v[n / 2], v[n / 10], v[n * 9 / 10]);
}

int main(int argc, char **argv) {
    if (argc < 6 || strcmp(argv[2], "--") != 0) {
        fprintf(stderr, "usage: spawn N -- A ARGS... -- B ARGS...\n");
        return 2;
    }
    int n = atoi(argv[1]);
    char **a = &argv[3], **b = NULL;
    for (int i = 3; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) {
            argv[i] = NULL;
            b = &argv[i + 1];
            break;
        }
    if (n < 10 || !b || !*b) {
        fprintf(stderr, "usage: spawn N -- A ARGS... -- B ARGS... (N >= 10)\n");
        return 2;
    }
    double *ta = calloc(n, sizeof *ta), *tb = calloc(n, sizeof *tb);
    for (int i = 0; i < 20; i++) { /* warm-up */
        run(a);
        run(b);
    }
    for (int i = 0; i < n; i++) {
        ta[i] = run(a);
        tb[i] = run(b);
    }
    report(a[0], ta, n);
    report(b[0], tb, n);
    printf("ratio of medians: %.2f\n", ta[n / 2] / tb[n / 2]);
    return 0;
}
