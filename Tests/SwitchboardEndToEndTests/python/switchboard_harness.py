"""Helpers shared by the Python end-to-end clients: reporting checks, and starting
`switchboard serve` on a free port and learning its address from the line it prints."""
import subprocess
import threading


def fail(message):
    print(f"FAIL: {message}", flush=True)
    raise SystemExit(1)


def check(condition, message):
    if not condition:
        fail(message)
    print(f"ok: {message}", flush=True)


def start_serve(binary, *arguments, stderr=subprocess.PIPE, seconds=30):
    """Starts `switchboard serve --listen 127.0.0.1:0 ARGUMENTS` and returns (process, url);
    fails, with the server's last words, if it does not announce its address in time."""
    process = subprocess.Popen(
        [binary, "serve", *arguments, "--listen", "127.0.0.1:0"],
        stdout=subprocess.PIPE, stderr=stderr, text=True,
    )
    found = {}

    def read_address():
        for line in process.stdout:
            if "listening on" in line:
                found["url"] = line.strip().rsplit(" ", 1)[-1]
                return

    reader = threading.Thread(target=read_address, daemon=True)
    reader.start()
    reader.join(timeout=seconds)
    if "url" not in found:
        process.kill()
        said = process.stderr.read()[-2000:] if stderr == subprocess.PIPE else ""
        fail(f"switchboard serve did not print its address within {seconds} s: {said}")
    return process, found["url"]
