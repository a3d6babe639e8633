"""Design rules of the goal scorer (advisor/goals.py over advisor/goal_lexicon.py), one test per rule."""

from __future__ import annotations

from collections import defaultdict

from advisor.goal_lexicon import GOAL_CUES
from advisor.goals import load_goal_model
from advisor.stemming import stems
from kpi_engine.catalog import default_catalog

CATALOG = default_catalog()


def _best(text: str) -> str | None:
    return load_goal_model(CATALOG).estimate(text).best


def test_no_stem_is_a_cue_for_two_families():
    """Cues match on stems: "conversation" and "conversion" (or "books" and "bookings") must not share one."""
    families: dict[tuple[str, ...], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for family, cues in GOAL_CUES.items():
        for phrase, weight in cues.items():
            if weight > 0:
                families[tuple(stems(phrase))][family].append(phrase)
    shared = {k: dict(v) for k, v in families.items() if len(v) > 1}
    assert not shared


def test_conversation_is_engagement_and_conversion_is_leads():
    assert _best("we want posts that start a conversation") == "engagement"
    assert _best("we want conversions from social") == "leads"


def test_a_goal_ruled_out_in_the_question_counts_for_nothing():
    assert _best("the goal is awareness, we are explicitly not chasing leads") == "awareness"
    assert _best("we want awareness, not sales") == "awareness"
    assert _best("getting the name out there. no links, no offer") == "awareness"
    assert _best("we want people to buy rather than just visit the website") == "ecommerce"


def test_a_problem_stated_in_the_negative_is_still_the_goal():
    assert _best("people don't know we exist") == "awareness"
    assert _best("no one knows us in this city yet, we want to be known") == "awareness"
    assert _best("customers are not getting answers to their DMs fast enough") == "community"


def test_with_only_weak_hints_the_knowledge_vote_decides():
    est = load_goal_model(CATALOG).estimate("is our posting worth the hours we put in")
    assert est.cue_strength < 2 and est.best == "efficiency"  # "posting" hints engagement, the vote says otherwise


def test_a_word_said_twice_counts_once():
    est = load_goal_model(CATALOG).estimate("we make videos, lots of videos")
    assert est.cue_scores.get("engagement") == 1


def test_a_business_type_decides_only_without_an_objective():
    assert _best("we're a dental clinic, which kpi?") == "local"
    assert _best("we're a dental clinic and nobody in town knows we exist") == "awareness"
    assert _best("small skincare brand, we want more people to know us") == "awareness"
    assert _best("we are a realtor, which metric?") == "local"


def test_what_we_care_about_is_not_customer_care():
    est = load_goal_model(CATALOG).estimate("which numbers should we care about")
    assert est.best != "community" or est.confidence < 0.3


def test_words_the_stemmer_would_fold_onto_another_goal_stay_apart():
    assert _best("we are a subscription box and want fewer cancellations, support matters") == "community"
    est = load_goal_model(CATALOG).estimate("does the new creative direction get more reactions")
    assert "local" not in est.cue_scores  # "direction" is not "directions" to the shop
    est = load_goal_model(CATALOG).estimate("we are a consultancy")
    assert "leads" not in est.cue_scores  # a consultancy is not a consultation booked


def test_no_stem_is_both_context_and_an_objective():
    from advisor.goal_lexicon import CONTEXT_CUES

    kinds: dict[tuple[str, ...], set[bool]] = defaultdict(set)
    for family, cues in GOAL_CUES.items():
        for phrase, weight in cues.items():
            if weight > 0:
                kinds[tuple(stems(phrase))].add(phrase in CONTEXT_CUES.get(family, ()))
    assert not [k for k, v in kinds.items() if len(v) > 1]
    assert all(p in GOAL_CUES[f] for f, ps in CONTEXT_CUES.items() for p in ps)


def test_positioning_and_the_path_are_not_the_goal():
    # "known as a thought leader" is authority, not awareness; "after seeing our posts" is the path
    est = load_goal_model(CATALOG).estimate("our CEO wants to be known as a thought leader in fintech")
    assert est.best == "engagement" and est.scenario == "b2b_authority"
    assert _best("dentist in our town: we want patients to contact us after seeing our posts") == "local"


def test_the_public_reaction_to_a_decision_is_brand_health():
    assert _best("we want to monitor the reaction to our new pricing") == "brand_health"
    assert _best("we want more reactions to our posts") == "engagement"


def test_foot_traffic_in_other_words():
    assert _best("we want tiktok to bring people into our store") == "local"


def test_a_goal_named_in_the_catalogs_words_is_stated_outright():
    assert _best("which kpi for local service demand") == "local"
    assert _best("kpi for lead generation at our b2b company") == "leads"


def test_other_forms_of_a_cue_word_are_read():
    assert _best("we want the brand to be more recognised") == "awareness"  # cue: "recognition"
    assert _best("do people find us trustworthy?") == "brand_health"  # cue: "trust"
    est = load_goal_model(CATALOG).estimate("is the new creative direction working")
    assert "local" not in est.cue_scores  # words kept apart on purpose ("directions") stay apart


def test_more_wordings_of_a_goal():
    assert _best("we want as many eyes as possible on the announcement") == "awareness"
    assert _best("we want the audience involved in our stories") == "engagement"
    assert _best("we want users to stick around and not uninstall") == "community"
    assert _best("is the scandal hurting how people see the brand") == "brand_health"


def test_booking_a_demo_is_not_a_local_booking():
    assert _best("we need people booking a free demo of our software") == "leads"
    assert _best("we want more bookings for the salon") == "local"


def test_emotions_about_the_brand_are_brand_health():
    assert _best("are people angry with us online?") == "brand_health"


def test_a_word_inside_a_cue_phrase_does_not_unmake_it():
    est = load_goal_model(CATALOG).estimate("people should book a free demo")
    assert est.cue_scores.get("leads", 0) >= 3 and any("book a demo" in e for e in est.evidence)
    est = load_goal_model(CATALOG).estimate("we are not chasing a demo")
    assert "leads" not in est.cue_scores


def test_rumours_are_brand_health():
    assert _best("there are rumours about us on reddit") == "brand_health"


def test_programs_borrowing_other_audiences_are_awareness():
    assert _best("employee advocacy on linkedin, which metric?") == "awareness"
    assert _best("our creator program pays tiktokers to feature us") == "awareness"
    assert _best("influencers should make our skincare sell out") == "ecommerce"  # the objective stated wins


def test_the_audience_replying_is_engagement_and_the_tone_about_the_brand_brand_health():
    assert _best("we want a feed people actually reply to") == "engagement"
    assert _best("we reply to every DM within the hour") == "community"
    assert _best("we want to follow the tone of conversations about our brand") == "brand_health"
    assert _best("kpi for growing our substack subscriber list") == "leads"


def test_what_follows_but_is_the_concern():
    assert _best("our posts get seen but nobody reacts") == "engagement"
    assert _best("people react to our posts but we want more people to hear about us") == "awareness"


def test_a_shop_is_who_we_are_unless_the_question_wants_sales():
    assert _best("we want more people to hear about our charity shop") == "awareness"
    assert _best("small gift shop here, which kpi?") == "ecommerce"


def test_objectives_local_and_b2b_share_follow_the_kind_of_business():
    assert _best("we want more businesses to request a quote for our software") == "leads"
    assert _best("plumber here, we want more quote requests") == "local"
    assert _best("we want more quote requests") == "local"  # no context: where the lexicon puts it
    assert _best("our physio clinic wants more leads from instagram") == "local"
    assert _best("local bakery: we want more orders for custom cakes by DM") == "local"
    assert _best("our sneaker webshop wants more orders") == "ecommerce"


def test_calling_something_is_not_phone_calls():
    est = load_goal_model(CATALOG).estimate("can we call that a win")
    assert "local" not in est.cue_scores
    assert _best("we want the phone calls to the shop to go up") == "local"


def test_mockery_is_brand_health():
    assert _best("people keep mocking our brand on tiktok") == "brand_health"


def test_finding_out_about_us_posting_daily_and_a_knowledge_base():
    assert _best("we want more people to find out about us") == "awareness"
    assert _best("we want to post daily on every platform") == "efficiency"
    assert _best("our tweets should bring people to our knowledge base") == "traffic"
