"""Messages that must not be searched: personal data is refused and logged redacted; greetings, thanks, questions
about the assistant and requests it cannot serve get a fixed reply; questions about the evidence are untouched."""

import json

import pytest

from evidence_bot.answer.fixed_replies import fixed_reply
from evidence_bot.governance.personal_data import personal_data_kinds, redacted
from evidence_bot.server import create_app

from helpers.server import local_client

EVIDENCE_QUESTIONS = [
    "What did CQC say about waiting times?", "How many people were waiting in 2023-24?",
    "What did CQC write about safeguarding?", "Hi, what did CQC say about waiting times?",
    "Thanks to the new team, how many reviews were done?", "Who chaired the Cabinet meeting on 21 January 2026?",
    "What is the DoLS backlog of 1,513 made of?", "Help with what the action plan says on reviews",
]


@pytest.mark.parametrize("text, kind", [
    ("Can you find the case of jo.bloggs@fernleigh.gov.uk?", "an email address"),
    ("My number is 01375 652 652, what happened?", "a phone number"),
    ("Ring +44 7700 900123 about the care home", "a phone number"),
    ("Was 07700900123 called back?", "a phone number"),
    ("What happened to NI number AB 12 34 56 C?", "a National Insurance number"),
])
def test_personal_data_is_found_and_redacted(text, kind):
    assert personal_data_kinds(text) == [kind]
    assert kind.split(" ", 1)[1] in redacted(text) and personal_data_kinds(redacted(text)) == []


@pytest.mark.parametrize("text", EVIDENCE_QUESTIONS + [
    "What share (44.7%) of providers were rated good in 2024?", "Between 2019 and 2023, how many of 12000 people?",
    "Ofsted reference 10012345678: what did it find?", "Section 42 enquiries 2023/24: 300 or 0300?"])
def test_questions_about_the_evidence_are_neither_personal_data_nor_small_talk(text):
    assert personal_data_kinds(text) == []
    assert fixed_reply(text) is None


@pytest.mark.parametrize("text", ["hi", "Hello there!", "Good morning", "thanks", "Thank you so much.", "cheers",
                                  "Who are you?", "What can you do?", "how do you work", "help",
                                  "Write my speech for the scrutiny committee",
                                  "Can you draft a letter to the minister?",
                                  "please write a press release about our CQC rating"])
def test_messages_that_are_not_questions_get_a_fixed_reply(text):
    assert fixed_reply(text)


@pytest.fixture(scope="module")
def client(sample_bot):
    with local_client(create_app(bot=sample_bot)) as client:
        yield client, client.app.state.runtime


def test_a_question_with_personal_data_is_refused_before_retrieval_and_logged_redacted(client):
    client, runtime = client
    body = client.post("/api/chat",
                       json={"question": "What did CQC say about jo.bloggs@fernleigh.gov.uk's waiting time?",
                             "history": [{"role": "user", "content": "Ring 07700 900123 first"}]}).json()
    assert body["abstained"] and body["citations"] == [] and "personal data (an email address)" in body["answer"]
    logged = json.dumps(runtime.audit.events()[-1]) + json.dumps(runtime.feedback.db.execute(
        "SELECT question, history FROM answers WHERE answer_id = ?", (body["answer_id"],)).fetchone()[:])
    assert "jo.bloggs" not in logged and "900123" not in logged
    assert "[redacted: email address]" in logged and "[redacted: phone number]" in logged


@pytest.mark.parametrize("message, words", [("Hello!", "I answer questions"), ("thank you", "welcome"),
                                            ("Write my speech about waiting times", "can't write")])
def test_small_talk_gets_a_fixed_reply_without_retrieval(client, message, words):
    client, runtime = client
    body = client.post("/api/chat", json={"question": message}).json()
    assert words in body["answer"] and body["abstained"] and body["citations"] == []
    assert runtime.audit.events()[-1]["passages"] == []  # nothing was searched, nothing was shown


def test_a_question_about_the_evidence_is_still_answered(client):
    client, _ = client
    body = client.post("/api/chat", json={"question": "What did CQC say about waiting times?"}).json()
    assert not body["abstained"] and body["citations"]
