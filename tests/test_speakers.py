"""Who is speaking: every citation says whose words it quotes (speakers.py, the written rule in its docstring)."""

import json
import os
import subprocess
import sys

import pytest

from evidence_bot.text.speakers import COMMITTEE, COUNCIL, INSPECTOR, OTHER, PRESS, document_source, sentence_source


@pytest.mark.parametrize("doc_type, publisher, source", [
    ("inspection_report", "Care Quality Commission", INSPECTOR), ("news", "Care Quality Commission", INSPECTOR),
    ("other", "Ofsted", INSPECTOR), ("minutes", "Thurrock Council", COMMITTEE),
    ("news", "Kent County Council Scrutiny Committee", COMMITTEE), ("self_assessment", None, COUNCIL),
    ("news", "Gateshead Council", COUNCIL), ("news", "Herts Advertiser", PRESS), ("other", None, OTHER),
])
def test_a_documents_source_comes_from_its_type_and_publisher(doc_type, publisher, source):
    assert document_source(doc_type, publisher) == source


@pytest.mark.parametrize("sentence, source", [
    ("Safeguarding processes were well established, with inspectors finding clear guidance in place.", INSPECTOR),
    ("The council has been told by the Care Quality Commission that its services require improvement.", INSPECTOR),
    ("According to Ofsted, leaders had a clear understanding of practice.", INSPECTOR),
    ("The assessment team found that people were supported well.", INSPECTOR),
    ('A council spokesperson said: "We accept the findings."', COUNCIL),
    ("Cllr Jane Smith, cabinet member for adults, said she was delighted.", COUNCIL),
    ("Ian Cuthbertson, City of York Council's executive member for children, young people and education, said while "
     'some areas had been commended, "we recognise the improvements that are needed".', COUNCIL),
    ("The Assistant City Mayor for Adult Social Care said the plan was on track.", COUNCIL),
    ("Waiting lists fell by 20% this year.", PRESS),
    ("The inspection will take place next spring.", PRESS),
])
def test_a_sentence_in_the_news_is_the_inspectors_or_the_councils_when_it_reports_them(sentence, source):
    assert sentence_source(sentence, PRESS) == source


def test_the_councils_own_document_stays_the_councils_unless_it_reports_the_inspector():
    assert sentence_source("We have reduced waiting times for assessments.", COUNCIL) == COUNCIL
    assert sentence_source("CQC found that people waited too long.", COUNCIL) == INSPECTOR
    assert sentence_source("Waiting times were too long.", INSPECTOR) == INSPECTOR  # an inspector's report
    for reported in ("Services to children were judged to 'Require Improvement' by Ofsted.",
                     "3.2 Ofsted made 16 recommendations in relation to practice improvements.",
                     "Ofsted commended the strong senior leadership.",
                     "The CQC’s report found a positive culture of continuing development."):
        assert sentence_source(reported, COUNCIL) == INSPECTOR, reported
    assert sentence_source("The council made 16 changes to its front door.", COUNCIL) == COUNCIL


def test_a_verdict_in_a_story_about_an_inspection_is_the_inspectors_unless_the_council_is_speaking():
    from evidence_bot.text.speakers import is_about_inspection

    about = is_about_inspection("Liverpool City Council adult social care rated good by the CQC")
    assert about and not is_about_inspection("Council budget set for 2025")
    assert sentence_source("Safeguarding - 2", PRESS, about) == PRESS  # no verdict word: a score alone
    assert sentence_source("The service was rated good overall.", PRESS, about) == INSPECTOR
    assert sentence_source("The service was rated good overall.", PRESS, False) == PRESS
    assert sentence_source("Cllr Jane Smith said the good rating was deserved.", PRESS, about) == COUNCIL


def test_ask_json_names_each_citations_source(sample_bot):
    """Real model, real index: CQC's report is the inspector's, the self-assessment the council's."""
    answer = sample_bot.reader().ask("What did CQC say about waiting times?")
    assert answer.citations and all(c.source in (INSPECTOR, COUNCIL, COMMITTEE, PRESS, OTHER) for c in answer.citations)
    by_type = {c.doc_type: c.source for c in answer.citations}
    assert by_type.get("inspection_report", INSPECTOR) == INSPECTOR
    assert by_type.get("self_assessment", COUNCIL) == COUNCIL


@pytest.mark.slow
def test_the_cli_json_carries_source(tmp_path):
    from conftest import SAMPLE

    env = {**os.environ, "EVIDENCE_BOT_INDEX_DIR": str(tmp_path / "index"), "HF_HUB_OFFLINE": "1"}
    cli = [sys.executable, "-m", "evidence_bot.cli"]
    subprocess.run(cli + ["ingest", str(SAMPLE)], env=env, check=True, capture_output=True)
    out = subprocess.run(cli + ["ask", "What did inspectors praise?", "--json"], env=env, check=True,
                         capture_output=True, text=True).stdout
    citations = json.loads(out)["citations"]
    assert citations and all("source" in c for c in citations)



@pytest.mark.parametrize("sentence, document, source", [
    ("Leicester City Council scored 56% in its CQC assessment.", COMMITTEE, INSPECTOR),
    ("Ofsted judged the council's services for children good in 2022.", PRESS, INSPECTOR),
    ("Area | CQC rating good or outstanding / Thurrock | 44.7%", COUNCIL, COUNCIL),  # the council's statistic
])
def test_a_verdict_of_the_inspectorate_reported_in_the_news_or_minutes_is_the_inspectors(sentence, document, source):
    assert sentence_source(sentence, document) == source


def test_a_sentence_continues_the_speaker_whose_quotation_list_or_report_it_belongs_to():
    from evidence_bot.text.speakers import passage_sources

    story = ["Ofsted said the service had deteriorated since 2016.",
             "Other findings included:",
             "• Most social workers \"know their children well\"",
             "• Children's assessments are of \"variable quality\"",
             "Lead inspector Matt Reed said the pace of change was too slow.",
             "Some children remained in neglectful situations for too long, Mr Reed said.",
             "Caroline Lacey, the authority's chief executive, said she was disappointed.",
             "She said the council was determined to improve.",
             "Waiting lists fell this year."]
    assert passage_sources(story, PRESS, about_inspection=True) == [
        INSPECTOR, INSPECTOR, INSPECTOR, INSPECTOR, INSPECTOR, INSPECTOR, COUNCIL, COUNCIL, PRESS]


def test_a_council_quotation_stays_the_councils_even_when_it_praises_the_verdict():
    from evidence_bot.text.speakers import passage_sources

    release = ["Councillor Teresa Heritage said: “I am delighted with the report.",
               "It is heartening that Hertfordshire has been praised for being outstanding.”",
               "The county council's services received a rating of “outstanding” for the impact of leaders."]
    assert passage_sources(release, COUNCIL, about_inspection=True) == [COUNCIL, COUNCIL, INSPECTOR]
    # In the council's self-assessment a rating is its own statistic, and list items follow their introduction.
    assessment = ["We set out our priorities below:", "Reducing waits", "CQC rated 44.7% of homes good."]
    assert passage_sources(assessment, COUNCIL) == [COUNCIL, COUNCIL, INSPECTOR]
    numbered = ["3.2 Ofsted made 16 recommendations.", "3.3 The council has delivered all of them."]
    assert passage_sources(numbered, COUNCIL) == [INSPECTOR, COUNCIL]


def test_a_councillor_with_a_long_title_introduces_a_quotation_that_stays_the_councils():
    """In the news: the councillor's title runs to eight words, and the quotation opens in the next paragraph."""
    from evidence_bot.text.speakers import passage_sources

    story = ["Concerns were also raised about staffing pressures and reliance on agency staff.",
             "Councillor Lisa Hinton, Cumberland Council's Executive Member for Adult Social Care, said:",
             "“We welcome the CQC findings and are proud of the progress our teams have made.",
             "The assessment highlights the strengths of our services.”",
             "The council was rated requires improvement by CQC."]
    assert passage_sources(story, PRESS, about_inspection=True) == [INSPECTOR, COUNCIL, COUNCIL, COUNCIL, INSPECTOR]
    # a heading ending in a colon introduces no speaker: a quoted verdict under it is still the inspector's
    assert passage_sources(["Reaction:", "“Inspectors praised the council's leadership.”"], PRESS,
                           about_inspection=True) == [PRESS, INSPECTOR]


def test_a_list_of_scores_after_its_introduction_is_the_inspectors():
    from evidence_bot.text.speakers import passage_sources

    scores = ["Liverpool City Council's Adult Social Services received the following scores:",
              "Assessing people's needs - 2", "Safeguarding - 2"]
    assert passage_sources(scores, PRESS, about_inspection=True) == [INSPECTOR] * 3


def test_a_passage_continues_the_quotation_or_report_its_documents_passage_before_opened():
    from evidence_bot.text.speakers import passage_sources

    before = ["Inspectors described the leadership team as aspirational.",
              "The chief inspector, James Bullion, said: “Leaders here know their communities."]
    passage = ["For example, there was a specific focus on falls prevention.”", "They found that children benefit."]
    assert passage_sources(passage, PRESS, about_inspection=True) == [PRESS, PRESS]
    assert passage_sources(passage, PRESS, True, before) == [INSPECTOR, INSPECTOR]


def test_numbered_findings_follow_their_introduction_across_a_passage_break():
    from evidence_bot.text.sentences import sentence_spans
    from evidence_bot.text.speakers import passage_sources, unit_sources

    text = "The assessment team found:\n\n  1. Partnerships were a strong feature.\n  2. Safeguarding was well led."
    before = [text[a:b] for a, b in sentence_spans(text)]
    assert before[1] == "1. Partnerships were a strong feature."  # a list number stays with its item
    passage = ["7. The local authority promoted a culture of continuous learning."]
    assert passage_sources(passage, PRESS, True, before) == [INSPECTOR]
    # the rest of an item, on its line, is the item's; the next line without a number ends the list
    story = ("Inspectors visited in May.\n\nThe assessment team found:\n"
             "  1. Partners worked well. Joint teams helped.\n"
             "  2. People had easy access to support. Carers valued it.\nThe council spent £65m on care last year.")
    assert unit_sources(story, "prose", "news", "Local News", "Council's care service") == [
        PRESS, INSPECTOR, INSPECTOR, INSPECTOR, INSPECTOR, INSPECTOR, PRESS]
    assert sentence_source("It was also noted by inspectors that scrutiny had limitations.", PRESS) == INSPECTOR


def test_a_quotation_ends_with_its_paragraph_and_a_new_one_opens_fresh():
    from evidence_bot.text.sentences import sentence_spans
    from evidence_bot.text.speakers import passage_sources

    text = ('Cllr Hooper said: "We were proud to take part.\n\n"Supporting residents is our priority." \n\n'
            'Council leader Cllr Worrall added: "This is an amazing achievement.\n\n'
            '"This positive rating is a step forward."\n\nThe full report can be read online.')
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    assert sentences[1].endswith('priority."')  # the closing mark stays with its sentence
    assert passage_sources(sentences, PRESS, about_inspection=True) == [COUNCIL, COUNCIL, COUNCIL, COUNCIL, PRESS]


@pytest.mark.parametrize("sentence", [
    "Councillor Heath highlighted that this shows what can be achieved through hard work.",
    "The Leader queried what steps are being taken to ensure services of this standard continue.",
    "Councillor Hooper stated that Essex and Southend all got Good ratings but Thurrock did better."])
def test_a_member_speaking_in_minutes_about_an_inspection_is_not_the_inspector(sentence):
    assert sentence_source(sentence, COMMITTEE, about_inspection=True) == COUNCIL


@pytest.mark.parametrize("sentence, source", [
    ("Asked by Councillor Jones, chair of the health scrutiny panel, Mr Reed said the waits were a concern.", PRESS),
    ("Councillor Lisa Hinton (Executive Member for Adult Social Care) said the findings were fair.", COUNCIL),
    ("Councillor Sean O’Brien said the rating was fair.", COUNCIL),
    ("Councillor Sean O’Brien told the meeting the rating was fair.", COUNCIL),
    ("Cllr Lisa Hinton, Executive Member for Adults, Health and Wellbeing, said the findings were fair.", COUNCIL),
])
def test_a_councillor_speaking_is_the_council_and_one_named_in_passing_is_not(sentence, source):
    assert sentence_source(sentence, PRESS) == source


def test_only_a_named_speakers_said_colon_hands_them_the_quotation_that_follows():
    from evidence_bot.text.speakers import passage_sources

    reaction = ["Reaction to the CQC rating:", "“We are proud of our staff and the care they give every day."]
    assert passage_sources(reaction, PRESS, about_inspection=True)[1] != INSPECTOR


CQC_PAGE = """Bristol City Council: local authority assessment
Safeguarding
2 - Evidence shows some shortfalls
What people expect
I feel safe and am supported to understand and manage any risks.
When I move between services, there is a plan for what happens next
The local authority commitment
We work with people to understand what being safe means to them and work with our partners.
Key findings for this quality statement
We heard that safeguarding enquiries were completed promptly.
Staff were suitably skilled and supported."""


def test_the_frameworks_own_wording_on_a_cqc_page_is_not_the_inspectors_finding():
    """Rule 0: under CQC's "What people expect" and "The local authority commitment", the first-person lines are
    the standard assessed against, the same on every council's page; the findings after them are CQC's, its
    own "We heard…" included."""
    from evidence_bot.text.speakers import FRAMEWORK, unit_sources
    from evidence_bot.text.units import passage_units

    text = CQC_PAGE.replace("\n", "\n\n")
    sources = dict(zip([u for _, u in passage_units(text, "prose")],
                       unit_sources(text, "prose", "inspection_report", "Care Quality Commission", "Safeguarding")))
    assert {line for line, source in sources.items() if source == FRAMEWORK} == {
        "What people expect", "I feel safe and am supported to understand and manage any risks.",
        "When I move between services, there is a plan for what happens next", "The local authority commitment",
        "We work with people to understand what being safe means to them and work with our partners."}
    assert sources["We heard that safeguarding enquiries were completed promptly."] == INSPECTOR
    assert sources["2 - Evidence shows some shortfalls"] == INSPECTOR
    # the wording carried over a passage break: the next passage's first lines are still the framework's
    before, after = text.split("The local authority commitment")
    carried = unit_sources("The local authority commitment" + after, "prose", "inspection_report",
                           "Care Quality Commission", "Safeguarding", preceding=before)
    assert carried[:2] == [FRAMEWORK, FRAMEWORK] and carried[2:] == [INSPECTOR] * 3



def test_the_framework_rule_stays_on_the_inspectors_page_and_ends_where_cqc_reports():
    """A council quoting CQC's headings over its own claims is still the council; CQC's own "We heard…" ends the
    wording even with no findings heading in the text; a page whose headings are markup files the wording under
    a section, and the section decides where a passage starts."""
    from evidence_bot.text.speakers import FRAMEWORK, unit_sources

    claims = ("What people expect\n\nI have care and support that is coordinated.\n\nThe local authority commitment"
              "\n\nWe maximise the effectiveness of people's care.\n\nWe have cut the wait from 12 weeks to 4 weeks.")
    assert FRAMEWORK not in unit_sources(claims, "prose", "self_assessment", "Thurrock Council", "Our story")
    reporting = "We heard from unpaid carers that assessments were often delayed.\n\nWe found staff were skilled."
    assert unit_sources(reporting, "prose", "inspection_report", "Care Quality Commission", "Assessing needs",
                        preceding="The local authority commitment\n\nWe maximise the effectiveness of care."
                        ) == [INSPECTOR, INSPECTOR]
    wording = "I have care and support that is coordinated.\n\nWe maximise the effectiveness of people's care."
    assert unit_sources(wording, "prose", "inspection_report", "Care Quality Commission", "Assessing needs",
                        section="Assessing needs > What people expect") == [FRAMEWORK, FRAMEWORK]
    assert unit_sources(reporting, "prose", "inspection_report", "Care Quality Commission", "Assessing needs",
                        preceding=wording, section="Key findings for this quality statement") == [INSPECTOR] * 2


@pytest.mark.parametrize("sentence, source", [
    ("The watchdog's findings, shared with the portfolio holder last week, said the council was too slow.", INSPECTOR),
    ("Ofsted's report said the lead member for children had been kept informed but added oversight was weak.",
     INSPECTOR),
    ("Ofsted's inspectors found that children were safe.", INSPECTOR),
])
def test_an_office_holder_named_in_passing_does_not_make_the_inspectors_words_the_councils(sentence, source):
    assert sentence_source(sentence, PRESS, True) == source
