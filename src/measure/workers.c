#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "workers.h"

void rp_crew_close(struct rp_crew *c)
{
	for (unsigned i = 0; i < c->n; i++)
		if (c->w[i].fd >= 0)
			close(c->w[i].fd);
	c->n = 0;
	for (int i = 0; i < 2; i++)
		if (c->done[i] >= 0)
			close(c->done[i]);
	c->done[0] = c->done[1] = -1;
}

int rp_crew_open(struct rp_crew *c, const struct rp_sockaddr *a, unsigned n, uint64_t total,
		 const struct rp_bench_ctl *ctl, void *arg, char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	c->done[0] = c->done[1] = -1;
	if (pipe2(c->done, O_CLOEXEC) < 0)
		return rp_measure_fail(err, errlen, "pipe: %s", strerror(errno));
	for (unsigned i = 0; i < n; i++) {
		struct rp_worker *w = &c->w[i];

		w->fd = rp_conn_open(a, ctl, err, errlen);
		if (w->fd < 0) {
			rp_crew_close(c);
			return -1;
		}
		c->n++;
		w->quota = total / n + (i < total % n);
		w->ctl = ctl;
		w->arg = arg;
		w->done_fd = c->done[1];
	}
	return 0;
}

void rp_worker_done(struct rp_worker *w)
{
	char b = 1;

	while (write(w->done_fd, &b, 1) < 0 && errno == EINTR)
		;
}

static void shut_all(struct rp_crew *c)
{
	for (unsigned i = 0; i < c->n; i++)
		shutdown(c->w[i].fd, SHUT_RDWR);
}

/* Waits for `threads` done bytes; true when a stop came first. */
static bool wait_done(struct rp_crew *c, unsigned threads)
{
	const struct rp_bench_ctl *ctl = c->w[0].ctl;
	struct pollfd p[2] = { { .fd = c->done[0], .events = POLLIN },
			       { .fd = ctl->wake_fd, .events = POLLIN } };
	char buf[RP_BENCH_MAX_PARALLEL * 2];

	while (threads > 0) {
		ssize_t r;

		if (rp_ctl_stopped(ctl))
			return true;
		if (poll(p, ctl->wake_fd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
			return false;
		if (!(p[0].revents & POLLIN))
			continue;
		r = read(c->done[0], buf, threads < sizeof buf ? threads : sizeof buf);
		if (r > 0)
			threads -= (unsigned)r;
	}
	return false;
}

int rp_crew_run(struct rp_crew *c, rp_worker_fn send_fn, rp_worker_fn recv_fn, char *err,
		size_t errlen)
{
	sigset_t all, old;
	unsigned threads = 0, i;
	int rc = 0, result;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < c->n && rc == 0; i++) {
		struct rp_worker *w = &c->w[i];

		w->sending = true;
		rc = pthread_create(&w->sender, NULL, send_fn, w);
		w->has_sender = rc == 0;
		threads += rc == 0;
		if (rc == 0 && recv_fn) {
			rc = pthread_create(&w->receiver, NULL, recv_fn, w);
			w->has_receiver = rc == 0;
			threads += rc == 0;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		result = rp_measure_fail(err, errlen, "cannot start a thread: %s", strerror(rc));
		shut_all(c);
	} else {
		result = wait_done(c, threads) ? 1 : 0;
		if (result)
			shut_all(c);
	}
	for (i = 0; i < c->n; i++) {
		if (c->w[i].has_sender)
			pthread_join(c->w[i].sender, NULL);
		if (c->w[i].has_receiver)
			pthread_join(c->w[i].receiver, NULL);
	}
	return result;
}
