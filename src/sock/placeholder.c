/* Removed once the first real source of this library exists. */
typedef int rp_sock_placeholder;
