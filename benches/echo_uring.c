/* The load shape of benches/echo.sh (N connections x R round trips of 64
 * bytes) driven by one thread through io_uring (liburing): each round trip
 * is a send linked to a recv, every connection's pair in flight at once,
 * completions reaped in batches. An experiment beside netkit's tokio client
 * and the C pair's thread per connection: what io_uring batching does for
 * this shape on this kernel. Prints the wall time in ms (connects included,
 * as for the others).
 *
 *   echo_uring PORT N R
 * Loopback only (127.0.0.1). Build: cc -O2 -o echo_uring echo_uring.c -luring
 */
#include <arpa/inet.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
    int fd, rounds, got;
    char out[64], in[64];
};

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* user_data: connection index * 2 + (0 send, 1 recv) */
static void queue_round(struct io_uring *ring, struct conn *c, int i) {
    struct io_uring_sqe *s = io_uring_get_sqe(ring);
    io_uring_prep_send(s, c->fd, c->out, sizeof c->out, 0);
    s->flags |= IOSQE_IO_LINK;
    io_uring_sqe_set_data64(s, (unsigned long long)i * 2);
    struct io_uring_sqe *r = io_uring_get_sqe(ring);
    io_uring_prep_recv(r, c->fd, c->in, sizeof c->in, MSG_WAITALL);
    io_uring_sqe_set_data64(r, (unsigned long long)i * 2 + 1);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: echo_uring PORT N R\n");
        return 2;
    }
    int port = atoi(argv[1]), n = atoi(argv[2]), rounds = atoi(argv[3]);
    struct io_uring ring;
    if (io_uring_queue_init(4096, &ring, 0)) {
        perror("io_uring_queue_init");
        return 1;
    }
    struct conn *cs = calloc(n, sizeof *cs);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    double t0 = now();
    for (int i = 0; i < n; i++) {
        cs[i].fd = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(cs[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(cs[i].fd, (void *)&a, sizeof a)) {
            perror("connect");
            return 1;
        }
        memset(cs[i].out, 'x', sizeof cs[i].out);
    }
    int live = n, pending = 0;
    for (int i = 0; i < n; i++) {
        if (io_uring_sq_space_left(&ring) < 2) pending = io_uring_submit(&ring);
        queue_round(&ring, &cs[i], i);
    }
    (void)pending;
    while (live > 0) {
        io_uring_submit_and_wait(&ring, 1);
        struct io_uring_cqe *cqe;
        unsigned head, seen = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            seen++;
            unsigned long long d = io_uring_cqe_get_data64(cqe);
            struct conn *c = &cs[d / 2];
            if (cqe->res < 0) {
                fprintf(stderr, "conn %llu: %s\n", d / 2, strerror(-cqe->res));
                return 1;
            }
            if (d % 2 == 1) {
                if (cqe->res != (int)sizeof c->in) {
                    fprintf(stderr, "short read %d\n", cqe->res);
                    return 1;
                }
                if (++c->rounds == rounds) {
                    live--;
                } else {
                    if (io_uring_sq_space_left(&ring) < 2) io_uring_submit(&ring);
                    queue_round(&ring, c, (int)(d / 2));
                }
            }
        }
        io_uring_cq_advance(&ring, seen);
    }
    printf("%.1f\n", (now() - t0) * 1e3);
    return 0;
}
