"""Drives `switchboard serve` (the real binary) with the official `openai` Python client.

Usage: python openai_client_test.py /path/to/switchboard
Prints one "ok: ..." line per check and exits 0, or prints "FAIL: ..." and exits 1.
Every wait is bounded; the server is always stopped.
"""
import os
import signal
import subprocess
import sys
import threading
import time

import openai
from openai import OpenAI

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from switchboard_harness import check, fail, start_serve  # noqa: E402

BINARY = sys.argv[1]


def start_server():
    return start_serve(BINARY)


def main():
    process, url = start_server()
    try:
        client = OpenAI(base_url=url + "/v1", api_key="not-needed-on-loopback", max_retries=0, timeout=30)

        # Non-streaming.
        raw = client.chat.completions.with_raw_response.create(
            model="auto", messages=[{"role": "user", "content": "What is a circuit breaker in a gateway?"}])
        reply = raw.parse()
        check(reply.object == "chat.completion", "a non-streamed answer is a chat.completion")
        check(bool(reply.choices[0].message.content), "it has content")
        check(reply.choices[0].message.role == "assistant", "its message role is assistant")
        check(reply.choices[0].finish_reason == "stop", "finish_reason is stop")
        check(reply.usage is not None and reply.usage.total_tokens > 0, "usage is reported")
        check(raw.headers.get("x-switchboard-cache") == "miss", "the first call is a cache miss")

        # The repeat is a cache hit with the same answer.
        again = client.chat.completions.with_raw_response.create(
            model="auto", messages=[{"role": "user", "content": "What is a circuit breaker in a gateway?"}])
        check(again.headers.get("x-switchboard-cache") == "hit-exact", "the repeat is an exact cache hit")
        check(again.parse().choices[0].message.content == reply.choices[0].message.content, "the cached answer is the same text")

        # Streaming, with usage.
        stream = client.chat.completions.create(
            model="auto", stream=True, stream_options={"include_usage": True},
            messages=[{"role": "user", "content": "Explain TCP slow start briefly."}])
        parts, finish, usage, roles = [], None, None, []
        for chunk in stream:
            if chunk.usage is not None:
                usage = chunk.usage
            for choice in chunk.choices:
                if choice.delta.role:
                    roles.append(choice.delta.role)
                if choice.delta.content:
                    parts.append(choice.delta.content)
                if choice.finish_reason:
                    finish = choice.finish_reason
        text = "".join(parts)
        check(len(parts) > 1 and text, "a streamed answer arrives in several chunks")
        check(roles[:1] == ["assistant"], "the first chunk carries the assistant role")
        check(finish == "stop", "the stream ends with finish_reason stop")
        check(usage is not None and usage.completion_tokens > 0, "include_usage yields a usage chunk")

        # A streamed repeat is a cache hit that replays the same text.
        raw_stream = client.chat.completions.with_raw_response.create(
            model="auto", stream=True, messages=[{"role": "user", "content": "Explain TCP slow start briefly."}])
        check(raw_stream.headers.get("x-switchboard-cache") == "hit-exact", "a streamed repeat is a cache hit")
        replay = "".join(c.choices[0].delta.content or "" for c in raw_stream.parse() if c.choices)
        check(replay == text, "the streamed cache hit replays the same text")

        # Errors come back as the client's typed exceptions.
        try:
            client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "hi"}])
            fail("an unknown model should raise")
        except openai.NotFoundError as error:
            check(error.status_code == 404, "an unknown model is a 404 NotFoundError")
            check("no-such-model" in str(error), "the error names the model")
        try:
            client.chat.completions.create(model="auto", messages=[])
            fail("empty messages should raise")
        except openai.BadRequestError as error:
            check(error.status_code == 400, "empty messages are a 400 BadRequestError")

        models = [m.id for m in client.models.list()]
        check("auto" in models, "models.list includes auto")

        # Graceful shutdown: a stream in flight when SIGTERM arrives still finishes.
        result = {}

        def long_stream():
            try:
                s = client.chat.completions.create(
                    model="frontier", stream=True,
                    messages=[{"role": "user", "content": "Walk me through designing a rate limiter, step by step, with trade-offs."}],
                    extra_headers={"Cache-Control": "no-cache"})
                got = []
                for chunk in s:
                    for choice in chunk.choices:
                        if choice.delta.content:
                            got.append(choice.delta.content)
                            result.setdefault("first", time.monotonic())
                        if choice.finish_reason:
                            result["finish"] = choice.finish_reason
                result["text"] = "".join(got)
            except Exception as error:  # noqa: BLE001 - report whatever broke
                result["error"] = repr(error)

        worker = threading.Thread(target=long_stream, daemon=True)
        worker.start()
        deadline = time.monotonic() + 20
        while "first" not in result and "error" not in result and time.monotonic() < deadline:
            time.sleep(0.01)
        check("first" in result, "the long stream started")
        process.send_signal(signal.SIGTERM)
        worker.join(timeout=20)
        check(result.get("finish") == "stop", f"a stream in flight at SIGTERM finishes ({result.get('error', 'ok')})")
        try:
            code = process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            fail("switchboard serve did not exit within 20 s of SIGTERM")
        check(code == 0, f"switchboard serve exits 0 after SIGTERM (got {code})")
        log = process.stderr.read()
        check("What is a circuit breaker" not in log, "prompts are not logged by default")
        check(log.count("POST /v1/chat/completions") >= 6, "one log line per request")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    print("all checks passed", flush=True)


if __name__ == "__main__":
    main()
