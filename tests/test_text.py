"""Direct tests of the text stage and its neighbours: sentence splitting, rendition grouping, glossary expansion
and follow-up detection. Logic only: no model, no index."""

from evidence_bot.answer.followup import is_followup, resolve_followup
from evidence_bot.search.duplicates import rendition_groups
from evidence_bot.text.lexical import expansions
from evidence_bot.text.sentences import split_sentences


def test_abbreviations_and_initials_do_not_end_a_sentence_and_a_closing_quote_stays_with_it():
    text = 'Cllr. Smith said the plan was approved. J. Jones agreed. "We will act," she said. Next one.'
    assert split_sentences(text) == ["Cllr. Smith said the plan was approved.", "J. Jones agreed.",
                                     '"We will act," she said.', "Next one."]
    assert split_sentences("Waiting fell to 412 (e.g. in March). It rose again.") == [
        "Waiting fell to 412 (e.g. in March).", "It rose again."]


def test_a_numbered_item_is_not_cut_at_its_number_and_every_line_of_a_table_is_its_own():
    text = "7. The local authority reviews cases.\nRow one | 12\nRow two | 14"
    assert split_sentences(text) == ["7. The local authority reviews cases.", "Row one | 12", "Row two | 14"]


TEXTS = ["The council completed most Care Act assessments within twenty eight days of the first contact last year.",
         "Safeguarding concerns rose sharply after the new front door service opened in the spring of that year.",
         "Carers told inspectors that they could not always reach a social worker when their needs changed quickly.",
         "The occupational therapy waiting list was halved by buying extra assessments from a partner provider.",
         "Direct payments are taken up by fewer people than the national average and the council plans to change.",
         "Leaders described a clear vision for prevention shared across the integrated care partnership board."]


def test_a_document_most_of_whose_passages_copy_another_is_one_piece_of_evidence_with_it():
    text_rendition = [("A", t) for t in TEXTS]
    word_rendition = [("B", t) for t in TEXTS[:4]] + [("B", "A cover page unique to the Word version, with words "
                                                            "of its own that nothing else holds.")]
    minutes = [("C", "Cabinet met on Tuesday and agreed the budget for the coming year after a long debate.")]
    quoting_once = [("D", TEXTS[0])] + [("D", f"Highways passage {n} about potholes repaired across the district "
                                              "by the contractor's crews this winter.")
                                        for n in ("one", "two", "three", "four", "five")]
    groups = rendition_groups(text_rendition + word_rendition + minutes + quoting_once, 0.6)
    assert groups["B"] == groups["A"]  # four of its five passages are A's
    assert groups["C"] == "C" and groups["D"] == "D"  # quoting one passage does not make a copy


def test_acronyms_and_their_long_forms_expand_both_ways_and_short_ones_keep_their_case():
    assert expansions("How many DoLS applications?") == ("Deprivation of Liberty Safeguards",)
    assert expansions("deprivation of liberty safeguards waiting") == ("DoLS",)
    assert expansions("the ASC team") == ("adult social care",)
    assert expansions("the asc team") == ()  # 'asc' in lower case is a word, not the acronym


def test_a_follow_up_leans_on_the_question_before_it_and_a_new_question_does_not():
    assert is_followup("And who owns that action?") and is_followup("What about Ofsted?")
    assert not is_followup("How many people are waiting for a DoLS assessment?")
    history = ["What did CQC say?", "How many people are waiting for a DoLS assessment?"]
    assert resolve_followup("And who owns that action?", history) == (
        "How many people are waiting for a DoLS assessment? And who owns that action?")
    assert resolve_followup("What did Cabinet resolve?", history) == "What did Cabinet resolve?"


def test_a_long_conversation_keeps_the_question_and_only_what_fits():
    assert resolve_followup("And its RAG rating?", ["How many wait for DoLS?"], max_chars=40) == "And its RAG rating?"
    assert resolve_followup("And its RAG rating?", ["How many wait for DoLS?"], max_chars=43) == (
        "How many wait for DoLS? And its RAG rating?")


def test_a_rating_is_found_in_each_of_its_grammatical_forms():
    from evidence_bot.text.facts import RATING

    for sentence in ('CQC has rated the services as "requiring improvement".', "Services require improvement.",
                     "The council requires improvement to be good.", "Leadership was judged outstanding."):
        assert RATING.search(sentence), sentence
    assert not RATING.search("The improvement plan requires funding.")


def test_requiring_improvement_is_a_rating_only_as_a_judgement():
    from evidence_bot.text.facts import RATING

    assert not RATING.search("The action plan sets out 12 areas requiring improvement.")
