"""The official `openai` client through `switchboard serve` in front of a scripted
OpenAI-compatible upstream: tool loops (plain and streamed), structured output with
`chat.completions.parse`, an image part, embeddings, the Responses API (plain and streamed, with a
function tool), and unknown fields passed through (checked on the upstream side, which records
what it received).

Usage: python proxy_fidelity_test.py /path/to/switchboard
Prints one "ok: ..." line per check and exits 0, or prints "FAIL: ..." and exits 1.
"""
import json
import os
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from openai import OpenAI
from pydantic import BaseModel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from switchboard_harness import check, fail, start_serve  # noqa: E402

BINARY = sys.argv[1]
RECEIVED = []


class Person(BaseModel):
    name: str
    age: int


def chunk(delta, finish=None, index=0):
    return {"id": "up-1", "object": "chat.completion.chunk", "created": 1, "model": "up-model",
            "system_fingerprint": "fp_scripted",
            "choices": [{"index": index, "delta": delta, "finish_reason": finish}]}


def answer_for(body):
    """The chunks the scripted model streams for `body`."""
    messages = body["messages"]
    last = messages[-1]
    if body.get("tools") and last["role"] == "user":
        return [chunk({"role": "assistant", "content": None, "tool_calls": [
                    {"index": 0, "id": "call_weather_1", "type": "function", "function": {"name": "weather", "arguments": ""}}]}),
                chunk({"tool_calls": [{"index": 0, "function": {"arguments": "{\"city\": "}}]}),
                chunk({"tool_calls": [{"index": 0, "function": {"arguments": "\"Paris\"}"}}]}),
                chunk({}, "tool_calls")]
    if last["role"] == "tool":
        text = f"It is {last['content']} in Paris."
    elif (body.get("response_format") or {}).get("type") == "json_schema":
        text = json.dumps({"name": "Ada Lovelace", "age": 36})
    elif isinstance(last.get("content"), list) and any(p.get("type") == "image_url" for p in last["content"]):
        text = "I see an image."
    else:
        text = "Scripted answer."
    words = text.split(" ")
    pieces = [chunk({"role": "assistant", "content": ""})]
    pieces += [chunk({"content": (" " if i else "") + w}) for i, w in enumerate(words)]
    pieces.append(chunk({}, "stop"))
    return pieces


class Upstream(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        RECEIVED.append((self.path, body))
        if self.path.endswith("/embeddings"):
            inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
            payload = json.dumps({"object": "list", "model": body["model"], "usage": {"prompt_tokens": 4, "total_tokens": 4},
                                  "data": [{"object": "embedding", "index": i, "embedding": [0.5, float(i)]} for i in range(len(inputs))]}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        events = answer_for(body)
        usage = {"id": "up-1", "object": "chat.completion.chunk", "created": 1, "model": "up-model", "choices": [],
                 "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}}
        text = "".join(f"data: {json.dumps(e)}\n\n" for e in events + [usage]) + "data: [DONE]\n\n"
        payload = text.encode()
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def last_received(suffix="/chat/completions"):
    return [body for path, body in RECEIVED if path.endswith(suffix)][-1]


WEATHER = {"type": "function", "function": {"name": "weather", "description": "Current weather",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}


def main():
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{upstream.server_address[1]}/v1"
    config = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
    config.write(f"""
providers:
  - name: scripted
    kind: openai-compatible
    base_url: {base}
    model: up-model
tiers:
  - name: main
    chain: [scripted]
""")
    config.close()
    process, url = start_serve(BINARY, "--config", config.name)
    try:
        client = OpenAI(base_url=url + "/v1", api_key="not-needed-on-loopback", max_retries=0, timeout=30)
        question = [{"role": "user", "content": "What is the weather in Paris?"}]

        # A two-turn tool loop, not streamed.
        raw = client.chat.completions.with_raw_response.create(model="main", messages=question, tools=[WEATHER])
        first = raw.parse()
        call = first.choices[0].message.tool_calls[0]
        check(first.choices[0].finish_reason == "tool_calls", "a request with tools gets finish_reason tool_calls")
        check(call.function.name == "weather" and json.loads(call.function.arguments) == {"city": "Paris"}, "the tool call arrives whole")
        check(last_received()["tools"][0]["function"]["name"] == "weather", "the tools reached the upstream")
        turn = question + [first.choices[0].message.model_dump(exclude_none=True),
                           {"role": "tool", "tool_call_id": call.id, "content": "18 °C"}]
        raw = client.chat.completions.with_raw_response.create(model="main", messages=turn, tools=[WEATHER])
        check(raw.headers.get("x-switchboard-cache") == "miss", "the tool-result turn is not answered from the first turn's entry")
        check(raw.parse().choices[0].message.content == "It is 18 °C in Paris.", "the second turn answers from the tool result")
        sent = last_received()["messages"]
        check([m["role"] for m in sent] == ["user", "assistant", "tool"] and sent[2]["tool_call_id"] == call.id,
              "the assistant's tool_calls and the tool result reached the upstream")
        other = turn[:-1] + [{"role": "tool", "tool_call_id": call.id, "content": "25 °C"}]
        check(client.chat.completions.create(model="main", messages=other, tools=[WEATHER]).choices[0].message.content == "It is 25 °C in Paris.",
              "another tool result gets its own answer")

        # The same loop, streamed, deltas reassembled.
        calls, finish = {}, None
        for part in client.chat.completions.create(model="main", messages=[{"role": "user", "content": "Weather in Paris, streamed?"}], tools=[WEATHER], stream=True):
            for choice in part.choices:
                for delta in choice.delta.tool_calls or []:
                    entry = calls.setdefault(delta.index, {"id": None, "name": "", "arguments": ""})
                    entry["id"] = entry["id"] or delta.id
                    entry["name"] += delta.function.name or "" if delta.function else ""
                    entry["arguments"] += (delta.function.arguments or "") if delta.function else ""
                finish = choice.finish_reason or finish
        check(finish == "tool_calls" and calls[0]["name"] == "weather" and json.loads(calls[0]["arguments"]) == {"city": "Paris"},
              "a streamed tool call reassembles from its deltas")
        streamed_turn = [{"role": "user", "content": "Weather in Paris, streamed?"},
                         {"role": "assistant", "tool_calls": [{"id": calls[0]["id"], "type": "function", "function": {"name": "weather", "arguments": calls[0]["arguments"]}}]},
                         {"role": "tool", "tool_call_id": calls[0]["id"], "content": "20 °C"}]
        text = "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(model="main", messages=streamed_turn, tools=[WEATHER], stream=True) if c.choices)
        check(text == "It is 20 °C in Paris.", "the streamed second turn answers from the tool result")

        # Structured output.
        parsed = client.chat.completions.parse(model="main", messages=[{"role": "user", "content": "Who wrote the first program?"}], response_format=Person)
        person = parsed.choices[0].message.parsed
        check(person is not None and person.name == "Ada Lovelace" and person.age == 36, "chat.completions.parse returns the pydantic model")
        check(last_received()["response_format"]["type"] == "json_schema", "response_format reached the upstream")

        # An image part.
        image = client.chat.completions.create(model="main", messages=[{"role": "user", "content": [
            {"type": "text", "text": "What is this?"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="}}]}])
        check(image.choices[0].message.content == "I see an image.", "an image part is answered")
        check(last_received()["messages"][0]["content"][1]["type"] == "image_url", "the image part reached the upstream as sent")

        # Unknown and vendor fields pass through.
        client.chat.completions.create(model="main", messages=[{"role": "user", "content": "Vendor fields?"}], seed=42,
                                       max_completion_tokens=64, reasoning_effort="low", user="u-7",
                                       extra_body={"top_k": 3, "x_vendor": {"trace": [1, 2]}})
        sent = last_received()
        check(sent.get("top_k") == 3 and sent.get("x_vendor") == {"trace": [1, 2]}, "unknown fields reach the upstream as sent")
        check(sent.get("seed") == 42 and sent.get("max_completion_tokens") == 64 and "max_tokens" not in sent, "seed and max_completion_tokens are kept as such")
        check(sent.get("reasoning_effort") == "low" and sent.get("user") == "u-7", "reasoning_effort and user reach the upstream")

        # Embeddings.
        vectors = client.embeddings.create(model="main", input=["alpha", "beta"])
        check(len(vectors.data) == 2 and vectors.data[1].embedding == [0.5, 1.0], "embeddings.create returns the upstream's vectors")
        check(last_received("/embeddings")["input"] == ["alpha", "beta"], "the inputs reached the upstream")

        # The Responses API, plain and streamed, with a function tool.
        tool = {"type": "function", "name": "weather", "description": "Current weather", "parameters": WEATHER["function"]["parameters"]}
        response = client.responses.create(model="main", input="What is the weather in Paris?", tools=[tool])
        items = [item for item in response.output if item.type == "function_call"]
        check(response.status == "completed" and items and items[0].name == "weather" and json.loads(items[0].arguments) == {"city": "Paris"},
              "responses.create returns the function call")
        followup = client.responses.create(model="main", tools=[tool], input=[
            {"role": "user", "content": "What is the weather in Paris?"},
            {"type": "function_call", "call_id": items[0].call_id, "name": "weather", "arguments": items[0].arguments},
            {"type": "function_call_output", "call_id": items[0].call_id, "output": "19 °C"}])
        check(followup.output_text == "It is 19 °C in Paris.", "a function_call_output is answered through responses.create")
        kinds, arguments = [], ""
        for event in client.responses.create(model="main", input="What is the weather in Paris now?", tools=[tool], stream=True):
            kinds.append(event.type)
            if event.type == "response.function_call_arguments.delta":
                arguments += event.delta
        check(kinds[0] == "response.created" and kinds[-1] == "response.completed", "a streamed response opens with created and closes with completed")
        check("response.output_item.added" in kinds and "response.function_call_arguments.done" in kinds, "the function call streams as typed events")
        check(json.loads(arguments) == {"city": "Paris"}, "the streamed arguments reassemble")
        text = "".join(e.delta for e in client.responses.create(model="main", input="Say something.", stream=True) if e.type == "response.output_text.delta")
        check(text == "Scripted answer.", "streamed output_text deltas carry the answer")
        print("all checks passed", flush=True)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except Exception:
            process.kill()
        upstream.shutdown()
        os.unlink(config.name)


if __name__ == "__main__":
    main()
