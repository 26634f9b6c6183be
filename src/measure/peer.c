/*
 * Our own bench server, in a child process so that it has a core of its
 * own and the measuring side is timed alone. The child talks back over one
 * pipe: a line "ready ADDR" (or "error MESSAGE"), and, when finished, its
 * totals as raw bytes (same binary on both ends).
 *
 * Finishing is SIGTERM. The child then keeps serving in short slices
 * (SIGALRM ends each one) until nothing it was sent is left unread, so the
 * counts it reports are final, and then it stops.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "peer.h"

#define SLICE_US 2000                 /* the child's look at its queue while finishing */
#define DRAIN_LIMIT_NS (5 * 1000000000LL) /* a peer that keeps sending cannot hold us longer */
#define LINE_MAX_LEN (RP_SOCKADDR_TEXTLEN + 256)

static volatile sig_atomic_t child_finish, child_tick;

static void on_finish(int sig)
{
	(void)sig;
	child_finish = 1;
	child_tick = 1;
}

static void on_tick(int sig)
{
	(void)sig;
	child_tick = 1;
}

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static void write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* Has everything the clients sent been read? */
static bool drained(struct rp_server *srv, const struct rp_sockaddr *a)
{
	struct rp_server_totals t;
	int queued = 0;

	if (rp_sockaddr_is_dgram(a))
		return ioctl(rp_server_fd(srv), FIONREAD, &queued) == 0 && queued == 0;
	rp_server_totals(srv, &t);
	return t.clients_now == 0;
}

static void arm_slice(void)
{
	struct itimerval it = { .it_value = { .tv_sec = 0, .tv_usec = SLICE_US } };

	setitimer(ITIMER_REAL, &it, NULL);
}

/* Serves until finished and drained; the child's whole life after opening. */
static int serve(struct rp_server *srv, const struct rp_sockaddr *a, const sigset_t *waitmask)
{
	char err[256];
	int64_t deadline = 0;

	for (;;) {
		if (rp_server_run(srv, &child_tick, waitmask, err, sizeof err) < 0)
			return -1;
		child_tick = 0;
		if (!child_finish)
			continue;
		if (!deadline)
			deadline = rp_now_ns() + DRAIN_LIMIT_NS;
		if (drained(srv, a) || rp_now_ns() > deadline)
			return 0;
		arm_slice();
	}
}

static _Noreturn void child_main(int fd, const struct rp_sockaddr *a, enum rp_serve_mode mode)
{
	struct rp_server_opts o = { .mode = mode };
	struct rp_server_totals t;
	struct rp_server *srv;
	struct sigaction sa = { .sa_handler = on_finish };
	sigset_t block, waitmask;
	char err[LINE_MAX_LEN - 8], line[LINE_MAX_LEN];
	int rc;

	prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive the measuring side */
	signal(SIGINT, SIG_IGN);          /* ^C is for the parent, which then finishes us */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGALRM);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_tick;
	sigaction(SIGALRM, &sa, NULL);
	if (getppid() == 1)
		_exit(2);

	if (rp_server_open(&srv, a, &o, err, sizeof err) < 0) {
		snprintf(line, sizeof line, "error %s\n", err);
		write_all(fd, line, strlen(line));
		_exit(2);
	}
	snprintf(line, sizeof line, "ready %s\n", rp_server_address(srv));
	write_all(fd, line, strlen(line));
	rc = serve(srv, a, &waitmask);
	rp_server_totals(srv, &t);
	if (rc == 0)
		write_all(fd, &t, sizeof t);
	rp_server_close(srv);
	_exit(rc == 0 ? 0 : 2);
}

/* Reads up to n bytes, waiting at most until deadline_ns; the count read. */
static size_t read_until(int fd, void *buf, size_t n, bool line, int64_t deadline_ns)
{
	char *p = buf;
	size_t got = 0;

	while (got < n) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = deadline_ns - rp_now_ns();
		ssize_t r;

		if (left <= 0)
			break;
		r = poll(&pfd, 1, (int)((left + 999999) / 1000000));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		r = read(fd, p + got, line ? 1 : n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
		if (line && p[got - 1] == '\n')
			break;
	}
	return got;
}

static void reap(struct rp_peer *p)
{
	if (p->pid > 0) {
		while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
			;
		p->pid = -1;
	}
	if (p->fd >= 0) {
		close(p->fd);
		p->fd = -1;
	}
}

void rp_peer_kill(struct rp_peer *p)
{
	if (p->pid > 0)
		kill(p->pid, SIGKILL);
	reap(p);
}

static int parse_ready(struct rp_peer *p, char *line, char *err, size_t errlen)
{
	char *nl = strchr(line, '\n');

	if (nl)
		*nl = '\0';
	if (!strncmp(line, "error ", 6))
		return fail(err, errlen, "cannot start the bench server: %s (--remote measures a server "
			    "already running there)", line + 6);
	if (strncmp(line, "ready ", 6) != 0)
		return fail(err, errlen, "the bench server did not start (no word from it)");
	if (rp_sockaddr_parse(line + 6, 0, &p->addr, err, errlen) < 0)
		return -1;
	return 0;
}

int rp_peer_start(struct rp_peer *p, const struct rp_sockaddr *a, enum rp_serve_mode mode,
		  int timeout_ms, char *err, size_t errlen)
{
	char line[LINE_MAX_LEN] = "";
	int fds[2];

	p->pid = -1;
	p->fd = -1;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return fail(err, errlen, "pipe: %s", strerror(errno));
	fflush(NULL);
	p->pid = fork();
	if (p->pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return fail(err, errlen, "fork: %s", strerror(errno));
	}
	if (p->pid == 0) {
		close(fds[0]);
		child_main(fds[1], a, mode);
	}
	close(fds[1]);
	p->fd = fds[0];
	read_until(p->fd, line, sizeof line - 1, true, rp_now_ns() + (int64_t)timeout_ms * 1000000);
	if (parse_ready(p, line, err, errlen) < 0) {
		rp_peer_kill(p);
		return -1;
	}
	return 0;
}

int rp_peer_finish(struct rp_peer *p, struct rp_server_totals *t, int timeout_ms, char *err,
		   size_t errlen)
{
	int64_t deadline = rp_now_ns() + (int64_t)timeout_ms * 1000000 + DRAIN_LIMIT_NS;
	size_t got;

	if (p->pid <= 0)
		return fail(err, errlen, "the bench server is not running");
	kill(p->pid, SIGTERM);
	got = read_until(p->fd, t, sizeof *t, false, deadline);
	if (got != sizeof *t) {
		rp_peer_kill(p);
		return fail(err, errlen, "the bench server did not report its totals");
	}
	reap(p);
	return 0;
}
