"""Slow uploads that never finish, while the site is asked for a page every second.

    .venv/bin/python bench/slow_uploads.py https://127.0.0.1:8443 [--uploads 8] [--seconds 30]

Each upload declares a body the app would accept (MAX_REQUEST_BODY or less) and sends it a few
bytes at a time, never reaching the end. Behind nginx (`make serve`) the proxy buffers them and the
app servers never see them, so the sign-in page keeps answering; straight at gunicorn's sync
workers, as many uploads as workers stop the site. Prints each probe's status and time, then a
summary; exits non-zero if any probe failed.
"""

import argparse
import socket
import ssl
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit


def csrf_token(base, context):
    """A CSRF cookie from the sign-in page, so an upload passes the check and is read."""
    with urllib.request.urlopen(base + "/accounts/login/", timeout=10, context=context) as page:  # nosec B310
        for header in page.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            if name.strip() == "csrftoken":
                return rest.split(";", 1)[0]
    raise SystemExit("No CSRF cookie from the sign-in page")


def open_upload(base, path, declared, token):
    parts = urlsplit(base)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    sock = socket.create_connection((parts.hostname, port), timeout=10)
    if parts.scheme == "https":
        # A local trial uses a self-signed certificate: this script checks availability only.
        context = ssl._create_unverified_context()  # nosec B323
        sock = context.wrap_socket(sock, server_hostname=parts.hostname)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        "Content-Type: multipart/form-data; boundary=slow\r\n"
        f"Content-Length: {declared}\r\n"
        f"Cookie: csrftoken={token}\r\nX-CSRFToken: {token}\r\n"
        f"Origin: {base}\r\nReferer: {base}{path}\r\n\r\n--slow\r\n"
    )
    sock.sendall(head.encode())
    return sock


def trickle(sock, stop):
    while not stop.is_set():
        try:
            sock.sendall(b"x")
        except OSError:
            return  # the server gave up on it: that is allowed
        stop.wait(2)


def probe(url, context):
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=10, context=context) as response:  # nosec B310
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError as error:
        status = type(error).__name__
    return status, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base", help="the site's address, e.g. https://127.0.0.1:8443")
    parser.add_argument("--uploads", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--path", default="/accounts/login/", help="where the uploads go")
    parser.add_argument("--declared", type=int, default=40 * 1024 * 1024, help="bytes declared")
    args = parser.parse_args()
    base = args.base.rstrip("/")
    context = ssl._create_unverified_context() if base.startswith("https") else None  # nosec B323

    stop = threading.Event()
    token = csrf_token(base, context)
    sockets = [open_upload(base, args.path, args.declared, token) for _ in range(args.uploads)]
    threads = [threading.Thread(target=trickle, args=(s, stop), daemon=True) for s in sockets]
    for thread in threads:
        thread.start()
    print(f"{args.uploads} uploads of {args.declared:,} declared bytes open, trickling")

    results = []
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        status, seconds = probe(base + "/accounts/login/", context)
        results.append((status, seconds))
        print(f"  GET /accounts/login/ -> {status} in {seconds * 1000:.0f} ms")
        time.sleep(max(0.0, 1 - seconds))
    stop.set()
    for sock in sockets:
        sock.close()

    ok = [s for status, s in results if status == 200]
    print(
        f"{len(ok)} of {len(results)} probes answered 200 while the uploads were open"
        + (
            f"; median {statistics.median(ok) * 1000:.0f} ms, max {max(ok) * 1000:.0f} ms"
            if ok
            else ""
        )
    )
    return 0 if len(ok) == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
