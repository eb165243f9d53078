"""The OpenAI-compatible endpoint, driven by the official `openai` client against a real server on loopback."""

import openai
import pytest

from evidence_bot.answer import ABSTENTION
from evidence_bot.server import create_app

from helpers.server import running

WAITING = "What did CQC say about waiting times?"


@pytest.fixture(scope="module")
def client(sample_bot):
    with running(create_app(bot=sample_bot)) as url:
        yield openai.OpenAI(base_url=f"{url}/v1", api_key="not-needed", max_retries=0, timeout=60)


def test_lists_the_model(client):
    assert [m.id for m in client.models.list()] == ["evidence-bot"]


def test_completion_carries_markers_and_citations(client):
    completion = client.chat.completions.create(model="evidence-bot", messages=[{"role": "user", "content": WAITING}])
    content = completion.choices[0].message.content
    assert "412" in content and "[1]" in content and "\n\nSources:\n[1] " in content
    assert completion.choices[0].finish_reason == "stop"
    citations = completion.model_extra["citations"]
    assert citations[0]["n"] == 1 and citations[0]["title"] in content
    assert "412" in citations[0]["text"] and citations[0]["passage_id"]
    assert completion.model_extra["evidence_bot"]["abstained"] is False


def test_streaming_gives_the_same_answer(client):
    plain = client.chat.completions.create(model="evidence-bot", messages=[{"role": "user", "content": WAITING}])
    chunks = list(client.chat.completions.create(model="evidence-bot", stream=True,
                                                 messages=[{"role": "user", "content": WAITING}]))
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == plain.choices[0].message.content
    assert len(chunks) > 3 and chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["citations"] == plain.model_extra["citations"]  # on the last chunk, once final


def test_earlier_user_messages_are_the_history(client):
    completion = client.chat.completions.create(model="evidence-bot", messages=[
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "Which action is about the DoLS backlog?"},  # names the action (test_api.py)
        {"role": "assistant", "content": "A1 [1]"},
        {"role": "user", "content": "And who owns that action?"}])
    assert "DoLS" in completion.model_extra["evidence_bot"]["query"]
    assert "Safeguarding Service Manager" in completion.choices[0].message.content


def test_abstains_plainly(client):
    completion = client.chat.completions.create(model="evidence-bot", messages=[
        {"role": "user", "content": "How many potholes were repaired in 2024?"}])
    assert completion.choices[0].message.content == ABSTENTION
    assert completion.model_extra["citations"] == [] and completion.model_extra["evidence_bot"]["abstained"]


def test_errors_come_back_in_openai_shape(client):
    with pytest.raises(openai.NotFoundError, match="does not exist"):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": WAITING}])
    with pytest.raises(openai.UnprocessableEntityError, match="last message must be the user's question"):
        client.chat.completions.create(model="evidence-bot", messages=[{"role": "assistant", "content": "hi"}])


def test_a_content_part_whose_text_is_not_a_string_is_refused_in_openai_shape(client):
    with pytest.raises(openai.UnprocessableEntityError, match=r"messages\.0\.content"):
        client.chat.completions.create(model="evidence-bot", messages=[
            {"role": "user", "content": [{"type": "text", "text": 5}]}])


def test_an_over_long_earlier_message_is_refused_and_a_long_conversation_is_bounded(client):
    long_words = " ".join(["waiting"] * 900)
    with pytest.raises(openai.UnprocessableEntityError, match=r"messages\.0\.content"):
        client.chat.completions.create(model="evidence-bot", messages=[
            *[{"role": "user", "content": long_words}] * 30, {"role": "user", "content": "And who owns it?"}])
    earlier = [m for n in range(30) for m in (
        {"role": "user", "content": f"And what about those waiting lists, question {n}? " + "care " * 380},
        {"role": "assistant", "content": "A. [1]"})]
    completion = client.chat.completions.create(model="evidence-bot", messages=[
        *earlier, {"role": "user", "content": "And who owns that action?"}])
    query = completion.model_extra["evidence_bot"]["query"]
    assert len(query) <= 4000 and "question 29?" in query and "question 0?" not in query
