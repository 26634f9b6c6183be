"""Runs a command whose standard output is a full pipe, so its first write
blocks, and prints the Uid and Cap* lines of its /proc status at that moment:
what the process holds while it prints. Then drains the pipe and lets it end.

    /usr/bin/python3 status_while_printing.py COMMAND [ARG...]

Exit 0 with the status lines on stdout; 1 when the command never blocked
writing (or exited first), with what it wrote on stderr.
"""
import os
import subprocess
import sys
import time

WAIT_SECONDS = 10


def full_pipe():
    r, w = os.pipe()
    os.set_blocking(w, False)
    chunk = b"\n" * 4096
    while True:
        try:
            os.write(w, chunk)
        except BlockingIOError:
            break
    os.set_blocking(w, True)
    return r, w


def blocked_writing(pid):
    try:
        with open(f"/proc/{pid}/wchan") as f:
            return "pipe_write" in f.read()
    except OSError:
        return False


def main():
    r, w = full_pipe()
    proc = subprocess.Popen(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)
    os.close(w)
    deadline = time.monotonic() + WAIT_SECONDS
    while not blocked_writing(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)  # polls a state, bounded
    status = ""
    if blocked_writing(proc.pid):
        with open(f"/proc/{proc.pid}/status") as f:
            status = "".join(l for l in f if l.startswith(("Uid:", "Cap")))
    with os.fdopen(r, "rb") as f:
        out = f.read()
    err = proc.communicate(timeout=WAIT_SECONDS)[1]
    if not status:
        sys.stderr.write("never blocked writing its output; exit %s\n%s%s\n"
                         % (proc.returncode, out.strip().decode(errors="replace"),
                            err.decode(errors="replace")))
        return 1
    sys.stdout.write(status)
    return 0


if __name__ == "__main__":
    sys.exit(main())
