/* A minimal blocking echo pair, the reference for netkit's echo benchmarks.
 *   echo_pair server PORT           blocking echo server, a thread per client
 *   echo_pair rtt PORT N            N 1-byte round trips; prints p50 in ms
 *   echo_pair stream PORT BYTES     writer thread + reader (memcmp-verified);
 *                                   prints MB/s
 *   echo_pair load PORT CONNS N     CONNS threads x N round trips of 64 bytes;
 *                                   prints the wall time in ms
 *   echo_pair udpserver PORT        UDP echo server (one thread)
 *   echo_pair udprtt PORT N         N 64-byte UDP round trips, the clock read
 *                                   before send(); prints p50 in ms
 * Loopback only (127.0.0.1). Build: cc -O2 -pthread -o echo_pair echo_pair.c
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF (256 * 1024)

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void *serve(void *arg) {
    int fd = (int)(intptr_t)arg;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char *buf = malloc(BUF);
    for (;;) {
        ssize_t n = read(fd, buf, BUF);
        if (n <= 0) break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(fd, buf + off, n - off);
            if (w <= 0) goto out;
            off += w;
        }
    }
out:
    free(buf);
    close(fd);
    return NULL;
}

static int dial(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (void *)&a, sizeof a) != 0) { perror("connect"); exit(1); }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static unsigned char pattern(uint64_t i) { return (unsigned char)(i * 131 + (i >> 13)); }

struct job { int fd; uint64_t bytes; };

static void *writer(void *arg) {
    struct job *j = arg;
    unsigned char *buf = malloc(BUF);
    for (uint64_t off = 0; off < j->bytes;) {
        size_t n = j->bytes - off < BUF ? j->bytes - off : BUF;
        for (size_t k = 0; k < n; k++) buf[k] = pattern(off + k);
        ssize_t w = write(j->fd, buf, n);
        if (w <= 0) { perror("write"); exit(1); }
        off += (uint64_t)w;
    }
    shutdown(j->fd, SHUT_WR);
    free(buf);
    return NULL;
}

static int load_port, load_rounds;

static void *load_worker(void *arg) {
    (void)arg;
    int fd = dial(load_port);
    char buf[64];
    memset(buf, 'x', sizeof buf);
    for (int i = 0; i < load_rounds; i++) {
        if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) { perror("write"); exit(1); }
        for (size_t got = 0; got < sizeof buf;) {
            ssize_t n = read(fd, buf + got, sizeof buf - got);
            if (n <= 0) { perror("read"); exit(1); }
            got += (size_t)n;
        }
    }
    close(fd);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: see the comment at the top\n"); return 2; }
    int port = atoi(argv[2]);
    if (!strcmp(argv[1], "server")) {
        int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
        setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(l, (void *)&a, sizeof a) || listen(l, 4096)) { perror("bind"); return 1; }
        for (;;) {
            int c = accept(l, NULL, NULL);
            if (c < 0) continue;
            pthread_t t;
            pthread_create(&t, NULL, serve, (void *)(intptr_t)c);
            pthread_detach(t);
        }
    }
    if (!strcmp(argv[1], "rtt") && argc == 4) {
        int fd = dial(port), n = atoi(argv[3]);
        double *s = malloc(sizeof(double) * n);
        char b = 'x';
        for (int i = 0; i < n; i++) {
            double t0 = now();
            if (write(fd, &b, 1) != 1 || read(fd, &b, 1) != 1) { perror("rtt"); return 1; }
            s[i] = (now() - t0) * 1e3;
        }
        qsort(s, n, sizeof(double), cmp);
        printf("%.6f\n", s[(n + 1) / 2 - 1]);
        return 0;
    }
    if (!strcmp(argv[1], "stream") && argc == 4) {
        struct job j = {dial(port), strtoull(argv[3], NULL, 10)};
        pthread_t t;
        double t0 = now();
        pthread_create(&t, NULL, writer, &j);
        unsigned char *buf = malloc(BUF), *want = malloc(BUF);
        uint64_t off = 0;
        for (;;) {
            ssize_t n = read(j.fd, buf, BUF);
            if (n <= 0) break;
            for (ssize_t k = 0; k < n; k++) want[k] = pattern(off + k);
            if (memcmp(buf, want, n)) { fprintf(stderr, "mismatch near %llu\n", (unsigned long long)off); return 1; }
            off += (uint64_t)n;
        }
        pthread_join(t, NULL);
        printf("%.1f\n", off / (now() - t0) / 1e6);
        return off == j.bytes ? 0 : 1;
    }
    if (!strcmp(argv[1], "load") && argc == 5) {
        int conns = atoi(argv[3]);
        load_port = port;
        load_rounds = atoi(argv[4]);
        pthread_t *t = malloc(sizeof(pthread_t) * conns);
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, 64 * 1024);
        double t0 = now();
        for (int i = 0; i < conns; i++) pthread_create(&t[i], &attr, load_worker, NULL);
        for (int i = 0; i < conns; i++) pthread_join(t[i], NULL);
        printf("%.1f\n", (now() - t0) * 1e3);
        return 0;
    }
    if (!strcmp(argv[1], "udpserver")) {
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(fd, (void *)&a, sizeof a)) { perror("bind"); return 1; }
        char buf[65536];
        for (;;) {
            struct sockaddr_in from;
            socklen_t len = sizeof from;
            ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (void *)&from, &len);
            if (n >= 0) sendto(fd, buf, n, 0, (void *)&from, len);
        }
    }
    if (!strcmp(argv[1], "udprtt") && argc == 4) {
        int fd = socket(AF_INET, SOCK_DGRAM, 0), n = atoi(argv[3]);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        struct timeval tv = {.tv_sec = 1};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        if (connect(fd, (void *)&a, sizeof a)) { perror("connect"); return 1; }
        double *s = malloc(sizeof(double) * n);
        char buf[64];
        memset(buf, 'x', sizeof buf);
        int got = 0;
        for (int i = 0; i < n; i++) {
            double t0 = now();
            if (send(fd, buf, sizeof buf, 0) != (ssize_t)sizeof buf) { perror("send"); return 1; }
            if (recv(fd, buf, sizeof buf, 0) != (ssize_t)sizeof buf) continue;
            s[got++] = (now() - t0) * 1e3;
        }
        if (!got) { fprintf(stderr, "no replies\n"); return 1; }
        qsort(s, got, sizeof(double), cmp);
        printf("%.6f\n", s[(got + 1) / 2 - 1]);
        return 0;
    }
    fprintf(stderr, "usage: see the comment at the top\n");
    return 2;
}
