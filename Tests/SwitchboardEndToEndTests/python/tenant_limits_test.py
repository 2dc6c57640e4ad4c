"""Drives `switchboard serve` (the real binary) over a tenant with limits, with the official
`openai` Python client: the x-ratelimit-* headers, the 429s' shape, the SDK's own backoff and
retry on a rate limit, and no retry on a spent budget.

Usage: python tenant_limits_test.py /path/to/switchboard
Prints one "ok: ..." line per check and exits 0, or prints "FAIL: ..." and exits 1.
"""
import json
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request

import openai
from openai import OpenAI

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from switchboard_harness import check, fail, start_serve  # noqa: E402

BINARY = sys.argv[1]

CONFIG = """
providers:
  - name: quick
    model: quick-model
    price: { input_per_mtok: 1000, output_per_mtok: 1000 }
    simulation: { ttft_ms: 2, per_token_ms: 0, spread: 0, answer_tokens: 8 }
tiers:
  - name: main
    chain: [quick]
cache:
  enabled: false
tenants:
  - name: default
    requests_per_minute: 60
    tokens_per_minute: 100000
"""


def admin(url, path, body):
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        fail(f"POST {path} answered {error.code}: {error.read().decode(errors='replace')}")


def main():
    folder = tempfile.mkdtemp(prefix="switchboard-tenants-")
    config = os.path.join(folder, "tenants.yaml")
    with open(config, "w") as handle:
        handle.write(CONFIG)
    process, url = start_serve(BINARY, "--config", config)
    try:
        client = OpenAI(base_url=url + "/v1", api_key="unused", max_retries=0, timeout=30)
        messages = [{"role": "user", "content": "Say hello."}]

        raw = client.chat.completions.with_raw_response.create(model="auto", messages=messages, max_tokens=16)
        check(raw.headers.get("x-ratelimit-limit-requests") == "60", "an answer carries x-ratelimit-limit-requests")
        check(raw.headers.get("x-ratelimit-remaining-requests") == "59", "and the requests left (59 of 60)")
        check(raw.headers.get("x-ratelimit-reset-requests") == "1s", "and when the bucket is full again (1s)")
        check(raw.headers.get("x-ratelimit-limit-tokens") == "100000", "and the tokens-per-minute limit")
        check(int(raw.headers.get("x-ratelimit-remaining-tokens")) < 100000, "and the tokens left after the estimate")

        streamed = client.chat.completions.with_raw_response.create(model="auto", messages=messages, stream=True)
        check(streamed.headers.get("x-ratelimit-limit-requests") == "60", "a streamed answer carries the headers too")
        for _ in streamed.parse():
            pass

        # Use the bucket up; the refusal is a typed RateLimitError with OpenAI's shape.
        error = None
        for _ in range(200):
            try:
                client.chat.completions.create(model="auto", messages=messages, max_tokens=16)
            except openai.RateLimitError as caught:
                error = caught
                break
        if error is None:
            fail("200 requests at 60 per minute were all answered")
        check(error.status_code == 429, "over the limit is a 429")
        check(error.code == "rate_limit_exceeded", "with code rate_limit_exceeded")
        check(error.type == "requests", "and type requests")
        check("requests per minute" in error.message and "tenants[].requests_per_minute" in error.message,
              f"whose message names the limit: {error.message}")
        check(error.response.headers.get("retry-after") == "1", "Retry-After says when one request is allowed (1 s)")
        check(error.response.headers.get("x-ratelimit-remaining-requests") == "0", "the refusal's headers say none are left")

        # The SDK's own backoff: with retries on, it waits out Retry-After and gets an answer.
        patient = OpenAI(base_url=url + "/v1", api_key="unused", max_retries=3, timeout=30)
        # Empty the bucket again, until a refusal has most of a refill interval ahead of it: a
        # refusal 2 ms before the next refill lets the patient client in without a 429.
        wait = None
        for _ in range(200):
            try:
                client.chat.completions.create(model="auto", messages=messages, max_tokens=16)
            except openai.RateLimitError as caught:
                wait = int(caught.response.headers.get("retry-after-ms")) / 1000
                check(0 < wait <= 1, f"retry-after-ms gives the exact wait ({wait} s)")
                if wait >= 0.5:
                    break
        check(wait is not None and wait >= 0.5, f"the bucket is empty with {wait} s to its next refill")
        started = time.monotonic()
        retried = patient.chat.completions.with_raw_response.create(model="auto", messages=messages, max_tokens=16)
        waited = time.monotonic() - started
        check(retried.parse().choices[0].message.content, "the SDK retried on its own and got an answer")
        check(retried.retries_taken >= 1, f"after {retried.retries_taken} retries")
        check(waited >= wait * 0.5, f"having backed off as retry-after-ms said ({waited:.2f} s for {wait:.3f} s)")

        # A spent budget: insufficient_quota, and the SDK is told not to retry.
        changed = admin(url, "/admin/tenants/default/limits", {"requests_per_minute": None, "budget": {"daily_usd": 0}})
        check("limits set" in changed["message"], f"the admin API changes the limits at run time: {changed['message']}")
        started = time.monotonic()
        try:
            patient.chat.completions.create(model="auto", messages=messages, max_tokens=16)
            fail("a request past a spent budget was answered")
        except openai.RateLimitError as caught:
            check(caught.code == "insufficient_quota", "a spent budget is insufficient_quota")
            check(caught.type == "insufficient_quota", "of type insufficient_quota")
            check("budget" in caught.message and "resets in" in caught.message, f"saying when it resets: {caught.message}")
            check(caught.response.headers.get("x-should-retry") == "false", "and telling the SDK not to retry")
        check(time.monotonic() - started < 5, "so the SDK gave up at once instead of backing off")
        print("all checks passed", flush=True)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except Exception:
            process.kill()


if __name__ == "__main__":
    main()
