/*
 * Request/response round trips on one connection: send msg_size bytes,
 * wait for msg_size bytes back, record the time in the histogram, again.
 * Blocking calls in the calling thread, so a round trip costs what the
 * kernel and the server cost and nothing else; the clock is read twice
 * per round trip (vDSO, a few tens of nanoseconds).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "conn.h"

#define DGRAM_WAIT_MS 1000 /* a datagram unanswered for this long is counted lost */

/*
 * On streams the wait for an answer is bounded by a watchdog thread rather
 * than SO_RCVTIMEO: a socket timeout arms a kernel timer on every blocking
 * call, 0.2 to 0.3 us a round trip here (2 to 3 % of a unix round trip).
 * The watchdog looks at a progress counter once per timeout and shuts the
 * socket down when it has not moved, so a silent server still ends the run.
 */
struct watchdog {
	int fd, timeout_ms;
	int quit[2];
	atomic_uint_fast64_t progress;
	atomic_bool fired;
	pthread_t thread;
	bool running;
};

static void *watch(void *arg)
{
	struct watchdog *w = arg;
	uint_fast64_t last = atomic_load(&w->progress);
	struct pollfd p = { .fd = w->quit[0], .events = POLLIN };

	for (;;) {
		int r = poll(&p, 1, w->timeout_ms);

		if (r != 0) {
			if (r > 0 || errno != EINTR)
				return NULL;
			continue;
		}
		if (atomic_load(&w->progress) == last) {
			atomic_store(&w->fired, true);
			shutdown(w->fd, SHUT_RDWR);
			return NULL;
		}
		last = atomic_load(&w->progress);
	}
}

static void watchdog_start(struct watchdog *w, int fd, int timeout_ms)
{
	sigset_t all, old;

	memset(w, 0, sizeof *w);
	w->fd = fd;
	w->timeout_ms = timeout_ms;
	if (pipe2(w->quit, O_CLOEXEC) < 0)
		return;
	rp_conn_set_wait(fd, 0); /* no kernel timer per call: the watchdog bounds the wait */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	w->running = pthread_create(&w->thread, NULL, watch, w) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!w->running) {
		rp_conn_set_wait(fd, timeout_ms); /* no thread: the socket timeout it is */
		close(w->quit[0]);
		close(w->quit[1]);
	}
}

static void watchdog_stop(struct watchdog *w)
{
	char b = 1;

	if (!w->running)
		return;
	while (write(w->quit[1], &b, 1) < 0 && errno == EINTR)
		;
	pthread_join(w->thread, NULL);
	close(w->quit[0]);
	close(w->quit[1]);
	w->running = false;
}

enum step { STEP_OK, STEP_LOST, STEP_STOP, STEP_FAIL };

/*
 * tcp goes through send/recv, the unix kinds through write/read: the
 * cheaper pair for each here (a few hundred ns a round trip in a VM), the
 * same pair the floor uses. The caller ignores SIGPIPE (measure.h).
 */
static enum step send_all(int fd, const char *p, size_t n, bool unix_kind,
			  const struct rp_bench_ctl *ctl)
{
	while (n > 0) {
		ssize_t w = unix_kind ? write(fd, p, n) : send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR) {
			if (rp_ctl_stopped(ctl))
				return STEP_STOP;
			continue;
		}
		if (w < 0)
			return STEP_FAIL;
		p += w;
		n -= (size_t)w;
	}
	return STEP_OK;
}

/* The answer: n bytes of a stream, or one message of a datagram or seqpacket socket. */
static enum step recv_answer(int fd, char *p, size_t n, bool stream, bool unix_kind,
			     const struct rp_bench_ctl *ctl)
{
	while (n > 0) {
		ssize_t r = unix_kind ? read(fd, p, n) : recv(fd, p, n, 0);

		if (r > 0 && !stream)
			return STEP_OK;
		if (r > 0) {
			p += r;
			n -= (size_t)r;
			continue;
		}
		if (r == 0) {
			errno = ECONNRESET; /* the server closed in the middle of a round trip */
			return STEP_FAIL;
		}
		if (errno == EINTR) {
			if (rp_ctl_stopped(ctl))
				return STEP_STOP;
			continue;
		}
		if (!stream && (errno == EAGAIN || errno == EWOULDBLOCK))
			return STEP_LOST;
		return STEP_FAIL;
	}
	return STEP_OK;
}

/* After a loss: a late answer must not be taken for the next one. */
static void drop_late(int fd, char *buf, size_t n)
{
	while (recv(fd, buf, n, MSG_DONTWAIT) > 0)
		;
}

struct rr_conn {
	int fd;
	bool stream, unix_kind;
	struct watchdog dog; /* streams */
};

static enum step round_trip(struct rr_conn *c, char *buf, size_t size,
			    const struct rp_bench_ctl *ctl, struct rp_rr_result *r)
{
	int64_t t0 = rp_now_ns();
	enum step s = send_all(c->fd, buf, size, c->unix_kind, ctl);

	if (s == STEP_OK)
		s = recv_answer(c->fd, buf, size, c->stream, c->unix_kind, ctl);
	if (s == STEP_OK) {
		rp_hist_add(&r->hist, rp_now_ns() - t0);
		r->n++;
		atomic_store_explicit(&c->dog.progress, r->n, memory_order_relaxed);
	} else if (s == STEP_LOST) {
		r->lost++;
		drop_late(c->fd, buf, size);
	}
	return s;
}

int rp_measure_rr(const struct rp_sockaddr *a, const struct rp_rr_opts *o,
		  const struct rp_bench_ctl *ctl, struct rp_rr_result *r, char *err, size_t errlen)
{
	struct rr_conn c = { .stream = rp_sockaddr_is_stream(a), .unix_kind = a->family == AF_UNIX };
	char *buf = calloc(1, o->msg_size);
	char why[128];
	int rc = 0;

	memset(r, 0, offsetof(struct rp_rr_result, hist));
	rp_hist_init(&r->hist);
	r->interrupted = false;
	if (!buf)
		return rp_measure_fail(err, errlen, "out of memory for %zu-byte messages", o->msg_size);
	c.fd = rp_conn_open(a, ctl, err, errlen);
	if (c.fd < 0) {
		free(buf);
		return -1;
	}
	if (c.stream)
		watchdog_start(&c.dog, c.fd, ctl->timeout_ms);
	else
		rp_conn_set_wait(c.fd, ctl->timeout_ms < DGRAM_WAIT_MS ? ctl->timeout_ms : DGRAM_WAIT_MS);
	for (uint64_t i = 0; i < o->count; i++) {
		enum step s = rp_ctl_stopped(ctl) ? STEP_STOP : round_trip(&c, buf, o->msg_size, ctl, r);

		if (s == STEP_STOP) {
			r->interrupted = true;
			break;
		}
		if (s == STEP_FAIL) {
			int e = atomic_load(&c.dog.fired) ? EAGAIN : errno;

			rc = rp_measure_fail(err, errlen, "round trip %llu to %s: %s",
					     (unsigned long long)i + 1, a->text,
					     rp_conn_strerror(e, ctl->timeout_ms, why, sizeof why));
			break;
		}
	}
	watchdog_stop(&c.dog);
	close(c.fd);
	free(buf);
	return rc;
}
