import assert from "node:assert/strict";
import { test } from "node:test";

import { events, parseEvent } from "../static/sse.js";

test("an event block gives its name and its JSON data", () => {
  assert.deepEqual(parseEvent('event: delta\ndata: {"text": "Hi"}'), { name: "delta", data: { text: "Hi" } });
  assert.deepEqual(parseEvent("data: [1,\ndata: 2]"), { name: "message", data: [1, 2] });
  assert.deepEqual(parseEvent("event: done"), { name: "done", data: null });
});

function streamOf(...chunks) {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });
}

function splitBytes(text, ...cuts) {
  const bytes = new TextEncoder().encode(text);
  const edges = [0, ...cuts, bytes.length];
  return new ReadableStream({
    start(controller) {
      for (let i = 1; i < edges.length; i++) controller.enqueue(bytes.slice(edges[i - 1], edges[i]));
      controller.close();
    },
  });
}

test("events are whole however the bytes are split, inside a character or CRLF included", async () => {
  const text = 'event: citations\r\ndata: []\r\n\r\nevent: delta\ndata: {"text": "£450"}\n\n';
  const pound = new TextEncoder().encode(text.slice(0, text.indexOf("£"))).length + 1;  // between its two bytes
  const seen = [];
  for await (const event of events(splitBytes(text, 10, 30, pound))) seen.push(event);
  assert.deepEqual(seen, [{ name: "citations", data: [] }, { name: "delta", data: { text: "£450" } }]);
});

test("a half-sent event at the end is not given", async () => {
  const seen = [];
  for await (const event of events(streamOf('event: delta\ndata: {"text": "a"}\n\nevent: done\ndata: {'))) seen.push(event);
  assert.deepEqual(seen, [{ name: "delta", data: { text: "a" } }]);
});
