#!/usr/bin/env python3
"""Lab listener for what Node cannot do: libuv accept()s every connection at once (so it cannot leave the
accept queue full), and Node has no TCP_MD5SIG or IP_MINTTL socket options. Listens with --backlog, never
accepts unless --accept, optionally sets a TCP-MD5 key for --md5-peer or IP_MINTTL. Prints "listening",
then exits by itself after --lifetime seconds (or on SIGTERM)."""
import argparse, signal, socket, struct, sys, time

TCP_MD5SIG = 14  # linux/tcp.h; not exported by Python's socket module
IP_MINTTL = 21   # linux/in.h

p = argparse.ArgumentParser()
p.add_argument("--host", default="0.0.0.0")
p.add_argument("--port", type=int, default=8080)
p.add_argument("--backlog", type=int, default=128)
p.add_argument("--accept", action="store_true")
p.add_argument("--md5-peer", default="")
p.add_argument("--md5-key", default="lab-secret")
p.add_argument("--min-ttl", type=int, default=0)
p.add_argument("--lifetime", type=float, default=60)
a = p.parse_args()
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if a.md5_peer:
    # struct tcp_md5sig: sockaddr_storage addr (128), u8 flags, u8 prefixlen, u16 keylen, int ifindex, u8 key[80]
    addr = struct.pack("=HH4s", socket.AF_INET, 0, socket.inet_aton(a.md5_peer)).ljust(128, b"\0")
    key = a.md5_key.encode()
    s.setsockopt(socket.IPPROTO_TCP, TCP_MD5SIG, addr + struct.pack("=BBHi", 0, 0, len(key), 0) + key.ljust(80, b"\0"))
if a.min_ttl:
    s.setsockopt(socket.IPPROTO_IP, IP_MINTTL, a.min_ttl)
s.bind((a.host, a.port))
s.listen(a.backlog)
print("listening", flush=True)
deadline = time.time() + a.lifetime
s.settimeout(0.5)
while time.time() < deadline:
    if not a.accept:
        time.sleep(0.2)
        continue
    try:
        c, _ = s.accept()
        c.close()
    except socket.timeout:
        pass
