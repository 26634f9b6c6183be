# Optional: give the installed binary CAP_NET_RAW (permitted only) at install time.
