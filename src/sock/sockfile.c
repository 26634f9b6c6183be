/*
 * Unix socket files: claiming a path (replacing a stale socket, refusing a
 * live one or anything that is not a socket), binding with the asked mode,
 * and removing the file at the end only if it is still ours.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "sock_internal.h"

/*
 * Is someone serving at this path? A connect of the same type is the only
 * test that works: ECONNREFUSED means the file outlived its server.
 * EAGAIN (a full backlog) and EPROTOTYPE (a live socket of another type)
 * mean someone is there.
 */
static bool path_is_stale(const struct rp_sockaddr *a)
{
	int fd = socket(AF_UNIX, a->socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	bool stale;

	if (fd < 0)
		return false;
	stale = connect(fd, (const struct sockaddr *)&a->ss, a->len) < 0 && errno == ECONNREFUSED;
	close(fd);
	return stale;
}

int rp_sockfile_claim(const struct rp_sockaddr *a, char *err, size_t errlen)
{
	const char *path = ((const struct sockaddr_un *)&a->ss)->sun_path;
	struct stat before, now;

	if (lstat(path, &before) < 0) {
		if (errno == ENOENT)
			return 0;
		return rp_sock_fail(err, errlen, "cannot look at %s: %s", path, strerror(errno));
	}
	if (!S_ISSOCK(before.st_mode)) {
		errno = EEXIST;
		return rp_sock_fail(err, errlen,
				    "%s exists and is not a socket; left untouched: choose another path", path);
	}
	if (!path_is_stale(a)) {
		errno = EADDRINUSE;
		return rp_sock_fail(err, errlen,
				    "a server is already listening on %s; stop it or choose another path", path);
	}
	/* Only the file we tested: if it changed meanwhile, leave it. */
	if (lstat(path, &now) < 0 || now.st_ino != before.st_ino || now.st_dev != before.st_dev ||
	    unlink(path) < 0) {
		errno = EADDRINUSE;
		return rp_sock_fail(err, errlen, "cannot replace the stale socket %s: %s", path,
				    strerror(errno));
	}
	return 0;
}

/*
 * A unix socket's file is created by bind(2) with 0777 & ~umask, and there
 * is no fchmod before bind (the file does not exist yet, and fchmod on the
 * socket does not reach it). chmod after bind would leave a moment where
 * the file has the wrong permissions, so the umask is set for the length
 * of the bind instead; this process has one thread.
 */
int rp_sockfile_bind(int fd, const struct rp_sockaddr *a, bool set_mode, mode_t mode,
		     struct rp_sock_file *file, char *err, size_t errlen)
{
	const char *path = ((const struct sockaddr_un *)&a->ss)->sun_path;
	mode_t old = 0;
	struct stat st;
	int rc, saved;

	if (set_mode)
		old = umask(~mode & 0777);
	rc = bind(fd, (const struct sockaddr *)&a->ss, a->len);
	saved = errno;
	if (set_mode)
		umask(old);
	if (rc < 0) {
		errno = saved;
		return rp_sock_fail(err, errlen, "cannot bind %s: %s", a->text, strerror(saved));
	}
	if (file) {
		memset(file, 0, sizeof *file);
		if (stat(path, &st) == 0) {
			snprintf(file->path, sizeof file->path, "%s", path);
			file->dev = st.st_dev;
			file->ino = st.st_ino;
			file->owned = true;
		}
	}
	return 0;
}

void rp_sock_file_remove(struct rp_sock_file *file)
{
	struct stat st;

	if (!file || !file->owned)
		return;
	file->owned = false;
	if (lstat(file->path, &st) == 0 && st.st_dev == file->dev && st.st_ino == file->ino)
		unlink(file->path);
}
