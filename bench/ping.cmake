# Ping benchmark helpers (against iputils ping, hping3, nping, fping, nmap).
