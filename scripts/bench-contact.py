#!/usr/bin/env python3
"""Contact form durability benchmark.

Starts the real `iopsite serve --no-watch` on 127.0.0.1 over a copy of this repository's site (rate limit off),
sends a bounded load of valid submissions over keep-alive connections, kills the server with SIGKILL in the middle,
then checks that every submission that was answered 303 is in the inquiry file, and that no line is torn.

    scripts/bench-contact.py [--total 2000] [--connections 16] [--kill-after 1000] [--encrypted] [--notify]

With --notify, `[notify]` sends emails to an SMTP sink in this script (127.0.0.1), so the inquiries per second can be
compared with notices on and off; after the kill the server is started again, and the script waits until the sink
has been told about every stored inquiry (a notice lost to the SIGKILL fails the run).

Prints one Markdown table row (mode, accepted, stored, lost, damaged lines, requests/s) and exits 1 if anything
answered 303 is missing. Only the standard library; nothing leaves 127.0.0.1.
"""

import argparse
import email
import http.client
import json
import os
import shutil
import signal
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def binary():
    path = os.path.join(REPO, "target", "release", "iopsite")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    return path


class SmtpSink(socketserver.ThreadingTCPServer):
    """Keeps the text of every message it is given (enough SMTP for lettre's client)."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SmtpSession)
        self.messages = []
        self.lock = threading.Lock()
        threading.Thread(target=self.serve_forever, daemon=True).start()


class SmtpSession(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 sink ESMTP\r\n")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"EHLO":
                self.wfile.write(b"250-sink\r\n250 8BITMIME\r\n")
            elif verb == b"DATA":
                self.wfile.write(b"354 go\r\n")
                data = b""
                while (line := self.rfile.readline()) not in (b".\r\n", b""):
                    data += line
                body = email.message_from_bytes(data).get_payload(decode=True).decode()
                with self.server.lock:
                    self.server.messages.append(body)
                self.wfile.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


def make_site(tmp, iopsite, encrypted, smtp_port=None):
    for part in ["config.toml", "content", "themes", "static", "templates"]:
        src = os.path.join(REPO, part)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(tmp, part))
        elif os.path.isfile(src):
            shutil.copy(src, tmp)
    config_path = os.path.join(tmp, "config.toml")
    with open(config_path) as f:
        config = f.read()
    config = config.replace("rate_limit = 5", "rate_limit = 0")
    if "rate_limit = 0" not in config:
        sys.exit("config.toml has no `rate_limit = 5` line to turn the limit off")
    if encrypted:
        out = subprocess.run([iopsite, "keygen", "--out", "key.txt"], cwd=tmp, check=True,
                             capture_output=True, text=True).stdout
        public = out.split('recipient = "', 1)[1].split('"', 1)[0]
        config = config.replace('recipient = ""', f'recipient = "{public}"')
    if smtp_port:
        config += ("\n[notify]\nemail_to = [\"admissions@example.org\"]\nemail_from = \"website@example.org\"\n"
                   f"smtp_host = \"127.0.0.1\"\nsmtp_port = {smtp_port}\nsmtp_security = \"none\"\n")
    with open(config_path, "w") as f:
        f.write(config)


def start(iopsite, tmp):
    server = subprocess.Popen([iopsite, "serve", "--no-watch", "--port", "0", "--bind", "127.0.0.1"], cwd=tmp,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    first = server.stdout.readline().strip()
    if not first.startswith("Serving http://"):
        server.kill()
        sys.exit(f"the server did not start: {first!r}")
    # Keep reading stdout so the server never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in server.stdout], daemon=True).start()
    host_port = first[len("Serving http://"):].rstrip("/")
    host, port = host_port.rsplit(":", 1)
    return server, host, int(port)


class Load:
    def __init__(self, total, kill_after):
        self.lock = threading.Lock()
        self.next = 0
        self.total = total
        self.kill_after = kill_after
        self.accepted = set()
        self.other = {}
        self.errors = 0
        self.killed = threading.Event()
        self.first = None
        self.kill_time = None

    def take(self):
        with self.lock:
            if self.next >= self.total or self.killed.is_set():
                return None
            self.next += 1
            return self.next

    def done(self, token, status):
        with self.lock:
            if status == 303:
                self.accepted.add(token)
            else:
                self.other[status] = self.other.get(status, 0) + 1
            return len(self.accepted)


def body(n):
    return urllib.parse.urlencode({
        "name": f"Bench {n:06d}", "phone": "555 555 0100", "email": "bench@example.org", "preferred": "text",
        "safe_times": "any time", "voicemail": "generic", "for_whom": "self",
        "message": "Load test message. " * 20, "consent": "yes", "website": "",
    })


def worker(load, host, port, kill):
    conn = None
    while True:
        n = load.take()
        if n is None:
            return
        try:
            if conn is None:
                conn = http.client.HTTPConnection(host, port, timeout=30)
            conn.request("POST", "/contact", body(n), {"Content-Type": "application/x-www-form-urlencoded"})
            response = conn.getresponse()
            response.read()
            if load.done(f"Bench {n:06d}", response.status) >= load.kill_after:
                kill()
        except (OSError, http.client.HTTPException):
            with load.lock:
                load.errors += 1
            if load.killed.is_set():
                return
            conn = None


def stored_names(iopsite, tmp, encrypted):
    path = os.path.join(tmp, "data", "submissions.jsonl")
    damaged = 0
    names = []
    with open(path) as f:
        for line in f:
            try:
                json.loads(line)
            except ValueError:
                damaged += 1
    if encrypted:
        out = subprocess.run([iopsite, "submissions", "--identity", "key.txt", "--format", "json"], cwd=tmp,
                             check=True, capture_output=True, text=True).stdout
        names = [item["name"] for item in json.loads(out)]
    else:
        with open(path) as f:
            for line in f:
                try:
                    names.append(json.loads(line)["name"])
                except (ValueError, KeyError):
                    pass
    mode = os.stat(path).st_mode & 0o777
    return names, damaged, mode


def run(args):
    iopsite = binary()
    with tempfile.TemporaryDirectory() as tmp:
        sink = SmtpSink() if args.notify else None
        make_site(tmp, iopsite, args.encrypted, sink and sink.server_address[1])
        server, host, port = start(iopsite, tmp)
        load = Load(args.total, args.kill_after)

        def kill():
            with load.lock:
                if load.killed.is_set():
                    return
                load.killed.set()
                load.kill_time = time.monotonic()
            os.kill(server.pid, signal.SIGKILL)

        load.first = time.monotonic()
        threads = [threading.Thread(target=worker, args=(load, host, port, kill)) for _ in range(args.connections)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        server.wait(30)
        elapsed = (load.kill_time or time.monotonic()) - load.first
        names, damaged, mode = stored_names(iopsite, tmp, args.encrypted)
        stored = set(names)
        lost = load.accepted - stored
        duplicates = len(names) - len(stored)
        unannounced = wait_for_notices(iopsite, tmp, sink) if sink else 0
        row = {
            "mode": ("age-encrypted" if args.encrypted else "plain") + (", notices on" if sink else ""),
            "unannounced": unannounced,
            "sent": load.next, "accepted": len(load.accepted), "stored": len(names),
            "lost": len(lost), "damaged": damaged, "duplicates": duplicates,
            "in_flight_stored": len(stored - load.accepted), "other_statuses": load.other,
            "connection_errors": load.errors, "seconds": round(elapsed, 2),
            "requests_per_s": round(len(load.accepted) / elapsed) if elapsed else 0, "file_mode": oct(mode),
        }
        print(json.dumps(row))
        print(f"| {row['mode']} | {args.total} over {args.connections} | {row['accepted']} | {row['stored']} | "
              f"{row['lost']} | {row['damaged']} | {row['requests_per_s']} |")
        return 1 if lost or damaged or duplicates or unannounced or mode != 0o600 else 0


def wait_for_notices(iopsite, tmp, sink, within=180):
    """Start the killed server again and wait until `iopsite notify status` says every stored inquiry was announced
    and the sink got at least one message; returns how many were not announced."""
    import re
    with open(os.path.join(tmp, "data", "submissions.jsonl")) as f:
        stored = sum(1 for line in f if line.strip())
    server, _, _ = start(iopsite, tmp)
    announced = 0
    try:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            status = subprocess.run([iopsite, "notify", "status"], cwd=tmp, capture_output=True, text=True).stdout
            found = re.search(r"email: (\d+) waiting, (\d+) inquiries announced", status)
            announced = int(found.group(2)) if found else 0
            with sink.lock:
                got_mail = bool(sink.messages)
            if announced == stored and got_mail:
                return 0
            time.sleep(0.5)
        return stored - announced
    finally:
        server.kill()
        server.wait(30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--total", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--kill-after", type=int, default=1000, help="SIGKILL once this many got 303")
    parser.add_argument("--encrypted", action="store_true", help="store with an age recipient")
    parser.add_argument("--notify", action="store_true", help="send notices to an SMTP sink in this script")
    sys.exit(run(parser.parse_args()))


if __name__ == "__main__":
    main()
