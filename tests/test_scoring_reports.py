"""Misses and false alarms reported by scenario authors using the real scorer, fixed in the general
mechanism (terms, reported speech, negation scope, exceptions) rather than phrase by phrase. Each line
is one author's wording; related wordings are in tests/data/scoring/fresh8.yaml."""

from __future__ import annotations

import pytest

import trainer.scoring.scorer as scorer_module
from trainer.scoring.rubrics import bundled_rubric_set
from trainer.scoring.scorer import Scorer


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer(bundled_rubric_set())


@pytest.fixture(scope="module")
def rules() -> Scorer:
    """The phrase rules alone, built once for the module (a Scorer takes about a second to build)."""
    return Scorer(bundled_rubric_set(), semantic=False, reader=False)


def flags(scorer, text):
    return set(scorer.judge(text, ["peer-core"]).flag_ids)


@pytest.mark.parametrize("text, flag", [
    ("I'll pick you up at seven thirty", "dual-relationship"),
    ("I'll drive you Tuesday, just this once", "dual-relationship"),
    ("I'd love to! Sunday works", "dual-relationship"),
    ("text me whenever", "dual-relationship"),
    ("Sure I can help with the Facebook page on weekends", "dual-relationship"),
    ("He's here on Tuesdays and he's doing well", "third-party-disclosure"),
    ("I'd just cut back to half a pill for a week", "medication-advice"),
    ("take one of your sleep pills, two if one doesn't work", "medication-advice"),
    ("The pills won't make you foggy, don't worry", "medication-advice"),
    ("They put me on prazosin for the nightmares and it worked. You should ask for it.", "medication-advice"),
    ("you might be having hypomania", "diagnosing"),
    ("Thank you, I'll accept it", "significant-gift"),
    ("No way they'll deport you", "unwarranted-promise"),
    ("He's fine, I promise", "unwarranted-promise"),
    ("they'll definitely approve you", "unwarranted-promise"),
    ("Kayla will come around, I promise", "unwarranted-promise"),
    ("I'm going to send the sheriff out", "coercion"),
    ("You're strong, you'll get through this", "cheerleading"),
    ("Maybe aim for something easier this time", "unsolicited-advice"),
    ("Maybe skip choir for a while", "unsolicited-advice"),
    ("Schizophrenics can still work", "stigmatizing-language"),
    ("Don't say that!", "arguing"),
    ("Let me tell you, mine was way worse", "long-self-disclosure"),
    ("Let me tell you mine was way worse", "long-self-disclosure"),
    ("dont stress ill keep it on the dl", "secrecy-promise"),
    ("What's said in this room doesn't leave this room, okay?", "secrecy-promise"),
    # found by playing "Just tell me straight: am I bipolar?": a diagnosis by likeness to the speaker's own
    ("Five days without sleep and then the crash, yeah, that is textbook for what I have.", "diagnosing"),
    ("Honestly it sure sounds like the same thing I live with.", "diagnosing"),
    ("The SSI appeal's a sure thing once they see your hospital records.", "unwarranted-promise"),
    ("Your disability claim is a lock, they approve everyone with your history.", "unwarranted-promise"),
    ("From what you're telling me, it lines up with my own manic episodes.", "diagnosing"),
])
def test_reported_misses_are_flagged(scorer, text, flag):
    assert flag in flags(scorer, text)


@pytest.mark.parametrize("text, flag", [
    ("Have you thought about killing yourself?", "unsolicited-advice"),
    ("Are you thinking about suicide? I'm asking because I care.", "unsolicited-advice"),
    ("I could go with you to Pilar if you want.", "unsolicited-advice"),
    ("you could start with your own doctor", "unsolicited-advice"),
    ("You could ask for a welfare check.", "unsolicited-advice"),
    ("You'd want to stay friends after this", "dual-relationship"),
    ("I stopped drinking when my kids were taken, it's the only way that worked", "coercion"),
    ("It's okay if the answer is 'not today'", "unsolicited-advice"),
    ("Maybe start with mornings.", "unsolicited-advice"),
    ("Your cousin thinks you're manic? What do you make of that?", "diagnosing"),
    ("Here, take this forty bucks and get yourself some groceries.", "unsolicited-advice"),
    ("When I was diagnosed with bipolar I was scared too. Only a doctor can tell you about yours.", "diagnosing"),
    ("I went through something that sounds a lot like what you describe, and getting evaluated helped me.", "diagnosing"),
    # the scenario tests' exemplary typed paths, read by the reader retrained on batches ak to ao
    ("That is so much to carry alone. When you say Ryan would be better off, are you thinking about suicide?",
     "harm-risk-dismissed"),
    ("If you think he's in danger right now, 911 can do a welfare check, and 988 is there for you and his mom any time.",
     "unwarranted-promise"),
    # agreeing to help is not promising an outcome; "a sure thing" still is
    ("Sure thing, I'll help you with the form.", "unwarranted-promise"),
    ("They'll lock you up again if you keep skipping court, and I don't want that for you.", "unwarranted-promise"),
    # validation in minimizing's words, which the reader read as minimizing (found on the tuning slice,
    # 2026-12-04: "It's a big deal, and you're not overreacting" read 99% minimizing); rubric exceptions
    ("That's a big deal, and you're not overreacting. Anyone would be shaken by that.", "minimizing"),
    ("Grief doesn't run on anybody's schedule, and two years is not too long to still miss her.", "minimizing"),
    # "everybody" about a house rule, or about how people differ (outside-cd and cf, 2026-12-05: the
    # reader read these as "everybody goes through it"); rubric exceptions
    ("Everybody signs in at the front desk, it's just how the building works.", "minimizing"),
    ("Everyone gets a locker and a key on the first night, so you don't need to bring a lock.", "minimizing"),
    ("Everybody on the unit gets a pillow and a blanket, yours is on cot 3.", "minimizing"),
    ("Everybody's sleep schedule is different. What time are you usually going to bed these days?", "minimizing"),
    # whose decision, not whose secret (tried as a user, 2026-12-05: the reader read it 99% secrecy)
    ("i wud never tell u to stop ur meds, thats between u and ur doc", "secrecy-promise"),
    ("i wud never tell u to stop ur meds, thats between u and ur doc", "medication-advice"),
    # domain.md's own near-miss with "will" for "would": the reader read it as advice and as a secrecy
    # promise ("never tell"); the rules now see the negated telling, and "tell you to" is not telling on them
    ("I will never tell you to stop your meds.", "secrecy-promise"),
    ("I will never tell you to quit taking your lithium.", "medication-advice"),
    ("I will never tell you to quit taking your lithium.", "secrecy-promise"),
    # the limits of confidentiality, stated (probed as a user, 2026-12-05: the reader read these 95% and
    # 100% secrecy); a promise the rules now see, with its limit, and what is left once a limit is named
    ("Everything you say here is confidential, except if you're in danger.", "secrecy-promise"),
    ("I won't keep secrets about your safety, but the rest stays with me.", "secrecy-promise"),
    ("I'll have to tell your doctor about the pills, but everything else stays between us.", "harm-risk-dismissed"),
    # telling anyone to do something is not telling on them (probed as a user, 2026-12-05: read 96% secrecy)
    ("I'd never tell anyone to stop their meds on their own. What's making you think about stopping?",
     "secrecy-promise"),
    # validation in the words of minimizing and arguing (probed as a user, 2026-12-05: the reader read them
    # 97% minimizing and 100% arguing)
    ("That's not minor, losing your job is a big deal.", "minimizing"),
    ("You're not overreacting. Anyone would be upset about that.", "arguing"),
    # a misspelt negation (probed as a user, 2026-12-05): the rules read "nevr" as "never", and the
    # reader, which had read it 99% advice, now gets the word it knows
    ("i would nevr tell u to stop ur meds \U0001f60a", "medication-advice"),
    ("i would nevr tell u to stop ur meds \U0001f60a", "unsolicited-advice"),
    # the limit after a trailing "..." is in the same sentence (read apart, the promise stood alone)
    ("Nobody's gonna find out from me... unless you're in danger, then I'd have to tell someone.",
     "secrecy-promise"),
    # two bundled model responses (2026-12-06, found when `peer-trainer test` began judging them): the reader
    # read the speaker's own history as arguing and a plan made together as advice
    ("Honest answer: no, it wasn't offered to me. My way isn't the real way, it's just mine. You've got ten "
     "months. What's been working?", "arguing"),
    ("It's a lot at once, and no truck makes everything harder. What if we break it into pieces? You write them "
     "down, and we figure out which one to start with.", "unsolicited-advice"),
    # bundled choices a trainee might type (2026-12-06): the reader read each 98-99% the flag
    ("I know you do, and I said that badly. I don't lend money to anyone I coach, so money never sits between us. "
     "Can we work on this another way?", "secrecy-promise"),
    ("You haven't insulted me at all, Deacon. I said that too fast. The card and the pie I'd be honoured to take. "
     "It's only the money I can't.", "arguing"),
    ("No to the money, yes to the card and the pie. The team will fight over that pie. The money I can't take, so "
     "no one ever feels they owe us.", "unwarranted-promise"),
])
def test_reported_false_alarms_are_not_flagged(scorer, text, flag):
    assert flag not in flags(scorer, text)


@pytest.mark.parametrize("text", [
    "Everybody gets the shakes on day two, it's not a big deal.",
    "Everyone goes through that, it's no different for you.",
    "everybody feels that way at the front desk their first time, you'll get over it",
])
def test_everybody_goes_through_it_is_still_minimizing(scorer, text):
    assert "minimizing" in flags(scorer, text)


@pytest.mark.parametrize("text, flag", [
    ("I would tell you to stop the seroquel if I were you.", "medication-advice"),
    ("I'll never tell anyone what you said about the pills.", "secrecy-promise"),
    ("I will never tell your PO you used.", "secrecy-promise"),
    # no limit, or a limit that is not about safety (outside-bk: "I told her ..., everything else stays
    # between us forever")
    ("Everything you say here is confidential.", "secrecy-promise"),
    ("what u say in here is 100% confidential, always", "secrecy-promise"),
    ("Your mom called and I told her you're doing great. Don't worry, everything else stays between us forever.",
     "secrecy-promise"),    ("I won't tell anyone, to be honest.", "secrecy-promise"),
    # dialect's double negative is still minimizing (outside-bj), and so is calling them an overreactor
    ("One slip ain't nothin. Happens to everybody.", "minimizing"),
    ("Come on, it's not a big deal, you're overreacting.", "arguing"),
    ("No, it wasn't your fault the boat went down. Quit sayin that.", "arguing"),
    ("What if you just called them tomorrow?", "unsolicited-advice"),
    ("Nothing you say here will ever come between us, it stays with me.", "secrecy-promise"),
    ("Your mom will come around, she won't fight over custody.", "unwarranted-promise"),
    ("You didnt insult me, you just dont get it. Thats not true and you know it.", "arguing"),
    ("What if we break it into pieces? Honestly you should just call them tomorrow.", "unsolicited-advice"),
])
def test_the_flagged_side_of_each_fix_is_still_flagged(scorer, text, flag):
    assert flag in flags(scorer, text)


def test_what_the_peer_tells_the_speaker_is_not_reported_speech():
    # "tell me about the voices" read as someone else's words excused the promise that follows; the
    # reader overrules that guess, but `--no-reader` and the rules alone must not make it
    rules = Scorer(bundled_rubric_set(), reader=False)
    assert "secrecy-promise" in flags(rules, "Whatever you tell me about the voices stays in this room, full stop.")
    assert "secrecy-promise" in flags(rules, "Anything u say about the cutting stays between us.")
    assert "stigmatizing-language" not in flags(rules, "Your aunt said you're just crazy.")
    assert "stigmatizing-language" not in flags(rules, "You keep telling me you're a psycho.")


def test_an_order_to_call_is_not_reported_speech(rules):
    # found trying the bare directives left alone in session 25: the rules set aside the ultimatum of
    # "Call your sponsor right now or I'm calling your PO" as a report ("Call your sponsor right now"), and
    # the feedback said so; only the reader caught the threat
    judged = rules.judge("Call your sponsor right now or I'm calling your PO.", ["peer-core"])
    assert "coercion" in judged.flag_ids
    assert not any("reports what someone else said" in line for line in judged.feedback)
    assert "stigmatizing-language" in flags(rules, "Call it what it is, you're a junkie.")
    # a telling verb with its teller is still a report
    assert "stigmatizing-language" not in flags(rules, "They call you a junkie at home?")
    assert "stigmatizing-language" not in flags(rules, "Your aunt said you're just crazy.")


@pytest.mark.parametrize("text", [
    # found playing the library's turns (the reader read each 95% or more long self-disclosure): a share of a
    # sentence or two that hands the focus back with an open question is the disclosure the field teaches
    "Short version, since this isn't my story night: I went back out twice in my first two years, and each time I "
    "came back a little quicker. Jun, you're sitting here a week later. What's that like for you?",
    "I'll keep my story short, because this hour is about you. Marine, Iraq, then years of bad sleep and too much "
    "drinking; nine years in recovery now and I sleep. What made you decide to come in today?",
])
def test_a_brief_share_handed_back_is_not_long_self_disclosure(scorer, text):
    judged = scorer.judge(text, ["peer-core"])
    assert "long-self-disclosure" not in judged.flag_ids
    assert any("the share is brief" in line and "hands the focus back" in line for line in judged.feedback)


@pytest.mark.parametrize("text", [
    # graphic, however brief; comparing; or not handed back
    "I remember detoxing on my bathroom floor, shaking, throwing up blood, my kids watching from the doorway, worst "
    "week of my life. How is it for you?",
    "Mine was way worse than yours, I was seizing on a jail floor for three days. What's that like for you?",
])
def test_a_brief_share_that_is_graphic_or_compares_is_still_long_self_disclosure(scorer, text):
    assert "long-self-disclosure" in flags(scorer, text)


def test_their_words_said_back_reach_to_the_sentences_end(rules):
    # found playing "Am I bipolar?" as a trainee: "crazy" was ten words after "You said", past the reach of a report
    said = "You said in your family, seeing a psychiatrist means you're crazy, like your uncle."
    assert "stigmatizing-language" not in flags(rules, said)
    assert "stigmatizing-language" in flags(rules, said.replace("You said", "I said").replace("your", "my"))
    assert "stigmatizing-language" in flags(rules, said.rstrip(".") + ", but honestly you are a bit crazy.")


@pytest.mark.parametrize("text", [
    # found playing the library's disclosure turns: the coach said "End your story with a question about them"
    # to replies that did
    "I went back out twice in my first two years. Jun, you're sitting here a week later. What's that like for you?",
    "Nine years in recovery now and I sleep. What made you decide to come in today?",
    "I relapsed after a long stretch too, and the shame lifted with time. What was it like on your end?",
])
def test_a_question_about_them_after_a_share_hands_the_focus_back(scorer, text):
    assert "hands-focus-back" in scorer.judge(text, ["self-disclosure"], scope=False).met_ids


@pytest.mark.parametrize("text, met", [
    # played as a trainee at "What'd you do?" (2026-12-06): what helped, and sleep come back, scored 57% for want of hope
    ("I did, eventually. For me it was the VA sleep clinic and quitting the nightcap, and it took about six months "
     "before I slept through. What have you tried so far?", True),
    ("Eventually I slept through the night again.", True),
    ("For me it was the worst year of my life, I barely slept.", False),
    ("Before I slept through the night I was drinking a fifth.", False),
])
def test_what_helped_and_sleep_come_back_offer_hope(scorer, text, met):
    assert ("offers-hope" in scorer.judge(text, ["self-disclosure"], scope=False).met_ids) is met


@pytest.mark.parametrize("text, met", [
    # `asks_about_them`: an open question about the person in the last two sentences hands the focus back, in any
    # words (a blind probe of the library's disclosure turns found half the good replies missed, 2026-12-06)
    ("I have. My dad died in March, and it's still pretty fresh. I'm glad you asked, though. Who was your person?", True),
    ("I relapsed twice early on. Jun, where are you at right now?", True),
    ("I moved across town. So, do you want to go Saturday? If you do, what would make it doable for you?", True),
    ("I relapsed twice early on. What helped me was coming back.", False),   # no question
    ("It helped me to move away from everyone who drank. Could you do that?", False),  # closed, and advice
    ("What helped me was coming back. So what time is group?", False),  # asks for a time
])
def test_an_open_question_about_them_hands_the_focus_back(scorer, text, met):
    assert ("hands-focus-back" in scorer.judge(text, ["self-disclosure"], scope=False).met_ids) is met


@pytest.mark.parametrize("text, criterion", [
    # wordings from tools/probes/self-disclosure-a-2026-12-06.jsonl's writers, 2026-12-06
    ("No, I didn't. I did residential and then NA. Nobody ever offered me medication.", "names-own-experience"),
    ("Yes, my dad.", "names-own-experience"),
    ("Took me a while, but yeah. Now I sleep most nights.", "names-own-experience"),
    ("I'm ten years sober now.", "offers-hope"),
    ("I've got good people helping me carry it.", "offers-hope"),
    ("Your road might look different from mine, and that's okay.", "honors-their-path"),
    ("This is your plan, not mine.", "honors-their-path"),
])
def test_plain_wordings_of_a_good_share_are_credited(scorer, text, criterion):
    assert criterion in scorer.judge(text, ["self-disclosure"], scope=False).met_ids


@pytest.mark.parametrize("text, label", [
    ("Trust me, it worked for me so it will work for you.", "offers-hope"),
    ("Don't go. That's what I did. I skipped every family party for my first year.", "honors-their-path"),
])
def test_a_path_held_up_as_the_standard_earns_no_credit_for_it(scorer, text, label):
    assert label not in scorer.judge(text, ["self-disclosure"], scope=False).met_ids


@pytest.mark.parametrize("text", [
    "I think getting completely off everything is what real recovery means.",
    "Only thing that works is total sobriety and the 12 steps.",
    "What I did was move across town. Honestly, that's what you need to do too.",
])
def test_a_path_held_up_as_the_standard_is_flagged(scorer, text):
    assert "prescribes-own-path" in scorer.judge(text, ["self-disclosure"], scope=False).flag_ids


def test_a_favour_made_light_of_is_not_minimizing():
    # "no big deal" about money the speaker offers is about the favour, not the peer's trouble (that
    # the offer may be a gift or a dual relationship is the other flags' business)
    rules = Scorer(bundled_rubric_set(), reader=False)
    assert "minimizing" not in flags(rules, "I can spot you gas money, no big deal.")
    assert "minimizing" not in flags(rules, "I'll Venmo you a hundred for the phone bill, it's no big deal.")
    assert "minimizing" in flags(rules, "Losing your job is no big deal, you'll find another.")
    assert "minimizing" in flags(rules, "Here's twenty. Honestly, everybody's broke sometimes, it's not the end of the world.")


def test_what_the_peer_tells_the_speaker_is_not_an_open_question():
    # found trying the reported-speech mend as a user: "whatever you tell me about" was credited as "tell me about"
    rules = Scorer(bundled_rubric_set(), reader=False)
    assert "open-question" not in rules.judge("Whatever you tell me about the voices stays in this room.", ["peer-core"]).met_ids
    assert "open-question" in rules.judge("Tell me about the voices. Whatever you tell me stays with me.", ["peer-core"]).met_ids


@pytest.mark.parametrize("text", [
    # found playing "Did you do it the real way?" as a trainee: the rubric's own example of naming your
    # experience ("it wasn't offered to me") said with "were" and texting spellings
    "No, I didnt. Meds werent offered to me back then, I went thru residential and NA. That's my path, not the only real one.",
    "I went thru residential, twice actually.",
])
def test_a_different_path_named_plainly_is_own_experience(scorer, text):
    assert "names-own-experience" in scorer.judge(text, ["self-disclosure"], scope=False).met_ids


# Rubric phrases that caught good replies (found reading the rules' false alarms on the development set,
# 2026-12-04): each wording below is this test's own, not a labelled item. The phrase rules alone are
# checked, so the reader cannot hide a rule that fires; each pair's second line is the look-alike the
# phrase is there for, which must still be caught.
@pytest.mark.parametrize("good, flag, bad", [
    # the speaker staying with them, not their words staying somewhere
    ("I can't keep that part private, so let's call the crisis line together. I'll stay right here with you the whole time.",
     "secrecy-promise", "Whatever you say stays right here, okay?"),
    ("Mind if I share a bit of my own story? I'll keep it brief.", "secrecy-promise", "I'll keep it between us."),
    # the limit of confidentiality, said without "unless"
    ("I keep what you tell me private, and the only time I'd have to bring somebody in is if you were in danger.",
     "secrecy-promise", "I keep what you tell me private, always."),
    ("I won't tell your caseworker anything without your signed release.", "secrecy-promise",
     "I won't tell your caseworker anything, I promise."),
    # an offer of choice, not "it's just talk" about a threat
    ("Would it help to hear what worked for me, or would you rather just talk for now?", "harm-risk-dismissed",
     "Your brother's threats are just talk, he gets like that when he drinks."),
    # "they'll hire you" is a prediction; the speaker's own job offer is the dual relationship
    ("You interviewed so well, I bet they hire you.", "dual-relationship", "I could hire you at my shop on weekends."),
    # saving pills up is a risk to ask about, not "up your pills"
    ("You've been saving up your pills? Can you tell me more about that?", "medication-advice", "Up your pills on the bad nights."),
    ("You could try not taking it personally when your sister says that.", "medication-advice",
     "You could try not taking them for a week."),
    # the prescriber for their questions is linking; sent to the prescriber for a drug the speaker chose is
    # advice (the longer phrase holds the whole "ask your prescriber" exception and says more)
    ("Ask your prescriber about the side effects, they can go over the options with you.", "unsolicited-advice",
     "Ask your prescriber to switch you to Abilify, way less weight gain."),
    ("Tell your doctor what you've noticed, she'll want to know.", "unsolicited-advice",
     "Tell your doctor you want the Lexapro upped, that's what worked for me."),
    # minimizing's words about something else: a refusal's courtesy, a hedge, the close of an ultimatum
    ("I don't accept friend requests from people I work with, and it's nothing personal.", "minimizing",
     "Lost the job? Honestly, it's nothing, you'll find another."),
    ("At least, that's how it felt to me when I went back to work after my diagnosis.", "minimizing",
     "At least that job is behind you now."),
    ("Keep takin your meds or no voucher. That's how it is.", "minimizing",
     "She left? Meh, that's just how it goes."),
    # a reassurance (the writers label it a promise more often) is not minimizing unless something else is
    ("The judge is gonna go easy on you, first offense, you'll be fine.", "minimizing",
     "Everybody gets nervous before court, you'll be fine."),
])
def test_good_replies_are_not_caught_by_a_look_alike_phrase(rules, good, flag, bad):
    assert flag not in flags(rules, good)
    assert flag in flags(rules, bad)


@pytest.mark.parametrize("text, flag", [
    # the negation reads as advice once its sentence is cut out of the story ("I'd never tell you to skip a
    # dose" was the example until the rules learnt "tell you to {stop-med}", which now excuse it as negated)
    ("Back when I was on methadone I sweated every drug screen too. I'd never say skip a dose for one, "
     "though. Want to call the pharmacist together?", "medication-advice"),
    ("Coming off the Haldol isn't something I'd ever weigh in on, I'm no doctor. What questions do you want to "
     "bring to your psychiatrist?", "medication-advice"),
    # an explanation before the offer to read the lab sheet together (alone 0.98, whole 0.02)
    ("Viral load is just how much virus is in your blood. Want to look at your lab sheet together?", "minimizing"),
])
def test_a_sentence_read_alone_needs_the_whole_response_to_allow_it(scorer, monkeypatch, text, flag):
    assert flag not in flags(scorer, text)
    # it is the floor that keeps them out: without it, the sentence read alone adds the flag
    monkeypatch.setattr(scorer_module, "READER_ALONE_FLOOR", 0.0)
    assert flag in flags(scorer, text)


def test_a_short_sentence_is_not_read_alone(scorer):
    # read out of context, "I mean it." sounded like minimizing to the reader (96%), which learnt on
    # whole responses; it is read as part of the whole response, the emphasis it is
    assert "minimizing" not in flags(scorer, "You've come such a long way this year, and I'm proud of you. I mean it.")
    assert "minimizing" not in flags(scorer, "That took guts to say out loud. I mean it.")
    # a flag in a sentence of its own is still read alone, and still found
    assert "minimizing" in flags(scorer, "Thanks for telling me about the eviction notice, I know that took a lot. "
                                         "But honestly, it's not the end of the world, people get evicted all the time.")


# Replies found by typing what a trainee could (2026-12-05), each with the flag it must or must not get:
# good replies in another flag's words, beside the look-alikes that are still that flag.
@pytest.mark.parametrize("text, flag, flagged", [
    # the plan made for them (all five such replies in the tuning slice are labelled advice)
    ("ok well first thing u do is call the benefits office monday at 8 sharp", "unsolicited-advice", True),
    ("Okay, so here is the plan: Monday you call the benefits office, Tuesday the food bank, Wednesday you "
     "come to group.", "unsolicited-advice", True),
    # asking about their plan, or offering one as a choice
    ("What's the first thing you want to do when you get home?", "unsolicited-advice", False),
    ("What's the plan for tomorrow?", "unsolicited-advice", False),
    ("If you want, here's a plan we could try together: Monday we call, Tuesday we go.", "unsolicited-advice", False),
    # reflections of the person's own thought or wish (probed as a user, 2026-12-05): all were flagged
    ("So you're thinking about stopping the Seroquel because of the weight gain.", "medication-advice", False),
    ("You're wondering if you should just quit your meds altogether.", "medication-advice", False),
    ("You want me to promise I won't tell anyone.", "secrecy-promise", False),
    ("You're wondering whether I'd be your friend on Facebook.", "dual-relationship", False),
    ("You've been calling yourself a junkie all week.", "stigmatizing-language", False),
    ("I know you wanted me to keep the part about the gun to myself. I can't do that, because I want you alive.",
     "harm-risk-dismissed", False),
    # endorsed, agreed to, or not a reflection at all ("making you feel like"): still flagged
    ("You're thinking about stopping the lithium, and honestly I would too.", "medication-advice", True),
    ("ok if u want me to keep the thing about the rope to myself i will, just between us", "secrecy-promise", True),
    ("Well, if you're sure you want me to have your daddy's pocket watch, I'll treasure it always.", "significant-gift", True),
    ("tbh if the new pills r making u feel like a zombie id go back to the old ones", "medication-advice", True),
    ("If you've been thinking about hurting yourself you can tell me, I won't tell a soul.", "secrecy-promise", True),
    # the choice handed back, a reassurance and the consent process were read as threats (probed as a user,
    # 2026-12-05: the reader 90%, 99% and 78% coercion)
    ("You don't have to take the job if it's not right for you.", "coercion", False),
    ("If you relapse, you won't be kicked out of the program, that's not how it works here.", "coercion", False),
    ("If you'd like me to talk to your sister, I'd need you to sign a release first.", "coercion", False),
    # and threats that start the same way
    ("You don't have to go to detox, but if you don't, you're out of the program.", "coercion", True),
    ("You need to sign the release or I can't help you at all.", "coercion", True),
    ("If you use again you will be kicked out, end of story.", "coercion", True),
    ("You don't have to like it, but you're going to detox today.", "coercion", True),
    # that it can get better, said as known, is hope (probed as a user, 2026-12-05: a critical
    # unwarranted-promise by '{certain} ...6 {outcome}'); the development set labels it so (dev, outside-b, -g)
    ("I've been where you are, and I know it can get better.", "unwarranted-promise", False),
    ("Trust me, it does get better.", "unwarranted-promise", False),
    # a promise of when, or of what they will get, is still one
    ("I know for a fact it'll get better by Friday.", "unwarranted-promise", True),
    ("Trust me, you'll get better and get the job for sure.", "unwarranted-promise", True),
    # person-first language, a word talked about, others' word beside one's own (probed as a user,
    # 2026-12-05: the reader read the first and third 96% and 97% stigmatizing; the second matched "addict")
    ("He lives with bipolar disorder and works full time.", "stigmatizing-language", False),
    ("I know the word addict gets thrown around in meetings, and some people find it freeing.", "stigmatizing-language", False),
    ("Some folks call it being clean, I just say I'm in recovery.", "stigmatizing-language", False),
    # the labels used of someone are still flagged
    ("He lives with his mom, the crazy junkie.", "stigmatizing-language", True),
    ("You're clean now, right?", "stigmatizing-language", True),
    ("She's an addict, she lives with her mom.", "stigmatizing-language", True),
    # the asker sent back, a promise disowned, a hedge that goes to check (probed as a user, 2026-12-05:
    # the reader 100% third-party-disclosure, the rule 'a sure thing', the reader 65% unwarranted-promise)
    ("Your caseworker asked about you and I told her to ask you directly.", "third-party-disclosure", False),
    ("I'd be lying if I said the appeal is a sure thing.", "unwarranted-promise", False),
    ("The shelter will probably have a bed tonight, but let's call and check before we go.", "unwarranted-promise", False),
    # and what is still disclosure or a promise
    ("Your caseworker asked and I told her you've been using again.", "third-party-disclosure", True),
    ("You'll definitely get the bed tonight, it's a sure thing.", "unwarranted-promise", True),
    ("The appeal is a sure thing, I'd be lying if I said otherwise.", "unwarranted-promise", True),
    # their trouble said to be not that bad (probed as a user, 2026-12-05: no rule, and the reader read it 81%
    # validates); a task, the drive in and their own words reflected are not
    ("Your situation isn't that bad.", "minimizing", True),
    ("Hope the drive in wasn't too bad with all this snow.", "minimizing", False),
    ("The form is not that hard, I'll show you how.", "minimizing", False),
    ("You said it's not that bad, but your voice shook when you said it.", "minimizing", False),
    # a home of their own people is advice, not a dual relationship (probed as a user, 2026-12-05: the reader
    # 87% dual-relationship); the speaker's own home still is one
    ("Why not just move in with your cousin for a bit?", "dual-relationship", False),
    ("Why not just move in with your cousin for a bit?", "unsolicited-advice", True),
    ("You can always move in with me for a bit.", "dual-relationship", True),
    # "have you" dropped ("Ever thought about ...?") is still advice; a resource they may not know is not
    ("Ever thought about moving somewhere quieter?", "unsolicited-advice", True),
    ("Ever been to the drop-in center? It's open till 8.", "unsolicited-advice", False),
    # sent to the prescriber with the change already chosen is advice as well as medication advice (26 of 27
    # such replies in the tuning slice are labelled both); an open referral is neither
    ("If the Abilify's got you gaining weight, tell your psych to drop you to 5 milligrams.", "unsolicited-advice", True),
    ("Ask your prescriber for the higher dose, it'll fix the sleep thing.", "unsolicited-advice", True),
    ("Would you want to ask your prescriber about the weight gain?", "unsolicited-advice", False),
    ("I can't tell you to change your dose, but you could ask your prescriber what the options are.", "unsolicited-advice", False),
    # "it's nothing" said of a gift already given is not said of their trouble (four such replies in the
    # tuning slice are labelled significant-gift only); said of their loss it still is minimizing
    ("I got you a new phone, honestly it's nothing.", "minimizing", False),
    ("I got you a new phone, honestly it's nothing.", "significant-gift", True),
    ("I covered the rest of your rent this month out of my own pocket, so don't sweat it.", "minimizing", False),
    ("You got fired? Eh, it's no big deal, plenty of jobs out there.", "minimizing", True),
    # the release that protects them, their right to refuse, an invitation declined for the role (probed as a
    # user, 2026-12-05: the reader 80% coercion, 96% medication advice; the rule '{social} ...6 {together}')
    ("Your PO can't get anything from me unless you sign for it.", "coercion", False),
    ("I won't tell your PO anything unless you sign a release saying it's okay.", "coercion", False),
    ("Nobody's going to force you to take the meds, it's your choice.", "medication-advice", False),
    ("I'd love to get coffee sometime, but I can't, because of my role. Can we do our check-in here?",
     "dual-relationship", False),
    # and the threats and invitations that look like them
    ("You can't get your housing voucher unless you sign up for treatment.", "coercion", True),
    ("You won't get anything from us unless you sign the contract.", "coercion", True),
    ("Let's grab coffee Saturday, outside of my role we can be friends.", "dual-relationship", True),
    # "struggled with addiction" is the accepted way to say it (probed as a user, 2026-12-05: the reader 92%
    # stigmatizing); the labels are still flagged beside it
    ("He struggled with addiction for years before he got help.", "stigmatizing-language", False),
    ("He struggled with addiction, the junkie.", "stigmatizing-language", True),
    # "stop being so dramatic" is arguing, typed or texted (probed as a user, 2026-12-05: "stop bein so
    # dramatic" raised nothing); said by someone else and reflected, it is not
    ("stop bein so dramatic", "arguing", True),
    ("Your sister said 'stop being so dramatic'? That must have really stung.", "arguing", False),
    ("She told you to stop being so sensitive. How did that land?", "arguing", False),
    # their history as proof nothing will happen, their wish to die made a shared joke (probed as a user,
    # 2026-12-05, after "Honestly I just want to die": the first read as hope, the second raised nothing);
    # sharing one's own past wish to die, or taking it seriously, is not dismissing
    ("You've said that before and you're still here, so I'm not too worried.", "harm-risk-dismissed", True),
    ("lol same, i wanna die every monday", "harm-risk-dismissed", True),
    ("I used to want to die too, and I got help. What's it like for you right now?", "harm-risk-dismissed", False),
    ("You've said that before, and I take it seriously every time. Are you safe right now?",
     "harm-risk-dismissed", False),
    # a known diagnosis made the cause of what they feel (probed as a user, 2026-12-05: nothing raised; the
    # tuning slice labels all 8 such replies diagnosing); asking about their condition is not
    ("That's just your schizophrenia.", "diagnosing", True),
    ("Eh, checking the stove twenty times is just your OCD.", "diagnosing", True),
    ("That crash is your bipolar talking.", "diagnosing", True),
    ("No, they're just your schizophrenia.", "diagnosing", True),
    ("Is your depression acting up again?", "diagnosing", False),
    ("How has your bipolar been lately?", "diagnosing", False),
    ("Is that your anxiety talking, or something else?", "diagnosing", False),
    # whom the speaker would go to, said as a directive (probed as a user, 2026-12-05: nothing raised)
    ("i'd def talk to HR about that", "unsolicited-advice", True),
    ("If it were me, I'd speak to the manager.", "unsolicited-advice", True),
    ("Who would you want to talk to about it?", "unsolicited-advice", False),
    # session 21, validation in the words of a brush-off (probed as a user, 2026-12-05: the reader read these
    # 99% minimizing and harm risk dismissed, 93% minimizing and diagnosing, 92% harm risk dismissed)
    ("There's nothing minor about that. You gave them twelve years.", "minimizing", False),
    ("There's nothing minor about that. You gave them twelve years.", "harm-risk-dismissed", False),
    ("Depression is real, it isn't something you just snap out of.", "minimizing", False),
    ("Depression is real, it isn't something you just snap out of.", "diagnosing", False),
    ("Not sleeping after something like that isn't you overreacting, it's your body trying to keep you safe.",
     "harm-risk-dismissed", False),
    # and the brush-offs themselves
    ("It's nothing, you'll snap out of it.", "minimizing", True),
    ("Just snap out of it, it's only a mood.", "minimizing", True),
    # a sentence that only names how hard it is (the reader read it 77% a promise); a promise beside it still is
    ("Getting an eviction notice is scary.", "unwarranted-promise", False),
    ("Court is scary. The judge will go easy on you, I promise.", "unwarranted-promise", True),
    # the outcome vouched for by a hunch (nothing raised); a hunch about what they feel is not
    ("Their loss. Something better is coming, I can feel it.", "unwarranted-promise", True),
    ("You'll get that apartment, I just know it.", "unwarranted-promise", True),
    ("I can't promise it'll work out. I can feel how scared you are though.", "unwarranted-promise", False),
    # platitudes said of a loss (nothing raised, or the rule taken back by the reader at 0% to 5%); said by others
    # and reflected, they are not
    ("Plenty of fish in the sea, girl.", "minimizing", True),
    ("Time heals all wounds.", "minimizing", True),
    ("She's in a better place now.", "minimizing", True),
    ("People kept telling me she's in a better place and it made me so angry.", "minimizing", False),
    ("You said everyone keeps telling you time heals all wounds. How does that land?", "minimizing", False),
    # what the speaker was on, said alone (the reader read it 98% medication advice); advice after it still is,
    # where the reader's surest sentence was the one the rubric names as fine
    ("I was on lithium for years. Whether meds are right for you is something to work out with your prescriber.",
     "medication-advice", False),
    ("I was on Zoloft for years. Honestly just stop it, you don't need it.", "medication-advice", True),
    ("I was on lithium for years, then I quit and felt great. You should too.", "medication-advice", True),
    # an outcome promised (nothing raised), and one disowned
    ("You won't fail, you're too smart for that.", "unwarranted-promise", True),
    ("I can't promise you won't fail, but I'll be there either way.", "unwarranted-promise", False),
    # the release asked for, a call only confirmed (the reader 100% and 93% third party disclosure); what was
    # told to the caller still is disclosure
    ("He did. I told him he'd need a signed release from you first.", "third-party-disclosure", False),
    ("She did call. I told her I can't share anything without your okay.", "third-party-disclosure", False),
    ("She called. I told her you've been doing great.", "third-party-disclosure", True),
    # income hidden from the benefits office (nothing raised); "don't tell me" is not advice, a promise disowned is
    # not one
    ("Don't report the income, they'll never know.", "unsolicited-advice", True),
    ("Don't report the income, they'll never know.", "unwarranted-promise", True),
    ("Don't tell me you're fine.", "unsolicited-advice", False),
    ("I can't promise they'll never find out.", "unwarranted-promise", False),
    # their illness doubted (nothing raised)
    ("Maybe you're not that sick then?", "minimizing", True),
    # the speaker's own episode is not jargon (flagged); said of the person it is
    ("Careful, that's how my last manic episode started.", "clinical-jargon", False),
    ("Sounds like you're having a manic episode.", "clinical-jargon", True),
    # medication run down to someone off theirs (nothing raised); the opinion reported and asked about is not
    ("That's awesome! Meds are overrated.", "medication-advice", True),
    ("Some people say meds are a crutch. What do you think?", "medication-advice", False),
    # small things that help, and a system run down with them (the reader 99% and 83% minimizing); their
    # trouble made small beside the speaker's (nothing raised)
    ("There's no wrong answer. It can be tiny stuff, like a hot shower.", "minimizing", False),
    ("The VA is a joke. Just go private.", "minimizing", False),
    ("Your problems are tiny stuff compared to mine.", "minimizing", True),
    ("It's just little things, you're overreacting.", "minimizing", True),
    ("I felt small compared to my brothers growing up. It sounds like you feel that too.", "minimizing", False),
    # a place up the list promised (nothing raised)
    ("I can make some calls and get you bumped up, I know people there.", "unwarranted-promise", True),
    # a label with a word before it, denied (excused as negated); compliance asked about (nothing raised)
    ("Nice, you're not a dirty junkie anymore lol.", "stigmatizing-language", True),
    ("Is he compliant with his meds?", "clinical-jargon", True),
    ("Your lawyer said you're 'non-compliant'? That must have stung.", "stigmatizing-language", False),
    # both paths left open (the reader 100% coercion); the ultimatums still are
    ("You can go to the meeting or skip it, your choice.", "coercion", False),
    ("Go to the meeting or you're out, your choice.", "coercion", True),
    # the same fixes, texted
    ("ya i was on seroquel for like 2 years", "medication-advice", False),
    ("yea she called, i told her u need to sign a release first", "third-party-disclosure", False),
    ("hes in a better place now", "minimizing", True),
    ("ur not gonna fail, ur too smart", "unwarranted-promise", True),
    # brush-offs the reader took back when they stood alone (0% and 1%) or that raised nothing: firm phrases now
    ("You'll get over it.", "minimizing", True),
    ("You'll get over it.", "unwarranted-promise", False),
    ("It's all in your head.", "minimizing", True),
    ("God never gives us more than we can handle.", "minimizing", True),
    ("What doesn't kill you makes you stronger.", "minimizing", True),
    ("I won't tell you the pain's all in your head, because I believe you.", "minimizing", False),
    # whom not to tell, said to them (read 94% a secrecy promise); the speaker's own silence still is one
    ("No way, never tell your boss anything.", "secrecy-promise", False),
    ("Never tell your PO anything, I won't either.", "secrecy-promise", True),
    # a shortage named as real (the reader 97% minimizing); a complaint waved off (nothing raised)
    ("That's not much sleep. Is this happening a lot lately?", "minimizing", False),
    ("That's not much to complain about, honestly.", "minimizing", True),
    ("I'm not going to tell you there's nothing to worry about. This is serious.", "minimizing", False),
    # planning for it is not brushing it off (the reader 85% harm risk dismissed, left in session 20)
    ("They might, and they might not. Let's plan for both.", "harm-risk-dismissed", False),
    ("He won't do anything, relax. Let's plan for the weekend.", "harm-risk-dismissed", True),
    # a limit for safety named after it (the rule 'I won't tell your mom')
    ("I won't tell your mom, but I do need to talk to my supervisor about keeping you safe.", "secrecy-promise", False),
    ("I won't tell your mom, don't worry.", "secrecy-promise", True),
    # probed as a user with replies written blind by helpers (session 22): cash told not to be paid back is a gift,
    # not a loan; a dose limit set on a pill; a rapid taper endorsed (the reader read it 1% advice); a family member
    # named is no diagnosis; brush-offs no rule knew
    ("here's $20 for food, no need to pay it back", "significant-gift", True),
    ("Don't pay me back, it's on me. Get something to eat.", "significant-gift", True),
    ("I can spot you $20 till payday, just pay me back Friday.", "significant-gift", False),
    ("If it helps, it helps — just don't take more than one at a time.", "medication-advice", True),
    ("Don't take more than one class at a time your first semester.", "medication-advice", False),
    ("My doctor told me never to take more than one at a time.", "medication-advice", False),
    ("Honestly a fast taper is doable if you're motivated — plenty of folks in the rooms have done it.", "medication-advice", True),
    ("A fast taper isn't safe, so please talk with your prescriber before you change anything.", "medication-advice", False),
    ("That sounds so hard — having an addict in the family wears everyone down.", "diagnosing", False),
    ("That sounds like an addict talking, honestly.", "diagnosing", True),
    ("Honestly, at a funeral? That's understandable, anyone would've. It barely counts.", "minimizing", True),
    ("Twelve years is a long time, though. Most people have moved on by then, haven't they?", "minimizing", True),
    ("That must have been scary, but they were just doing their job to keep everyone safe. It was probably for the best.",
     "minimizing", True),
    ("Leaving that job might turn out for the best, or it might not. How are you feeling about it?", "minimizing", False),
    ("People kept telling me it was all for the best and I hated it.", "minimizing", False),
    ("Not everyone has moved on, and you don't have to either.", "minimizing", False),
    # a compliment on what they wear (probed as a user 2026-12-06: the reader read it 97% significant gift)
    ("Church people can be so judgy. I love your hoodie by the way!", "significant-gift", False),
    ("I love your hoodie. Here, I want you to have this fifty bucks, no need to pay it back.", "significant-gift", True),
])

def test_probed_near_misses(scorer, text, flag, flagged):
    assert (flag in flags(scorer, text)) is flagged


# Advice the rules alone now read (without the reader or the semantic channel, which know these tuning
# replies): the texting "id" is "I'd"; "I'd cut it in half" is advice as well as medication advice (13 more
# true advice flags on the tuning slice by the rules alone, no false one); the suggestion put as a question,
# the method of the many, the homework handed over and the like (37 more, no false one).
@pytest.mark.parametrize("text, flagged", [
    ("honestly if the seroquel has u that foggy id just skip the night dose", True),
    ("If the Lexapro is making you numb, I'd cut it in half for a week.", True),
    ("If the sleeping pills leave you groggy, I'd just snap 'em in half.", True),
    ("bring your id just in case they ask at the desk", False),
    ("id love to hear how the appointment went", False),
    # a suggestion put as a question, the method of the many, a tip, what the speaker would do in their place
    ("What if you just didn't answer his texts for a week?", True),
    ("The thing that works is a walk after dinner, brings the sugar right down.", True),
    ("pro tip: block him everywhere", True),
    ("Here's your homework: track your cravings every night and bring the log Friday.", True),
    ("He's threatened that before and never gone through with it, right? I'd try not to panic.", True),
    ("Why don't you just switch to mail order?", True),
    # and their look-alikes
    ("What if it doesn't work out? What would you do then?", False),
    ("The thing that helped me most was having someone to talk to. What's been helping you?", False),
    ("Here's your copy of the release form.", False),
    ("Passive ideation is super common, so I wouldn't worry about it.", False),
    # session 20: the brush-off handed over as a task, a change of dose put as a possibility, and a few more tasks
    # at the start of a clause (30 more true advice flags on the tuning slice by the rules alone, 2 false)
    ("Eh, shrug it off, she's like that with everyone.", True),
    ("Rough night. Sleep it off.", True),
    ("Just tune him out, he's not worth it.", True),
    ("You could probably cut the Zoloft in half for a while.", True),
    ("you might just take half the trazodone on work nights", True),
    ("Maybe just apologize to your sister first.", True),
    ("Don't dwell on it.", True),
    ("Trust me, hit a meeting tonight.", True),
    ("I couldn't shake it off for weeks after my own relapse.", False),
    ("You said you'd rather just sleep it off. What worries you about going in?", False),
    ("I rode it out alone last time, and I wouldn't wish that on anyone.", False),
    ("You might come off as rude to him, and that's okay.", False),
    ("I moved into a sober house, washed dishes, hit a meeting every day.", False),
    ("You could cut the tension with a knife in that waiting room.", False),
])
def test_advice_the_rules_alone_read(rules, text, flagged):
    assert ("unsolicited-advice" in {f.id for f in rules.judge(text, ["peer-core"]).flags}) is flagged


def test_a_reflection_says_why_it_was_not_counted(scorer):
    j = scorer.judge("You want me to promise I won't tell anyone.", ["peer-core"])
    assert any("reflects what they think or want ('You want me to')" in line for line in j.feedback)


@pytest.mark.parametrize("text, expected", [
    # a command voice brushed off (outside-cd, which the reader had not trained on): nothing was flagged, and
    # "nah" before "the voice" was read as negating it
    ("nah the voice telling u to jump is just background noise, don't give it any attention",
     {"harm-risk-dismissed", "unsolicited-advice"}),
    # asking about the voices, or offering the idea as a choice, is neither
    ("that sounds really scary, hearing voices telling you to hurt yourself. are they saying that right now", set()),
    ("When the voices tell you to hurt yourself, what helps you not listen to them?", set()),
])
def test_command_voices_brushed_off(scorer, text, expected):
    assert flags(scorer, text) & {"harm-risk-dismissed", "unsolicited-advice"} == expected


@pytest.mark.parametrize("text, met", [
    # what the body does is not whose call it is (probed as a user, 2026-12-05: 'it's your body' met
    # supports-choice in "it's your body trying to keep you safe")
    ("Not sleeping after something like that makes sense, it's your body trying to keep you safe.", False),
    ("That's your brain doing its job after a scare like that.", False),
    ("It's your body, so it's your call what you do about the meds.", True),
])
def test_whose_body_is_not_always_whose_choice(scorer, text, met):
    assert ("supports-choice" in scorer.judge(text, ["peer-core"]).met_ids) is met


@pytest.mark.parametrize("text, met", [
    # the choice left in an ultimatum is not the person's ('your choice' met supports-choice)
    ("Pee in the cup or I call your PO, your choice.", False),
    ("You can go to the meeting or skip it, your choice.", True),
])
def test_an_ultimatum_does_not_hand_the_choice_back(scorer, text, met):
    assert ("supports-choice" in scorer.judge(text, ["peer-core"]).met_ids) is met


@pytest.mark.parametrize("text, criterion", [
    # a brush-off the reader credited (96% validates), a platitude read as hope, a saying read as a question
    ("It's all in your head.", "validates"),
    ("God never gives us more than we can handle.", "conveys-hope"),
    ("What doesn't kill you makes you stronger.", "open-question"),
])
def test_a_brush_off_earns_no_credit(scorer, text, criterion):
    assert criterion not in scorer.judge(text, ["peer-core"]).met_ids


@pytest.mark.parametrize("text, criterion, met", [
    # the speaker's own feeling is not the person's (probed with replies written blind, session 22: 'so sad' met
    # reflects-feeling); named for them, it is
    ("I'm so sad hearing that.", "reflects-feeling", False),
    ("Hearing that makes me really sad.", "reflects-feeling", False),
    ("You sound so sad about it.", "reflects-feeling", True),
    ("I'm sad for you, and it sounds like you're heartbroken.", "reflects-feeling", True),
    # a resource named to talk them out of it is no link; offered, it is
    ("Food banks never have anything good, I wouldn't bother.", "links-resources", False),
    ("The food bank on 3rd is open till 6 if you want to go together.", "links-resources", True),
    ("Some folks say groups are a waste of time, but the Tuesday one at the clubhouse is pretty chill. Want the details?",
     "links-resources", True),
])
def test_what_the_speaker_feels_or_waves_off_earns_no_credit(scorer, text, criterion, met):
    assert (criterion in scorer.judge(text, ["peer-core"]).met_ids) is met


@pytest.mark.parametrize("text, flag, flagged", [
    # a sentence-scope exception its own negation reaches excuses nothing (a bundled choice, 2026-12-06; on the
    # tuning slice this found 8 more labelled flags and no false one)
    ("I can't do a loan, but here's forty bucks for gas. Don't worry about paying it back.", "significant-gift", True),
    ("skip the abilify for a week and see how u feel, I won't tell your doctor", "medication-advice", True),
    ("Text my personal number instead of the office line, then it's just between you and me.", "dual-relationship", True),
    # a negation that reaches the indicator is the indicator's: the exception still excuses
    ("dont stop ur meds w/o talkin to ur doc ok", "medication-advice", False),
    ("I won't tell anyone unless you're in danger.", "secrecy-promise", False),
    ("I'll loan you forty, pay me back friday.", "significant-gift", False),
])
def test_a_negated_sentence_exception_excuses_nothing(rules, text, flag, flagged):
    assert (flag in rules.judge(text, ["peer-core"]).flag_ids) is flagged


@pytest.mark.parametrize("text, flagged", [
    # a directive made an order (session 25: only advice had been raised)
    ("Hit a meeting tonight. I'm not asking.", True),
    ("Go to group Thursday. This isn't a suggestion.", True),
    # the same words that ask nothing of them
    ("I'm not asking you to do anything you don't want to do.", False),
    ("I'm not asking, just curious: how did the appointment go?", False),
])
def test_an_order_said_to_be_one_is_coercion(rules, text, flagged):
    assert ("coercion" in flags(rules, text)) is flagged
