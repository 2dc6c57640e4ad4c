"""`switchboard serve --cache-file`: an answer cached before a graceful restart is an exact hit
after it, and a damaged file is set aside with a clear message instead of stopping the server.
Usage: cache_file_test.py SWITCHBOARD_BINARY SCRATCH_DIR"""
import json
import os
import signal
import sys
import urllib.request

from switchboard_harness import check, start_serve

binary, scratch = sys.argv[1], sys.argv[2]
cache_file = os.path.join(scratch, "answers.sbcache")
prompt = "What does a write-ahead log protect against?"


def ask(url):
    body = json.dumps({"model": "auto", "messages": [{"role": "user", "content": prompt}]}).encode()
    request = urllib.request.Request(url + "/v1/chat/completions", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.headers.get("x-switchboard-cache"), json.load(response)["choices"][0]["message"]["content"]


def stop(process):
    process.send_signal(signal.SIGTERM)
    _, errors = process.communicate(timeout=30)
    check(process.returncode == 0, f"serve exits cleanly on SIGTERM (status {process.returncode})")
    return errors


process, url = start_serve(binary, "--cache-file", cache_file)
cache, first = ask(url)
check(cache == "miss", f"the first request is a miss (got {cache})")
stop(process)
check(os.path.exists(cache_file), "the cache file is written at shutdown")

process, url = start_serve(binary, "--cache-file", cache_file)
cache, second = ask(url)
check(cache == "hit-exact", f"after the restart the same prompt is an exact hit (got {cache})")
check(second == first, "and it returns the answer cached before the restart")
errors = stop(process)
check("loaded 1 cached answers" in errors, "the log says how many answers were loaded")

with open(cache_file, "r+b") as damaged:
    damaged.seek(40)
    damaged.write(b"\xff" * 16)
process, url = start_serve(binary, "--cache-file", cache_file)
cache, _ = ask(url)
check(cache == "miss", f"a damaged file is not used (got {cache})")
errors = stop(process)
check("could not be used" in errors and ".damaged-" in errors, "the log says the file was set aside, and where to")
check(any(name.startswith("answers.sbcache.damaged-") for name in os.listdir(scratch)), "the damaged file is kept beside it for inspection")
print("all checks passed", flush=True)
