# Socket benchmark helpers (rawprobe bench against socat and a bare loop).
