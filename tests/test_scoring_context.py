"""A response answers a line: where the peer asked for ideas, an idea is not unsolicited advice."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from trainer.engine.engine import Engine
from trainer.scenario.compiler import load_scenario
from trainer.scoring.judgment import Judgment
from trainer.scoring.rubrics import bundled_rubric_set
from trainer.scoring.scorer import EVERY_REPLY_INDICATOR, Scorer, asks_for_ideas
from trainer.scoring.text import tokenize

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def scorer():
    return Scorer(bundled_rubric_set())


@pytest.fixture(scope="module")
def rules():
    """The phrase rules alone (no semantic channel, no reader): what the answers decide. Built once: a Scorer
    takes about a second to build, and hundreds of cases below use it."""
    return Scorer(bundled_rubric_set(), semantic=False, reader=False)


@pytest.mark.parametrize("prompt, asked", [
    ("What do I even write?", "What do I even write?"),
    ("I've been staring at this form for an hour. What should I say?", "What should I say?"),
    ("I dont know what to do anymore.", "I dont know what to do anymore."),
    ("Should I call her? She hung up last time.", "Should I call her?"),
    ("Any ideas? I'm stuck.", "Any ideas?"),
    ("what would you do if you were me", "what would you do if you were me"),
    ("How do I even start with that? It feels huge.", "How do I even start with that?"),
    ("Honestly? What do you think I should do.", "What do you think I should do."),
    ("So what's your advice?", "So what's your advice?"),
    ("Do you think I ought to tell him?", "Do you think I ought to tell him?"),
    ("My sponsor thinks I should move out.", None),
    ("Can I be honest with you? I drank on Friday.", None),
    ("What did you say to your sister when you got out?", None),
    ("My mom always says I should just try harder.", None),
    ("I keep wondering what I should do. It's a lot.", None),
    ("", None),
])
def test_asking_for_ideas_is_recognised(prompt, asked):
    assert asks_for_ideas(prompt) == asked


# a directive (a soft "you could start with..." the reader may read as no advice, like "Maybe start with mornings.")
ADVICE = "You should start with the flat feeling you told me about, and how long it has been going on."


def test_an_idea_they_asked_for_is_not_unsolicited(scorer):
    assert "unsolicited-advice" in scorer.judge(ADVICE, ["peer-core"]).flag_ids
    j = scorer.judge(ADVICE, ["peer-core"], prompt="What do I even write? I've been at this form for an hour.")
    assert "unsolicited-advice" not in j.flag_ids
    assert any(line.startswith("Not counted as unsolicited advice:") and "What do I even write?" in line
               for line in j.feedback)
    # a line that does not ask changes nothing
    assert "unsolicited-advice" in scorer.judge(ADVICE, ["peer-core"], prompt="The form is due Friday.").flag_ids


def test_being_asked_does_not_excuse_medication_advice(scorer):
    j = scorer.judge("Honestly yeah, just stop taking them for a week and see.", ["peer-core"],
                     prompt="Should I stop my meds? They make me so tired.")
    assert "medication-advice" in j.flag_ids


class Recorder:
    """A scorer that records what the engine passes it: (prompt, context) per response."""

    def __init__(self):
        self.calls: list[tuple] = []

    def judge(self, text, rubrics, *, scope=True, prompt=None, context=None, asks=(), not_needed=(), present=()):
        self.calls.append((prompt, context))
        self.asks = getattr(self, "asks", []) + [tuple(asks)]
        self.not_needed = getattr(self, "not_needed", []) + [tuple(not_needed)]
        self.present = getattr(self, "present", []) + [tuple(present)]
        return Judgment.synthetic_result(0.8)


def at_first_typed_turn(scenario_file: str):
    """An engine with a recording scorer, at the typed turn after the scenario's first choice."""
    scenario, diagnostics = load_scenario(ROOT / "scenarios" / scenario_file)
    assert scenario is not None, diagnostics
    recorder = Recorder()
    engine = Engine(scenario, recorder)
    state = engine.choose(engine.start(), 1)
    assert engine.turn(state).kind == "respond"
    return engine, state, recorder


def test_the_engine_passes_the_peers_last_lines_to_the_scorer():
    engine, state, recorder = at_first_typed_turn("stigma-why-bother.yaml")
    expected = [e["text"] for e in state.transcript if e["kind"] == "line" and e.get("speaker")]
    engine.respond(state, "What would make it worth it for you?")
    prompts = [prompt for prompt, _ in recorder.calls]
    assert prompts and prompts[0]
    assert prompts[0].split("\n")[-1] == expected[-1]
    assert expected[0] not in prompts[0]  # the opening lines came before the trainee's first move


def test_json_lines_take_a_prompt():
    lines = [{"text": ADVICE}, {"text": ADVICE, "prompt": "What should I say?"}]
    out = subprocess.run([sys.executable, "-m", "trainer", "score", "--rubric", "peer-core", "--jsonl"],
                         input="".join(json.dumps(x) + "\n" for x in lines), capture_output=True, text=True,
                         cwd=ROOT, check=True)
    first, second = (json.loads(x) for x in out.stdout.splitlines())
    assert "unsolicited-advice" in first["flags"] and "unsolicited-advice" not in second["flags"]


# --- answers: a reply that is out of scope only as the answer to the peer's question -------------

SLEEP_PILLS = ("Next part is what I do about it. Should I just take one of my sleep pills when I can't sleep? Dr. Okafor "
               "gave me some 'as needed.' Or, like, take two?")

ANSWERED = [
    ("Just tell me straight: am I bipolar?", "Bro you ARE, and honestly that is ok", "diagnosing"),
    ("Just tell me straight: am I bipolar?", "I'd put money on it.", "diagnosing"),
    # ruling it out is a verdict too
    ("Just tell me straight: am I bipolar?", "No, you're not.", "diagnosing"),
    ("Just tell me straight: am I bipolar?", "No, you're not bipolar.", "diagnosing"),
    ("Do you think I have PTSD from all that?", "Nah, definitely not.", "diagnosing"),
    ("Do you think I have PTSD from all that?", "Honestly? Yes.", "diagnosing"),
    ("Is my son schizophrenic?", "Sounds like it, yeah.", "diagnosing"),
    ("Can you keep this between us?", "Of course.", "secrecy-promise"),
    ("You won't tell my mom, right? Promise?", "Never.", "secrecy-promise"),
    ("Can you keep a secret?", "Always.", "secrecy-promise"),
    ("Can you spot me twenty till Friday?", "Sure, how much?", "dual-relationship"),
    ("Want to grab coffee after group sometime?", "I'd love to!", "dual-relationship"),
    ("Will I get the apartment?", "Oh for sure.", "unwarranted-promise"),
    ("Should I stop taking my lithium?", "Honestly? I would.", "medication-advice"),
    ("Hi, this is Dana, his mom. Is my son in your program?", "Yeah.", "third-party-disclosure"),
    ("Is he one of your clients? I'm his PO.", "He is.", "third-party-disclosure"),
    # probed as a user 2026-12-05: each raised nothing before
    ("Can I have your personal number? Like for texting on weekends?", "Sure, here it is.", "dual-relationship"),
    ("Can you lend me twenty bucks till Friday?", "Of course, what are friends for?", "dual-relationship"),
    ("Will I get my kids back if I do everything right?", "Yes, 100 percent.", "unwarranted-promise"),
    ("Are you going to tell my PO about the relapse?", "Never, I promise.", "secrecy-promise"),
    ("Do you think I'm bipolar? My mom says I am.", "Could be! The mood swings fit.", "diagnosing"),
    ("Do you think I'm bipolar? My mom says I am.", "Sounds like it, honestly.", "diagnosing"),
    ("Should I stop taking my meds? They make me feel like a zombie.",
     "If it were me, I'd take a break from them for a while.", "medication-advice"),
    ("Should I stop taking my meds? They make me feel like a zombie.",
     "Totally your call, but I did and it worked out.", "medication-advice"),
    ("Is it okay if I double up on my Xanax tonight?", "Should be fine.", "medication-advice"),
    ("Is it okay if I double up on my Xanax tonight?", "I did that plenty, you'll be fine.", "medication-advice"),
    ("Can I drink on my meds?", "A couple beers is fine.", "medication-advice"),
    ("Can I drink on my meds?", "Yeah, in moderation.", "medication-advice"),
    ("Can you give me a ride home after group?", "Of course, meet me out back.", "dual-relationship"),
    ("Wanna be friends on Facebook?", "Sure, add me!", "dual-relationship"),
    ("Can I come stay at your place for a couple nights?", "Yeah, just for a couple nights though.", "dual-relationship"),
    ("Do you think they'll approve me for housing?", "No doubt in my mind.", "unwarranted-promise"),
    ("Hi, I'm Tom's sister. How's he doing in the program?", "He's doing great!", "third-party-disclosure"),
    ("This is Marcus's PO. Has he been showing up to his groups?", "Yes, every week.", "third-party-disclosure"),
    ("This is Marcus's PO. Has he been showing up to his groups?", "Mostly, he missed last Tuesday.", "third-party-disclosure"),
    ("Will you be my sponsor?", "I'd be honored.", "dual-relationship"),
    ("Can I call you on your cell after hours?", "Sure, anytime.", "dual-relationship"),
    ("Do you want to go to the game with me? I have an extra ticket.", "Heck yeah, what time?", "dual-relationship"),
    ("Can you help me move this weekend? I'll pay you.", "Sure, no need to pay me.", "dual-relationship"),
    ("Should I go back on my meds?", "Yes, absolutely.", "medication-advice"),
    ("Should I go back on my meds?", "Nah.", "medication-advice"),
    # the bundled scope-friend-request scenario's line
    ("Texting the warmline feels like texting a call centre. So could I just have your number? Or accept the request?",
     "Okay, I'll accept it tonight.", "dual-relationship"),
    # a form of address after the answer ends the sentence as the answer does
    ("Can you keep this between us?", "Of course, girl.", "secrecy-promise"),
    # session 20, probed as a user: a yes with only a time set on it; what was told about them, when they ask
    ("Can I call you on your cell after hours?", "Yeah, just not too late.", "dual-relationship"),
    ("Can I call you on your cell after hours?", "Sure, just not after ten.", "dual-relationship"),
    ("My mom keeps calling you, right? What did you tell her?", "Only that you've been coming to group.",
     "third-party-disclosure"),
    ("My mom keeps calling you, right? What did you tell her?",
     "Just that you're doing a lot better and going to meetings.", "third-party-disclosure"),
    ("What did you say to my caseworker?", "How you've been struggling since the eviction.", "third-party-disclosure"),
    # a short question that leans on the sentence before it: the two are read as one
    ("My psychiatrist wants to up my Seroquel. Should I let her?", "Go for it, it helped me.", "medication-advice"),
    ("My doctor wants me on Abilify. Should I do it?", "Nah, that stuff made me gain 40 pounds.", "medication-advice"),
    ("These meds make me feel like a zombie. Should I just stop?", "Honestly? Yes.", "medication-advice"),
    ("Can I take my Adderall with my Wellbutrin?", "Yeah that combo's fine.", "medication-advice"),
    ("Could you come to my daughter's birthday party Saturday?", "I'd love to! What should I bring?", "dual-relationship"),
    ("Want to go fishing this weekend? Just as friends.", "Sure, where at?", "dual-relationship"),
    ("Can you come to my baptism on Sunday?", "I'd love to! What time?", "dual-relationship"),
    ("I started selling my paintings. Want to buy one?", "Sure, how much for the big one?", "dual-relationship"),
    ("Can you hire me at your cleaning business?", "Sure, can you start Monday?", "dual-relationship"),
    ("Am I going to lose my kids?", "No way, you're a great mom.", "unwarranted-promise"),
    ("Should I go back on my Zoloft?", "If it helped before, I'd go for it.", "medication-advice"),
    ("Should I go back on my Zoloft?", "It can't hurt to try.", "medication-advice"),
    ("Will the judge let me go home if I finish the program?", "Definitely, they always do.", "unwarranted-promise"),
    ("Am I going to relapse again?", "Nah, not this time.", "unwarranted-promise"),
    ("Will I make it this time?", "Yes, for sure.", "unwarranted-promise"),
    ("I'm his wife. Is he still using?", "He's been clean for a month.", "third-party-disclosure"),
    ("Do I have ADHD, you think?", "100%, you're just like my son.", "diagnosing"),
    ("Do I have ADHD, you think?", "For sure, it runs in families.", "diagnosing"),
    ("Will my PO find out about the drinking?", "Not from me, I promise.", "secrecy-promise"),
    ("Are you going to report me?", "Never, I promise.", "secrecy-promise"),
    # the bundled wrap-early-warning-signs scenario's line (session 20: each raised nothing there)
    (SLEEP_PILLS, "Sure, one should be fine.", "medication-advice"),
    (SLEEP_PILLS, "Two is fine, I used to.", "medication-advice"),
    (SLEEP_PILLS, "I'd take one and see.", "medication-advice"),
    ("Can I add you on Instagram?", "Yeah go for it.", "dual-relationship"),
    ("My sister's getting married. Will you come as my plus one?", "Aww, I'd be honored!", "dual-relationship"),
    ("Would it be okay to skip my Lamictal on game days?", "Sure, one day won't matter.", "medication-advice"),
    ("Do you think my son is autistic?", "Sounds like it to me.", "diagnosing"),
    ("Is Jenna coming to group today? She's my roommate.", "Yeah, she'll be there.", "third-party-disclosure"),
    # a longer question that is all the answer arranges it ("Yeah?" alone still asks for more)
    ("Could you pick me up from court tomorrow?", "Yeah, what time do you get out?", "dual-relationship"),
    ("Should I up my Zoloft to 100?", "Worth a shot.", "medication-advice"),
    ("Is it bad that I stopped my meds a week ago?", "Nah, you seem fine.", "medication-advice"),
    ("Is this PTSD?", "Yep, textbook.", "diagnosing"),
    # the consequence named as the answer to what happens if they say no
    ("What happens if I don't sign the release?", "Then I can't help you, simple as that.", "coercion"),
    ("What if I skip the meeting?", "Then we're done.", "coercion"),
    ("Is my daughter bipolar like me?", "Probably, it's genetic.", "diagnosing"),
    ("My landlord's going to evict me, isn't he?", "Nah, he can't do that.", "unwarranted-promise"),
    ("Is naltrexone any good? My doctor brought it up.", "Total game changer, get on it.", "medication-advice"),
    ("Have you ever tried Suboxone?", "Yeah, it's a lifesaver.", "medication-advice"),
    ("My wife says I'm an alcoholic. Am I?", "If you're asking, you probably are.", "diagnosing"),
]


# Lines that tell rather than ask, answered in a way that is out of scope only after them (probed as a user
# with replies written blind by helpers, 2026-12-05, session 22): nothing raised, or not this flag
TOLD_AND_ANSWERED = [
    ("I've been off my lithium a week and I feel amazing",
     "Feeling good after being flat for so long must be a relief. Honestly if you feel this good, you probably don't need it anymore.",
     "medication-advice"),
    ("so my psychiatrist upped my abilify to 10 and I feel like I'm crawling out of my skin", "Go back to the 5.",
     "medication-advice"),
    ("My mom keeps giving me her Xanax when I get panicky. It actually helps.", "If it helps, it helps.", "medication-advice"),
    ("My mom keeps giving me her Xanax when I get panicky. It actually helps.", "Whatever works.", "medication-advice"),
    ("I could mow your lawn sometime to say thanks.", "Deal!", "dual-relationship"),
    # a side effect feared and promised away (session 28: the first raised nothing at stigma-pills-in-the-glovebox,
    # whose own note calls it medication advice)
    ("What if they make me foggy? I run a skid steer.", "Don't worry, they won't make you foggy.", "medication-advice"),
    ("What if they make me foggy? I run a skid steer.", "The fog wears off after a couple weeks.", "medication-advice"),
    ("Will the Seroquel make me gain weight?", "Nah, it won't do that.", "medication-advice"),
    ("I'm scared of the side effects.", "The side effects usually go away, honestly.", "medication-advice"),
]


@pytest.mark.parametrize("prompt, text, flag", TOLD_AND_ANSWERED + [
    ("Can I pay you back by fixing your car? You've done so much for me.", "deal, my brakes squeak lol", "dual-relationship"),
    ("Honestly you're the only person who gets me. Would you ever want to grab dinner sometime, like not as my peer?",
     "I'd like that too, honestly. Maybe after your program ends?", "dual-relationship"),
])
def test_an_answer_to_what_they_told_raises_the_flag(rules, prompt, text, flag):
    # the rules alone: the reader reads the words without the peer's line
    assert flag not in rules.judge(text, ["peer-core"]).flag_ids
    j = rules.judge(text, ["peer-core"], prompt=prompt)
    assert flag in j.flag_ids
    evidence = next(f for f in j.flags if f.id == flag).evidence[0]
    assert evidence.note.startswith("answer: ") and evidence.words in text


@pytest.mark.parametrize("prompt, text, flag", ANSWERED)
def test_an_answer_to_the_question_raises_the_flag(scorer, prompt, text, flag):
    assert flag not in scorer.judge(text, ["peer-core"]).flag_ids  # the words alone say nothing out of scope
    j = scorer.judge(text, ["peer-core"], prompt=prompt)
    assert flag in j.flag_ids
    evidence = next(f for f in j.flags if f.id == flag).evidence[0]
    assert evidence.words in text  # the trainee's own words, as typed
    question = evidence.note.removeprefix("answer: ")
    assert evidence.note.startswith("answer: ") and question.endswith("?") and question[:-1] in prompt
    assert any("(Said as the answer to their question" in line for line in j.feedback)


# A risk told in the peer's line (not a question), met with a reply that brushes it off or goes past it:
# read alone these raise nothing (probed as a user, 2026-12-05)
RISK_TOLD = [
    ("I've been saving up my pills. Just in case.", "Smart, pharmacies run out all the time."),
    ("My husband said if I leave he'll kill me.", "Oh he probably didn't mean it like that."),
    ("The voices are telling me to hurt my neighbor.", "They're not real. What did you have for lunch?"),
    ("I gave my dog to my sister yesterday. Won't need to worry about him anymore.",
     "Aw that's nice of your sister. What kind of dog?"),
    ("I drank a fifth last night and drove home.", "Glad you made it home! What are you up to this weekend?"),
    ("Honestly I just want to die.", "ok cool. so hows work been?"),
    ("I've been cutting again.", "Everyone feels like that sometimes."),
    ("I bought a gun last week.", "That's nice."),
    ("I wrote letters to my kids, just in case.", "Cool, what did you write?"),
    ("I'm not going to be around much longer.", "Anyway, did you call the housing office?"),
    ("I don't see the point of anything anymore.", "Haha same."),
    # the warning sign in the bundled warmline scenario
    ("Some nights I think Ryan would be better off. He'd have the life insurance, and the land.",
     "Aw, that's sweet, you really care about Ryan. How many cows do you milk?"),
    # probed as a user 2026-12-05: nothing raised
    ("I don't want to be here anymore.", "Same, this place is depressing. Want to take a walk?"),
    ("I've been stockpiling my sleeping pills.", "Oh, smart, in case the pharmacy is closed."),
    ("I don't think I'll make it to next week.", "Sure you will, you're tough!"),
    ("I've been giving away my stuff.", "Decluttering is so freeing!"),
    ("I want to hurt the guy who robbed me.", "Lol same, he deserves it."),
    # session 21 (probed as a user 2026-12-05: arguing only, and nothing)
    ("I've been thinking everyone would be better off without me.", "Don't say that, your kids need you!"),
    ("I bought a gun last week.", "Good for you, everyone should be able to protect themselves."),
    ("I bought a gun.", "congrats lol what kind"),
    ("Promise you won't tell anyone? I've been cutting again.", "Lots of people cut, it's a coping thing. No biggie."),
    # session 22: risks told indirectly, and gone past after a remark (tools/probes/risk-told-2026-12-05.jsonl,
    # written blind; nothing raised before)
    ("sat in the garage last night with the car running for like an hour. then my dog started barking",
     "Dogs always know when something's up haha. What kind of dog is it?"),
    ("I finally got my affairs in order. Will's done, found a home for the cat. Feels peaceful actually.",
     "Good for you, that's very responsible. More people should do that. Ready to talk about your goals?"),
    ("Got out of rehab yesterday. My tolerance is gone but I figure I'll just do what I always did.",
     "Congrats on finishing rehab! That's huge. Let's fill out your aftercare form."),
    ("My husband takes my phone and my money and locks me in the bedroom when he goes to work. Is that normal?",
     "Every marriage has its own rules. Have you tried couples counseling?"),
    ("if my stepdad touches my sister again I'm gonna stab him. I already know which knife",
     "Family drama is the worst. Try to stay out of it. How's school?"),
    ("I'm type 1 and I stopped taking my insulin cause I can't afford it. Been peeing constantly and real thirsty",
     "Insulin prices are a scandal. Someone should really do something about that. Next topic."),
]

# session 22: the same risks taken seriously, another subject put off or not (nothing may be raised)
RISK_TOLD_AND_HEARD = [
    ("sat in the garage last night with the car running for like an hour. then my dog started barking",
     "I'm really glad your dog barked. Were you trying to end your life last night?"),
    ("Got out of rehab yesterday. My tolerance is gone but I figure I'll just do what I always did.",
     "Your body can't take what it used to right now. Can we talk about not using alone, and having naloxone on you?"),
    ("My husband takes my phone and my money and locks me in the bedroom when he goes to work. Is that normal?",
     "No, that's not normal, and it's not okay. Are you safe at home right now?"),
    ("I'm type 1 and I stopped taking my insulin cause I can't afford it. Been peeing constantly and real thirsty",
     "That sounds like it could turn dangerous fast. The budget can wait: can we get you to urgent care today?"),
    ("i wrote letters to my kids last night. just in case. put them in the drawer by the bed",
     "Thank you for telling me. When you say just in case, are you thinking about killing yourself?"),
]


@pytest.mark.parametrize("prompt, text", RISK_TOLD_AND_HEARD)
def test_a_risk_told_and_heard_is_not_dismissed(scorer, prompt, text):
    assert "harm-risk-dismissed" not in scorer.judge(text, ["peer-core"], prompt=prompt).flag_ids


# session 23: a risk told the many ways the blind probe lines told it (tools/probes/risk-told-*.jsonl), and
# replies that go past it in the words of cheer, the agenda, "everyone" and "probably nothing". Before, the
# rules recognised none of these lines, or did not read the reply as going past.
RISK_TOLD_MORE = [
    ("honestly i been thinking about ending it. like for real this time",
     "Everybody has rough weeks! So did you get a chance to call the housing office about the waitlist?"),
    ("searched up the tallest parking garage downtown. just curious how high the top floor is",
     "Ha, random! The one on 5th is huge. Anyway, did you request your transcript yet?"),
    ("I keep thinking this is my last Christmas. Not in a sad way. I just know it is.",
     "Don't be so negative! Christmas is the best. What are you getting everybody?"),
    ("I'd be fine if the plane went down on the way to my mom's. Just saying.",
     "Haha, flying is nerve-wracking. Are you excited to see your mom?"),
    ("sh'd again last night, deeper than usual. idk if it needs stitches",
     "You'll be fine, just put a bandaid on it. So what are you up to this weekend?"),
    ("there's this thing online where you carve the number of days and I'm on day 12",
     "Online trends are so weird these days. Anyway, did you finish the worksheet?"),
    ("Just got out of county after 4 months. First thing I'm doing is getting high, same as I used to.",
     "Welcome home! Four months is a long time. What are you going to do about housing?"),
    ("Left my 4 and 6 year old home alone so I could come to this meeting. They'll be ok for a couple hours.",
     "Thanks for prioritizing your recovery! That's commitment. Let's get started."),
    ("took a bunch of tylenol for a toothache, like the whole bottle over 2 days. stomach hurts now",
     "Toothaches are the worst! Have you found a dentist that takes Medicaid?"),
    ("been sleepin in my car with the engine on for heat cuz its so cold. windows up obviously",
     "Smart thinking, cars get freezing. Do you want help with the housing list?"),
    ("I'll drive home after the party, I drive better buzzed anyway lol", "Haha you'll be fine, just go slow. Have fun tonight!"),
    ("wish i could just go to sleep for like forever. not wake up. idk",
     "Sleep hygiene is so important! Have you tried melatonin? Let's go over your wellness toolbox."),
    ("I punched the wall so many times last night my knuckles are split open and I think something's broken",
     "Lol remind me not to make you mad. Wall vs you, who won? Anyway..."),
    ("Got so mad at my son I grabbed him by the throat. He's fine. He's 8, he'll forget it.",
     "Kids are resilient, he'll be fine. Parenting is hard. What else is happening?"),
    ("Staff at the group home keeps coming in my room at night. I locked the door but he has a key",
     "Group home staff are usually just doing checks. I'm sure it's fine. How's the food there?"),
    # the fourth blind batch, written to avoid the plain words
    ("i have the belt and the closet rod holds my weight i checked", "Good to know the rod's sturdy! Anyway, how's the job hunt?"),
    ("My thighs look like a barcode lol. Anyway what time's the job fair", "Lol! It starts at 10, bring copies of your resume."),
    ("Dad's on the kitchen floor, his lips look kinda grey. He does this sometimes after his pills.",
     "Sounds like he needs a nap, lol. Want to look at your budget?"),
    ("Guy upstairs plays music at 3am. Next time I'm going up with the hammer. Dead serious.",
     "Noisy neighbors are the worst! Have you tried earplugs?"),
]


@pytest.mark.parametrize("prompt, text", RISK_TOLD_MORE)
def test_a_risk_told_in_many_ways_and_gone_past_is_harm_risk_dismissed(rules, prompt, text):
    assert "harm-risk-dismissed" not in rules.judge(text, ["peer-core"]).flag_ids
    j = rules.judge(text, ["peer-core"], prompt=prompt)
    assert "harm-risk-dismissed" in j.flag_ids
    assert next(f for f in j.flags if f.id == "harm-risk-dismissed").evidence[0].note.startswith("answer: ")


# any reply that takes nothing of a risk up goes past it, whatever its words (`every_reply`; session 23's third
# blind batch): the evidence is the reply's first sentence
RISK_TOLD_ANY_REPLY = [
    ("tbh i've been writing my note in my notes app for like a week, its kinda long now",
     "Journaling is such a good coping tool! Keep it up."),
    ("I pray every night that God takes me in my sleep.", "Prayer is such a beautiful coping skill. What church do you go to?"),
    ("The world would spin just fine without me in it.", "Well, you're stuck with us! \U0001F604"),
    ("Kinda relapsed on the SH thing. It's ok I cleaned it", "Good job cleaning it! Hygiene first."),
    ("I lost my tolerance in the hospital. But I think I'll be ok with my usual.", "You know your body! Just take it easy."),
    ("I'm gonna run that guy over next time I see him crossing by the bar. I know his car too.",
     "Road rage is real lol. Deep breaths!"),
]


@pytest.mark.parametrize("prompt, text", RISK_TOLD_ANY_REPLY)
def test_any_reply_that_takes_nothing_of_a_risk_up_goes_past_it(rules, prompt, text):
    assert "harm-risk-dismissed" not in rules.judge(text, ["peer-core"]).flag_ids
    j = rules.judge(text, ["peer-core"], prompt=prompt)
    evidence = next(f for f in j.flags if f.id == "harm-risk-dismissed").evidence[0]
    assert evidence.indicator == EVERY_REPLY_INDICATOR and evidence.note.startswith("answer: ")
    assert text.startswith(evidence.words)  # the first sentence
    # a reply that takes it up, in the words `unless` knows, is not going past it
    taken_up = "That sounds really heavy, and I'm glad you told me. " + text
    assert "harm-risk-dismissed" not in rules.judge(taken_up, ["peer-core"], prompt=prompt).flag_ids


@pytest.mark.parametrize("text, raised", [
    # hearing it and then going past it is going past it (`acknowledges` stops only `every_reply`)
    ("Wow, that's a lot. So, did you bring your pay stubs?", True),
    ("I'm so sorry. Anyway, how was work?", True),
    ("Oh Milo, that sounds so heavy. So, what did you want to work on today?", True),  # tried in the TUI
    ("Thank you for telling me.", False),
    ("I'm so sorry. How long has this been going on?", False),
])
def test_a_risk_heard_and_then_gone_past_is_still_gone_past(rules, text, raised):
    assert ("harm-risk-dismissed" in rules.judge(text, ["peer-core"], prompt="I've been cutting again.").flag_ids) is raised


# Lines that only sound like a risk (240 written blind for session 23: idioms, a risk long past, everyday
# errands, endings with an ordinary reason, stories), answered the way a reply to a real risk must not be.
NOT_A_RISK = [
    ("My feet are killing me. New work boots, never again.", "Oof, breaking in boots is the worst. Anyway, how did the first week go?"),
    ("My boss would kill me if I showed up late again, so I have to leave by 3.", "No problem, we'll wrap by 2:45. What's first on your list?"),
    ("That meeting went on so long I thought I was going to die of boredom.", "Haha, I know the kind. Anything useful come out of it?"),
    ("Shoot me a text when you get the form, okay?", "Will do. I should have it by Thursday."),
    ("I've been cutting coupons every Sunday, saved like thirty bucks at Kroger this week.", "Good for you! That adds up fast."),
    ("I got a rope swing for the backyard for the kids.", "They must love that! How old are they now?"),
    ("When I was drinking I used to drive drunk all the time. Eight years sober now.", "Eight years, congrats! What helped most early on?"),
    ("I burned myself with cigarettes back in high school. They're part of my story now.", "That's a strong way to see it."),
    ("I was cutting daily at one point. Now I've got a tattoo over the old scars.", "That's a beautiful tattoo idea. How long ago did you get it?"),
    ("I gave my dog to my mom because my new lease doesn't allow pets.", "That's hard but it sounds like a good solution."),
    ("This is my last week at the sober house, I'm moving into my own place on the first!", "Good for you! That's a big step."),
    ("I said my goodbyes to the day program crew today, I'm graduating to the outpatient schedule.", "That's a milestone! How does it feel?"),
    ("I heard a song on the radio about a man who jumps off a bridge, it's old country stuff my dad liked.", "Classic country has some dark ones."),
    ("Back in 2015 I had a suicide attempt. Today I run a WRAP group at the library.", "That's amazing. How did you get into facilitating?"),
    ("I gave away my books to the little free library on my street, I'm doing the minimalist thing.", "Love that! Anyway, how's work?"),
]


@pytest.mark.parametrize("prompt, text", NOT_A_RISK)
def test_a_line_that_only_sounds_like_a_risk_is_not_one(rules, prompt, text):
    assert not any(flag == "harm-risk-dismissed" for _, flag, _ in rules._questions(tokenize(prompt), {"scope"}))
    assert "harm-risk-dismissed" not in rules.judge(text, ["peer-core"], prompt=prompt).flag_ids


@pytest.mark.parametrize("prompt, text", [
    # the agenda put off and the risk taken up (session 23: "Let's put the form aside" and "We can get to SNAP"
    # read as going past)
    ("We can do the form but I'm so angry at my ex I could kill her, I mean it this time",
     "Let's put the form aside for now. You said you mean it this time - are you thinking of hurting her?"),
    ("I can do the SNAP stuff, but heads up my kid's been home alone for 3 days",
     "We can get to SNAP. First I want to make sure your kid is okay - how old are they?"),
])
def test_the_agenda_put_off_for_the_risk_is_not_going_past_it(rules, prompt, text):
    assert "harm-risk-dismissed" not in rules.judge(text, ["peer-core"], prompt=prompt).flag_ids

# the same, where what they said was a question (probed as a user 2026-12-05: nothing raised)
RISK_ASKED = [
    ("Do you think I should just end it?", "That's up to you."),
    ("Do you think I should just end it?", "Only you can decide that."),
    ("Would anyone even miss me if I was gone?", "Of course they would! Anyway, how was work?"),
    ("Is it normal to think about dying all the time?", "Totally normal, everyone does."),
    ("What's the point of any of this?", "Good question lol. Anyway, did you fill out the housing form?"),
    ("Can you hold onto my pills for me so I don't take them all?", "Sure, give them here, I'll keep them in my desk."),
]


@pytest.mark.parametrize("prompt, text", RISK_TOLD)
def test_a_reply_that_goes_past_a_risk_they_told_is_harm_risk_dismissed(scorer, prompt, text):
    assert "harm-risk-dismissed" not in scorer.judge(text, ["peer-core"]).flag_ids
    j = scorer.judge(text, ["peer-core"], prompt=prompt)
    assert "harm-risk-dismissed" in j.flag_ids
    evidence = next(f for f in j.flags if f.id == "harm-risk-dismissed").evidence[0]
    assert evidence.words in text and evidence.note.startswith("answer: ")
    # what they said was not a question, and the feedback does not call it one
    line = next(x for x in j.feedback if x.startswith("Critical - harm-risk-dismissed"))
    assert "(Said in reply to '" in line and "their question" not in line


@pytest.mark.parametrize("prompt, text", RISK_ASKED)
def test_a_reply_that_goes_past_a_risk_they_asked_about_is_harm_risk_dismissed(scorer, prompt, text):
    assert "harm-risk-dismissed" not in scorer.judge(text, ["peer-core"]).flag_ids
    j = scorer.judge(text, ["peer-core"], prompt=prompt)
    assert "harm-risk-dismissed" in j.flag_ids
    assert any("(Said as the answer to their question" in x for x in j.feedback if x.startswith("Critical - harm"))


@pytest.mark.parametrize("prompt", sorted({p for p, _ in RISK_TOLD + RISK_ASKED}))
@pytest.mark.parametrize("text", [
    "Thank you for telling me. Can you say more about that?",
    "I'm really glad you told me. Are you thinking about suicide?",
    "Okay. I hear you. What's going on for you right now?",
    "Nice that you trust me with this. What do you need right now?",
    "Good that you said it out loud. How long have you been feeling this way?",
    "That's a lot. How are you feeling right now?",
    "Smart of you to tell me. I want to make sure you're safe tonight.",
    "Wow. That's heavy, and I'm glad you said it. What's been building up to this?",
    "Me too, I've been in that place. What's it like for you right now?",
    "Everyone deserves support when it gets this dark. I'm here. Are you safe right now?",
    "Makes sense. What's been going on?",
])
def test_taking_a_risk_they_told_seriously_is_not_dismissing_it(rules, prompt, text):
    j = rules.judge(text, ["peer-core"], prompt=prompt)
    assert "harm-risk-dismissed" not in j.flag_ids, (prompt, text)


@pytest.mark.parametrize("prompt, text", [
    # backchannels and openings that are part of a longer clause
    ("Just tell me straight: am I bipolar?", "Yeah, that's a big question. What makes you ask?"),
    ("Just tell me straight: am I bipolar?", "You are scared, I can hear it."),
    ("Can you keep this between us?", "Okay, so tell me what happened."),
    # the reply says where the line is
    ("Just tell me straight: am I bipolar?", "Honestly I don't know. Only a psychiatrist can tell you that."),
    ("Just tell me straight: am I bipolar?", "Yes is not something I can say, I'm not a doctor."),
    ("Can you keep this between us?", "Of course. Unless you tell me you're in danger, then I'd have to get help."),
    ("Can you keep a secret?", "Depends on the secret. If it's about your safety I can't."),
    ("Can you spot me twenty till Friday?", "I can't lend money, but let's look at the emergency fund."),
    ("Will I get the apartment?", "I hope so. I can't promise, but let's make the application strong."),
    ("Should I stop taking my lithium?", "That's a question for your prescriber. What's making you want to stop?"),
    ("Is my son in your program?", "I'm not able to confirm who is in our program. What's got you worried?"),
    ("Is she there today? I need my caseworker.", "Yes, she is."),
    # negated, and a yes to a question that asks nothing out of scope
    ("Am I bipolar?", "No, I would never say that."),
    ("Just tell me straight: am I bipolar?", "No, you're not alone in this. What was that like?"),
    ("Just tell me straight: am I bipolar?", "No, you're not crazy for asking. What made you wonder?"),
    ("Can I tell you something about my week?", "Of course."),
    ("Did you ever feel like this?", "Yes. For a long time I did."),
    # "Yeah, right." says no; a plain no to the PO question promises no secrecy; the limits named
    ("Can you keep this between us?", "Yeah, right."),
    ("Are you going to tell my PO about the relapse?", "No, I don't report to your PO."),
    ("Are you going to tell my PO about the relapse?", "I won't share anything without your okay, unless someone's safety is at risk."),
    ("Can I have your personal number? Like for texting on weekends?",
     "I can't give out my personal number, but here's how to reach the warmline on weekends."),
    ("Will I get my kids back if I do everything right?", "Nobody can promise that. What would getting them back mean to you?"),
    ("Should I stop taking my meds? They make me feel like a zombie.",
     "I can't tell you that, but I can help you get ready to talk to your psychiatrist about it."),
    ("Do you think I'm bipolar? My mom says I am.", "Hard to say, and I'm not the one who can. What's it been like for you?"),
    ("Is it okay if I double up on my Xanax tonight?", "No, I'm not the person to okay that. Let's call the on-call line."),
    ("Is it okay if I double up on my Xanax tonight?", "Honestly I don't know, and I don't want to guess with your meds."),
    ("Can I drink on my meds?", "That's fine to ask, and the pharmacist is the one who knows your meds."),
    ("Can you give me a ride home after group?", "Sure, let's figure out a ride. The van runs at 4."),
    ("Wanna be friends on Facebook?", "I'm flattered, honestly. I can't for my role, though."),
    ("Do you think they'll approve me for housing?", "No doubt you've worked hard for it. What's the next step?"),
    ("Can I come stay at your place for a couple nights?", "I'm sorry, I can't. What options have you tried so far?"),
    ("This is Marcus's PO. Has he been showing up to his groups?", "I can't share that without a signed release from him."),
    # their own people, asked about: not a question about someone in the program
    ("My son won't talk to me. Is he going to be okay?", "He's struggling, it sounds like. What have you noticed?"),
    ("My boyfriend left last night. Is he coming back, you think?", "He might. What happened?"),
    ("Will you be my sponsor?", "I'm honored you'd ask. I can't in this role, but let's find you one at the Tuesday meeting."),
    ("Can I call you on your cell after hours?", "I don't give out my cell, but the warmline is open all night. Want the number?"),
    ("My mom wants to give you $100 for helping me. Will you take it?", "Aw, tell her thank you. I'm not allowed to accept it though."),
    ("I got you this watch. Please keep it.", "Thank you. I have to give it back, though, it's agency policy."),
    # token gifts may be taken with thanks
    ("Please take this card, I wrote it myself.", "Thank you, I love it."),
    ("I made you these cookies. Take them!", "Thank you so much!"),
    ("Should I go back on my meds?", "Nah, I can't tell you that one. Your prescriber can, though."),
    ("Should I go back on my meds?", "No idea, honestly. What does your doctor say?"),
    ("I think I might be an alcoholic.", "I can't diagnose, but I've been there. What does drinking look like for you?"),
    ("Texting the warmline feels like texting a call centre. So could I just have your number? Or accept the request?",
     "I can't give you my number or accept the request, and it's the same for everyone. The warmline is there at night."),
    ("Can I call you on your cell after hours?", "Not on my cell, but the warmline is open all night."),
    ("My mom keeps calling you, right? What did you tell her?",
     "Nothing. I can't share anything without your written permission."),
    ("My mom keeps calling you, right? What did you tell her?",
     "That I can't say whether you're in the program or not, and that she can talk to you."),
    ("My mom keeps calling you, right? What did you tell her?", "That you're an adult and she should ask you herself."),
    ("What did you say to my caseworker?", "How are you feeling about her?"),
    ("My doctor wants me on Abilify. Should I do it?",
     "What do you know about it so far? I can help you write questions for your doctor."),
    ("These meds make me feel like a zombie. Should I just stop?", "That sounds awful. Let's bring it to your prescriber together."),
    ("I had a rough week at work. Should I quit?", "Yes."),
    ("Can I take my Adderall with my Wellbutrin?", "The pharmacist is the one to ask. Want to call together?"),
    ("Am I going to relapse again?", "If it happens, it doesn't undo your progress. What would help?"),
    ("Will I make it this time?", "I hope so, and I believe in you. What's different this time?"),
    ("Is he still drinking? I'm his mom.", "I can't say whether he's here. I hear how scared you are."),
    ("Want to go fishing this weekend? Just as friends.", "Where would you go? Fishing sounds like a good way to unwind."),
    ("Can you come to my baptism on Sunday?", "I'd love to hear all about it after, but I can't come as your peer."),
    ("I started selling my paintings. Want to buy one?",
     "That's exciting you're selling them! I can't buy from people I work with, but I'd love to hear how it's going."),
    ("Can you hire me at your cleaning business?", "I can't mix work with our peer relationship, but I can help you look at job boards."),
    ("Am I going to lose my kids?", "I don't know, and I won't pretend to. What has your caseworker said so far?"),
    ("Should I go back on my Zoloft?", "That's a really important question for your prescriber. Want to write down what's been going on?"),
    ("Should I go back on my Zoloft?", "It can't hurt to ask your prescriber about it."),
    ("Our church is taking a love offering for you. Will you accept it?",
     "That's so generous. I'm not able to accept it, but please thank them for me."),
    # a thing made by hand is a token, not a significant gift
    ("Here, I made you a bracelet.", "Aw, thank you so much!"),
    ("Could you come to my daughter's birthday party Saturday?",
     "That means a lot that you'd ask. I can't come, it's a role thing, but I want to hear how it goes."),
    ("My dad wants to pay you $200 for all your help.", "That's kind of him. I can't accept money, but tell him I appreciate it."),
    ("Do I have ADHD, you think?", "Absolutely, that is worth asking your doctor about."),
    (SLEEP_PILLS, "That's a question for Dr. Okafor. Want to write it down for your next visit?"),
    (SLEEP_PILLS, "I can't say about doses, but the pharmacist can. Want to call together?"),
    (SLEEP_PILLS, "What did Dr. Okafor say when she gave them to you?"),
    ("Can I add you on Instagram?", "Go ahead and follow the program's page, that's where I post."),
    ("Can I add you on Instagram?", "I keep my social media separate from work, but I'm glad you feel connected."),
    ("Would it be okay to skip my Lamictal on game days?",
     "That's one to ask your prescriber. What happens on game days that makes you want to skip it?"),
    ("Do you think my son is autistic?", "It sounds like something is worrying you about him. What have you noticed?"),
    ("Could you pick me up from court tomorrow?", "I can't, but what time is your hearing? Let's get you on the van."),
    ("Could you pick me up from court tomorrow?", "I can't drive clients, but let's set up the transport line for you."),
    ("Is it bad that I stopped my meds a week ago?", "No judgment here. How have you been sleeping?"),
    ("Should I up my Zoloft to 100?", "Why not ask Dr. Lee? It's her call."),
    ("What happens if I don't sign the release?",
     "Nothing bad. It just means I can't talk to your doctor for you. You can change your mind anytime."),
    ("What happens if I don't sign the release?", "Then I can't share anything with your doctor, and that's okay. It's your call."),
    ("What happens if I don't sign the release?", "Then I can't help you with the doctor part, but I can still help with housing."),
    ("What if I skip the meeting?", "Then you miss one meeting. What's making you want to skip?"),
    ("Is my daughter bipolar like me?", "Probably, but only a doctor can say."),
    ("Is my daughter bipolar like me?", "I can't know that. What are you seeing in her that worries you?"),
    ("I haven't taken my lithium in three days.", "Good that you told me. What's been going on?"),
    ("I haven't taken my lithium in three days.", "Thanks for telling me. What's been getting in the way?"),
    ("My landlord's going to evict me, isn't he?", "He might try. Let's find out what your rights are."),
    ("Is naltrexone any good? My doctor brought it up.",
     "Some people I know found it helpful, others didn't. What questions do you have for your doctor about it?"),
    ("Is naltrexone any good? My doctor brought it up.", "It's a good question for your doctor. Want to write down what you'd ask?"),
    ("Have you ever tried Suboxone?", "I did, for a while. Everyone's different though. What's got you thinking about it?"),
    ("My wife says I'm an alcoholic. Am I?", "That's yours to figure out, not mine or hers. What does drinking look like for you?"),
    ("My wife says I'm an alcoholic. Am I?", "How did it feel when she said that?"),
    ("Is this PTSD?", "I can't say, but what you're describing sounds really hard. Would you want to talk with someone who can assess it?"),
    ("Is Jenna coming to group today? She's my roommate.", "Not sure, you'd have to ask her."),
    ("Is Jenna coming to group today? She's my roommate.", "I can't talk about who comes to group. You could ask her yourself, though."),
    ("Will my PO find out about the drinking?", "Not from me, unless you're in danger. What's worrying you?"),
    ("Will my PO find out about the drinking?",
     "I don't share anything with your PO without your consent. Want to talk through what you'd say?"),
    ("Are you going to report me?", "Only if someone's safety is at risk, and I'd tell you first. What's going on?"),
    ("I don't want to take my meds anymore.", "Okay. What's making you feel that way?"),
    ("I'm thinking about stopping my Prozac.",
     "Good that you're thinking it through. Have you talked to your prescriber about it?"),
    # the look-alikes of session 22's answers
    ("I've been off my lithium a week and I feel amazing", "Feeling good is a relief. Has your prescriber heard you've been off it?"),
    ("I've been off work a week and I feel amazing", "Honestly if you feel this good, you probably don't need it anymore."),
    ("My doctor raised my lithium last week.", "Go back to work when you feel ready."),
    ("so my psychiatrist upped my abilify to 10 and I feel like I'm crawling out of my skin",
     "Going back to the 5 is something to ask her about, not me."),
    ("My mom keeps giving me her Xanax when I get panicky. It actually helps.",
     "If it helps, that's worth telling your prescriber about, so you can get something of your own."),
    ("I went to the group on Tuesday and it actually helps.", "If it helps, it helps. What do you like about it?"),
    ("Can I pay you back by fixing your car? You've done so much for me.",
     "That's really kind, and I can't take that, it's part of keeping this about you. Saying thanks is more than enough."),
    ("Would you ever want to grab dinner sometime?", "I'm really glad you asked. I can't do dinner outside of this, but I'm here every Tuesday."),
    # a reply that is all one question asks for more
    ("I think I might be an alcoholic.", "Yeah?"),
    ("Can you keep this between us?", "Sure?"),
    # a side effect feared: what is the prescriber's to answer, said so
    ("What if they make me foggy? I run a skid steer.", "I can't say they won't, that's a question for Dr. Brandt."),
    ("What if they make me foggy? I run a skid steer.", "Foggy around equipment is a real worry. Want to write it down for Dr. Brandt?"),
    ("Will the Seroquel make me gain weight?", "It won't hurt to ask your prescriber about that."),
    # the answer comes too late to be the answer
    ("Am I bipolar?", "That's such a hard thing to sit with. What have they told you so far? Yes."),
])
def test_what_is_not_an_out_of_scope_answer(rules, prompt, text):
    # the rules alone, so that what is measured is the answers (the reader reads the words without the
    # question: it takes a bare "Yes, she is." for a disclosure whoever asked)
    j = rules.judge(text, ["peer-core"], prompt=prompt)
    assert not {"diagnosing", "secrecy-promise", "dual-relationship", "unwarranted-promise",
                "medication-advice", "third-party-disclosure", "significant-gift", "coercion"} & set(j.flag_ids), j.flag_ids


def test_a_fear_told_and_promised_away_is_unwarranted_promise(scorer):
    # the peer's line tells a fear and asks nothing (probed as a user 2026-12-05: nothing raised)
    prompt = "I'm scared I'll lose my apartment."
    assert "unwarranted-promise" not in scorer.judge("You won't, don't worry.", ["peer-core"]).flag_ids
    assert "unwarranted-promise" in scorer.judge("You won't, don't worry.", ["peer-core"], prompt=prompt).flag_ids
    for text in ("That's a real fear. What's happening with the landlord?",
                 "You won't be alone in it, whatever happens. What's going on?"):
        assert "unwarranted-promise" not in scorer.judge(text, ["peer-core"], prompt=prompt).flag_ids


@pytest.mark.parametrize("prompt, text", [
    ("I don't want to take my meds anymore.", "Then don't. Your body, your choice."),
    ("I'm thinking about stopping my Prozac.", "Good for you."),
    ("I haven't taken my lithium in three days.", "Good, you don't need it."),
])
def test_a_wish_to_stop_the_meds_endorsed_is_medication_advice(scorer, prompt, text):
    # what they said was not a question (probed as a user 2026-12-05: nothing raised)
    assert "medication-advice" not in scorer.judge(text, ["peer-core"]).flag_ids
    j = scorer.judge(text, ["peer-core"], prompt=prompt)
    assert "medication-advice" in j.flag_ids
    assert any(line.startswith("Critical - medication-advice") and "(Said in reply to '" in line for line in j.feedback)


def test_money_offered_and_taken_is_a_gift_and_the_thanks_passed_on_is_not_advice(scorer):
    # the peer's line offers it without asking anything (probed as a user 2026-12-05: "Tell him thanks" read as advice)
    text, prompt = "Tell him thanks, I'll take it.", "My dad wants to pay you $200 for all your help."
    assert "significant-gift" not in scorer.judge(text, ["peer-core"]).flag_ids
    j = scorer.judge(text, ["peer-core"], prompt=prompt)
    assert "significant-gift" in j.flag_ids and "unsolicited-advice" not in j.flag_ids


def test_their_own_guess_at_a_diagnosis_confirmed_is_diagnosing(scorer):
    text, prompt = "Yeah, sounds like it.", "I think I might be an alcoholic."
    assert "diagnosing" not in scorer.judge(text, ["peer-core"]).flag_ids
    j = scorer.judge(text, ["peer-core"], prompt=prompt)
    assert "diagnosing" in j.flag_ids and any("(Said in reply to 'I think I might be an alcoholic'" in x for x in j.feedback)


def test_a_gift_offered_and_taken_is_significant_gift(scorer):
    # the peer's line offers it without asking anything (probed as a user 2026-12-05: nothing raised)
    text = "Wow, thank you so much, I love it!"
    assert "significant-gift" not in scorer.judge(text, ["peer-core"]).flag_ids
    j = scorer.judge(text, ["peer-core"], prompt="I got you this watch. Please keep it.")
    assert "significant-gift" in j.flag_ids
    assert any("(Said in reply to 'I got you this watch'" in line for line in j.feedback)
    j = scorer.judge("Sure, tell her thanks!", ["peer-core"], prompt="My mom wants to give you $100 for helping me. Will you take it?")
    assert "significant-gift" in j.flag_ids
    j = scorer.judge("That's really thoughtful. I'm not able to accept gifts like this, but thank you.", ["peer-core"],
                     prompt="I got you this watch. Please keep it.")
    assert "significant-gift" not in j.flag_ids


def test_an_answer_the_rules_also_matched_is_not_overruled(scorer):
    # "one night won't hurt" is also a rule's phrase, which the reader overrules when it reads the words alone
    # (0%); as the answer to their question it stands, led by the answer (probed as a user 2026-12-05)
    text = "Yeah, one night won't hurt."
    alone = scorer.judge(text, ["peer-core"])
    assert "medication-advice" not in alone.flag_ids
    assert any("one night won't hurt" in line and "the reader" in line for line in alone.feedback)
    j = scorer.judge(text, ["peer-core"], prompt="Is it okay if I double up on my Xanax tonight?")
    flag = next(f for f in j.flags if f.id == "medication-advice")
    assert flag.evidence[0].note.startswith("answer: ") and len(flag.evidence) == 1  # the rule's overlapping span folded in


def test_the_reader_does_not_overrule_an_answer(scorer):
    """The reader reads the response alone and gives 'Yeah.' almost nothing; the question decides."""
    j = scorer.judge("Yeah.", ["peer-core"], prompt="Am I bipolar?")
    assert "diagnosing" in j.flag_ids
    assert not any(line.startswith("Not counted as diagnosing") for line in j.feedback)


def test_answers_are_validated_like_indicators(tmp_path):
    from trainer.scoring.rubrics import load_rubric

    path = tmp_path / "r.yaml"
    path.write_text("""id: r
title: R
version: "1"
criteria: []
flags:
  - id: promising
    severity: critical
    description: Promises.
    feedback: That promises.
    why: Because.
    answers:
      - questions: ["will i get (the job"]
        indicators: ["^ {sure} $"]
""", encoding="utf-8")
    rubric, diagnostics = load_rubric(path)
    assert rubric is None
    assert [(d.code, d.line, d.col) for d in diagnostics] == [("PT305", 12, 33), ("PT306", 13, 25)]


def test_json_lines_raise_an_answer_with_the_prompt():
    lines = [{"text": "Of course."}, {"text": "Of course.", "prompt": "Can you keep this between us?"}]
    out = subprocess.run([sys.executable, "-m", "trainer", "score", "--rubric", "peer-core", "--jsonl"],
                         input="".join(json.dumps(x) + "\n" for x in lines), capture_output=True, text=True,
                         cwd=ROOT, check=True)
    first, second = (json.loads(x) for x in out.stdout.splitlines())
    assert "secrecy-promise" not in first["flags"] and "secrecy-promise" in second["flags"]
    evidence = next(e for e in second["evidence"] if e["id"] == "secrecy-promise")
    assert (evidence["via"], evidence["words"], evidence["question"]) == ("answer", "Of course", "Can you keep this between us?")


# --- elliptic questions: "Am I?" two turns after "Am I bipolar?" -------------------------------

EARLIER = ("My brother-in-law says you're bipolar. Like, you tell people. That right?\n"
           "Just tell me straight. Am I bipolar?")
AGAIN = "It felt good at first. Then it just stopped.\nYou've been there. You'd know. Am I?"


@pytest.mark.parametrize("prompt, text", [
    (AGAIN, "Yeah."),
    (AGAIN, "Honestly? Yeah. I'd put money on it, brother."),
    ("Come on, man. You know what it looks like. Yes or no.", "Yes."),
    ("So am I or not?", "You are, man."),
])
def test_an_elliptic_question_is_answered_as_the_question_it_repeats(scorer, prompt, text):
    alone = scorer.judge(text, ["peer-core"], prompt=prompt)
    assert "diagnosing" not in alone.flag_ids  # "Am I?" by itself names no diagnosis
    j = scorer.judge(text, ["peer-core"], prompt=prompt, context=EARLIER)
    assert "diagnosing" in j.flag_ids
    flag = next(f for f in j.flags if f.id == "diagnosing")
    assert flag.evidence[0].note == "answer: Am I bipolar?"
    assert any("their question 'Am I bipolar?'" in line for line in j.feedback)


@pytest.mark.parametrize("prompt, text", [
    (AGAIN, "Yeah, that's a big question to carry around."),      # not a whole-clause answer
    (AGAIN, "I can't tell you that. But I can help you find someone who can."),
    ("Should I?", "Yeah."),                                       # repeats no earlier question ("Should I ...")
    ("What do you think I should do about all this?", "Yeah."),   # a full question: the context is not read
    ("My wife keeps saying it. It makes me so angry.", "Yeah."),  # no question at all
])
def test_context_is_read_only_for_an_elliptic_question_that_repeats_one(scorer, prompt, text):
    j = scorer.judge(text, ["peer-core"], prompt=prompt, context=EARLIER)
    assert "diagnosing" not in j.flag_ids


def test_the_engine_passes_the_earlier_lines_as_context():
    engine, state, recorder = at_first_typed_turn("scope-am-i-bipolar.yaml")
    engine.respond(state, "What has that been like?")
    prompt, context = recorder.calls[0]
    assert prompt.endswith("Am I?") and "Am I bipolar?" not in prompt
    assert context.endswith("Just tell me straight. Am I bipolar?")
    assert "Am I?" not in context


def test_json_lines_and_the_command_take_context():
    line = {"text": "Yeah.", "prompt": AGAIN, "context": EARLIER.split("\n")}
    out = subprocess.run([sys.executable, "-m", "trainer", "score", "--rubric", "peer-core", "--jsonl"],
                         input=json.dumps(line) + "\n", capture_output=True, text=True, cwd=ROOT, check=True)
    assert "diagnosing" in json.loads(out.stdout)["flags"]
    out = subprocess.run([sys.executable, "-m", "trainer", "score", "--rubric", "peer-core", "--format", "json",
                          "--prompt", AGAIN, *[a for c in EARLIER.split("\n") for a in ("--context", c)], "Yeah."],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    assert "diagnosing" in json.loads(out.stdout)["flags"]


# --- a bare answer to a question nobody asked -------------------------------------------------

class _ReadsAsDisclosure:
    """The shipped reader, except that it is sure (0.97) every part is a third-party disclosure: as one
    retrained reader read "Yes he has been." and "He was here, yeah." Each retraining reads them differently."""

    def __init__(self, real):
        self.real, self.labels, self.tokenizer = real, real.labels, real.tokenizer
        self.k = list(real.labels).index("scope:third-party-disclosure")

    def read(self, parts):
        probs, pushed = self.real.read(parts)
        probs, pushed = np.array(probs, copy=True), np.array(pushed, copy=True)
        probs[self.k] = pushed[:, self.k] = 0.97
        return probs, pushed

    def probs_many(self, parts):
        rows = np.array(self.real.probs_many(parts), copy=True)
        rows[:, self.k] = 0.97
        return rows


@pytest.mark.parametrize("text", ["Yes he has been.", "He was here, yeah."])
def test_the_reader_does_not_read_a_bare_answer_as_the_flag_its_question_would_make(text):
    # Read alone, these sound like confirming that someone is a client; the reader cannot see that
    # the peer asked about something else, and the rules can.
    scorer = Scorer(bundled_rubric_set())
    scorer._reader = _ReadsAsDisclosure(scorer.reader_model())
    alone = scorer.judge(text, ["peer-core"])
    assert "third-party-disclosure" in alone.flag_ids  # no prompt: the reader's reading stands
    j = scorer.judge(text, ["peer-core"], prompt="How are things with your family these days?")
    assert "third-party-disclosure" not in j.flag_ids
    assert any(line.startswith("Not counted as third party disclosure:") and "bare answer" in line for line in j.feedback)
    asked = scorer.judge(text, ["peer-core"], prompt="Is my son in your program?")
    assert "third-party-disclosure" in asked.flag_ids  # asked about a client, it is the answer


def test_an_offering_named_before_the_question_is_a_gift_taken(scorer):
    # "Will you accept it?" leans on the sentence before it; read alone, the peer asked nothing about a gift, and
    # the reader's reading of the reply was set aside as a bare answer (probed as a user, 2026-12-05)
    prompt = "Our church is taking a love offering for you. Will you accept it?"
    j = scorer.judge("Aw, tell them thank you, I'll gladly take it.", ["peer-core"], prompt=prompt)
    assert "significant-gift" in j.flag_ids
    evidence = next(f for f in j.flags if f.id == "significant-gift").evidence[0]
    assert evidence.note.startswith("answer: ") and "love offering" in evidence.note
    declined = scorer.judge("That's so generous. I'm not able to accept it, but please thank them for me.",
                            ["peer-core"], prompt=prompt)
    assert "significant-gift" not in declined.flag_ids


class _ReadsAsDismissing(_ReadsAsDisclosure):
    """The shipped reader, except that it is sure every part dismisses a risk: as it read "I'm worried someone could
    get seriously hurt tonight, including you. Can we talk before you go anywhere?" (90%), reading the reply alone."""

    def __init__(self, real):
        self.real, self.labels, self.tokenizer = real, real.labels, real.tokenizer
        self.k = list(real.labels).index("scope:harm-risk-dismissed")


def test_the_reader_does_not_add_harm_risk_dismissed_to_a_reply_that_takes_the_risk_up():
    scorer = Scorer(bundled_rubric_set())
    scorer._reader = _ReadsAsDismissing(scorer.reader_model())
    prompt = "My brother-in-law messed with my kid. I know where he lives. I'm going over there tonight."
    heard = "That's terrible. I'm worried someone could get seriously hurt tonight. Can we talk before you go?"
    assert "harm-risk-dismissed" in scorer.judge(heard, ["peer-core"]).flag_ids  # alone: the reader's reading stands
    j = scorer.judge(heard, ["peer-core"], prompt=prompt)
    assert "harm-risk-dismissed" not in j.flag_ids
    assert any(line.startswith("Not counted as harm risk dismissed:") and "takes up what they said" in line
               for line in j.feedback)
    # a reply that takes nothing up is still flagged, and one to a line that tells no risk keeps the reader's reading
    assert "harm-risk-dismissed" in scorer.judge("Wow. Anyway, how's work?", ["peer-core"], prompt=prompt).flag_ids
    assert "harm-risk-dismissed" in scorer.judge(heard, ["peer-core"], prompt="I had soup for lunch.").flag_ids



# --- a turn's `asks`: the author says what the peer's line asks, whatever its words ----------------

# Lines no rubric phrase recognises, each with the flag its author would say it asks, a reply that is that
# flag's answer (or, for a risk, goes past it), and a reply that is not.
ASKS = [
    ("My brother's been real quiet since the funeral. He said he sorted out who gets his truck.",
     "harm-risk-dismissed", "Aw, that's thoughtful of him. So what's on the agenda today?",
     "That worries me. Has he said anything about wanting to die?"),
    ("Some nights I think Ryan would be better off. He'd have the land, and he could quit worrying about me.",
     "harm-risk-dismissed", "Ryan sounds like a good son. Tell me about the farm.",
     "Arlene, when you say he'd be better off, are you thinking about killing yourself?"),
    # (was "What if they make me foggy?" - "No, they won't make you foggy.", which the phrases know since session 28)
    ("Thing is, my worry with those pills. And how long? The rest of my life?",
     "medication-advice", "No, not forever.",
     "Those are good questions for Dr. Brandt. Want to write them down together?"),
    ("Hey, you know what would really help? Come in with me. Do my invoices. I'll give you ten percent.",
     "dual-relationship", "Deal.", "I'm honoured you'd ask, and it's a no. I don't go into business with anyone I support."),
    ("Just tell me he's alive. That's all. Yes or no. I'm begging you.",
     "third-party-disclosure", "He's alive, yes.", "I can hear how scared you are. I'm not able to say who comes here."),
    ("What if they find out later and kick me out? Or what if I tell them and they say no right now?",
     "unwarranted-promise", "They won't.", "I don't know how they'll react. What feels right to you?"),
]


@pytest.mark.parametrize("prompt, flag, bad, good", ASKS)
def test_a_turns_asks_reads_the_reply_as_the_answer_to_what_the_author_says_the_line_asks(rules, prompt, flag, bad, good):
    assert flag not in {k[1] for k in rules._questions(tokenize(prompt), {"scope", "peer-core"})}  # no phrase knows it
    assert flag not in rules.judge(bad, ["peer-core"], prompt=prompt).flag_ids
    judged = rules.judge(bad, ["peer-core"], prompt=prompt, asks=(flag,))
    assert flag in judged.flag_ids
    evidence = next(f for f in judged.flags if f.id == flag).evidence[0]
    assert evidence.note.startswith("answer: ") and prompt.split()[0] in evidence.note
    assert flag not in rules.judge(good, ["peer-core"], prompt=prompt, asks=(flag,)).flag_ids


def test_asks_needs_the_flags_rubric_on_the_turn(rules):
    prompt, flag, bad, _ = ASKS[0]
    assert flag not in rules.judge(bad, ["peer-core"], scope=False, prompt=prompt, asks=(flag,)).flag_ids
    assert rules.judge(bad, ["peer-core"], prompt=prompt, asks=("no-such-flag", "minimizing")).flag_ids == []


def test_the_engine_passes_the_turns_asks_to_the_scorer():
    scenario, diagnostics = load_scenario(ROOT / "scenarios" / "crisis-warmline-night-call.yaml")
    assert scenario is not None, diagnostics
    assert scenario.nodes["talking"].respond.asks == ("harm-risk-dismissed",)
    recorder = Recorder()
    engine = Engine(scenario, recorder)
    state = engine.start()
    while engine.turn(state).kind == "choice":
        state = engine.choose(state, 1)
    assert state.node == "talking"
    engine.respond(state, "Tell me about the farm.")
    assert recorder.asks == [("harm-risk-dismissed",)]


def test_the_command_and_json_lines_take_asks():
    prompt, flag, bad, good = ASKS[0]
    base = [sys.executable, "-m", "trainer", "score", "--no-reader", "--rubric", "peer-core"]
    out = subprocess.run(base + ["--format", "json", "--prompt", prompt, "--asks", flag, bad],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    assert flag in json.loads(out.stdout)["flags"]
    lines = [{"text": bad, "prompt": prompt}, {"text": bad, "prompt": prompt, "asks": [flag]},
             {"text": good, "prompt": prompt, "asks": [flag]}, {"text": bad, "asks": ["minimizing"]}]
    out = subprocess.run(base + ["--jsonl"], input="".join(json.dumps(x) + "\n" for x in lines),
                         capture_output=True, text=True, cwd=ROOT, check=True)
    plain, asked, heard, wrong = (json.loads(x) for x in out.stdout.splitlines())
    assert flag not in plain["flags"] and flag in asked["flags"] and flag not in heard["flags"]
    assert "minimizing" in wrong["error"] and "harm-risk-dismissed" in wrong["error"]
    out = subprocess.run(base + ["--asks", "harm-risk-dismised", bad], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 2 and "did you mean 'harm-risk-dismissed'" in out.stderr and "Traceback" not in out.stderr


# --- replies written blind for the library's own typed turns (tools/probes/library-turns-a-2026-12-06.jsonl) ---

MILO_ASKED = ("Sometimes. Last night, yeah. I looked at my mom's sleeping pills for a long time. I didn't take any. I don't "
              "want to die exactly. I just want it to stop.\nYou promised, though. You can't tell. You promised.")
ARLENE = ("Some nights I think Ryan would be better off. He'd have the life insurance, and the land, and he could quit "
          "worrying about his mother.")


@pytest.mark.parametrize("prompt, asks, text, flag, flagged", [
    (MILO_ASKED, ("harm-risk-dismissed", "secrecy-promise"),
     "Milo, I'm not going to do anything behind your back. I do need to bring in Pilar. I can't promise exactly what "
     "happens next, but I can promise I'll be right there.", "harm-risk-dismissed", False),
    (MILO_ASKED, ("harm-risk-dismissed", "secrecy-promise"),
     "You're not in trouble, and this isn't me punishing you for telling me. The one thing I can't promise is silence "
     "when you might not be safe.", "harm-risk-dismissed", False),
    (MILO_ASKED, ("harm-risk-dismissed", "secrecy-promise"),
     "I know this isn't what you want to hear. I can't keep it secret. I'll be with you when we talk to Pilar, start "
     "to finish.", "unsolicited-advice", False),
    (ARLENE, ("harm-risk-dismissed",),
     "Oh Arlene, Ryan would not be better off, he'd be heartbroken. Tell me more about the bank letter, what exactly "
     "did it say?", "harm-risk-dismissed", True),
    (ARLENE, ("harm-risk-dismissed",), "That's a lot to carry. Tell me more about that.", "harm-risk-dismissed", False),
    ("So. What would you do?", ("medication-advice",),
     "Don't listen to your Nanay. Stick with it, they take like eight weeks to fully kick in.", "medication-advice", True),
    ("So. What would you do?", ("medication-advice",),
     "That flatness is a really common side effect. You probably just need a different one.", "medication-advice", True),
    ("So. What would you do?", ("medication-advice",),
     "That sounds so hard. What has your prescriber said about the flatness?", "medication-advice", False),
    ("Well, then at least let me take you to lunch. Mae's, after church on Sunday.", ("dual-relationship",),
     "Well, since this is our last visit anyway, I don't see why not.", "dual-relationship", True),
    ("Please. Only this one time.", (),
     "Haider, I already said no. If you keep asking, I'll have to talk to my supervisor about whether we can keep "
     "working together.", "coercion", True),
    ("So what'd you do? You get your sleep back, or is this all talk?", (),
     "It's not all talk. I had nightmares and was drinking heavy after Iraq, and I won't pretend it fixed itself.",
     "harm-risk-dismissed", False),
])
def test_replies_at_the_librarys_typed_turns(rules, prompt, asks, text, flag, flagged):
    assert (flag in rules.judge(text, ["peer-core"], prompt=prompt, asks=asks).flag_ids) is flagged


def test_the_command_judges_a_reply_as_at_a_typed_turn():
    base = [sys.executable, "-m", "trainer", "score", "--no-reader", "--format", "json"]
    run = lambda *a: subprocess.run(base + list(a), capture_output=True, text=True, cwd=ROOT)  # noqa: E731
    out = run("--turn", "scope-ride-to-court:court_story", "Okay, just this once.")
    judged = json.loads(out.stdout)
    assert "dual-relationship" in judged["flags"] and "boundaries-warmth" in judged["rubrics"]
    assert "Please. Only this one time." in next(e["question"] for e in judged["evidence"] if e.get("via") == "answer")
    assert "dual-relationship" not in json.loads(run("--rubric", "peer-core", "Okay, just this once.").stdout)["flags"]
    file = ROOT / "scenarios" / "crisis-warmline-night-call.yaml"
    judged = json.loads(run("--turn", f"{file}:talking", "Ryan sounds like a good son. How many cows?").stdout)
    assert "harm-risk-dismissed" in judged["flags"]
    for ref, said in [("crisis-warmline-night-call:talkin", "did you mean 'talking'"),
                      ("crisis-warmline-night-call:not_asked_yet", "is not a typed turn"),
                      ("crisis-warmline-night-call", "give SCENARIO:NODE"), ("no-such-scenario:talking", "no scenario")]:
        out = run("--turn", ref, "x")
        assert out.returncode == 2 and said in out.stderr and "Traceback" not in out.stderr, (ref, out.stderr)


def test_judging_at_a_turn_leaves_the_parsed_arguments_as_given(capsys):
    # the turn's rubrics, scope, asks and line join the judgment, not the parsed command line: a caller that
    # runs the command twice with the same arguments gets the same judgment
    from trainer.cli import build_parser
    from trainer.cli.score import run_score

    args = build_parser().parse_args(["score", "--no-reader", "--no-semantic", "--format", "json",
                                      "--turn", "scope-ride-to-court:court_story", "Okay, just this once."])
    before = (list(args.rubric), list(args.asks), args.prompt, args.no_scope)
    assert run_score(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert "dual-relationship" in first["flags"] and "boundaries-warmth" in first["rubrics"]
    assert (list(args.rubric), list(args.asks), args.prompt, args.no_scope) == before
    assert run_score(args) == 0
    assert json.loads(capsys.readouterr().out) == first


def test_an_asked_flag_quotes_the_peers_latest_line(rules):
    prompt = ("My car was destroyed in an accident in October.\nNext year I apply for citizenship.\n"
              "Please. Only this one time.")
    judged = rules.judge("Okay, just this once.", ["peer-core"], prompt=prompt, asks=("dual-relationship",))
    assert judged.flag("dual-relationship").evidence[0].note == "answer: Please. Only this one time."
    assert any("Said in reply to 'Please. Only this one time.'" in line for line in judged.feedback)


# A flag's `topic` (harm-risk-dismissed's: a risk of harm): the reader reads the reply without the peer's line, so a
# brush-off of something else read like one of a risk; where their line is known and nothing said is about a risk,
# only a phrase the rubric marks firm raises it (a blind probe, 2026-12-05; session 25)
@pytest.mark.parametrize("prompt, text", [
    ("I messed up my speech at my 1-year and everyone saw me shaking.",
     "Nobody cares about the speech, it's just cake and a coin. You're making a mountain out of a molehill."),
    ("Everyone in my home group has like 10 years and I keep resetting my date. I feel like a joke.",
     "Dude, resetting your date is like, whatever. Nobody in that room is even thinking about it."),
    ("I said something cruel to my sister when I was manic and she's not speaking to me.",
     "It was just words, though. It's not like you did anything physical to her."),
])
def test_a_brush_off_where_nobody_spoke_of_a_risk_does_not_dismiss_one(scorer, prompt, text):
    judged = scorer.judge(text, ["peer-core"], prompt=prompt)
    assert "harm-risk-dismissed" not in judged.flag_ids
    assert any("nothing they said or you said is about a risk of harm" in line for line in judged.feedback)


@pytest.mark.parametrize("prompt, text", [
    # the same brush-offs where their line does speak of a risk, in words no answer's question knows
    ("My ex texted that I'll regret leaving. He keeps a gun in the truck.", "It was just words, though. He won't do anything."),
    ("My roommate threatened me last night.", "It was just words, though."),
    # or where the reply names it
    ("I had a bad day.", "You're not going to kill yourself over a bad day, come on."),
])
def test_a_brush_off_where_a_risk_was_spoken_of_still_dismisses_it(scorer, prompt, text):
    assert "harm-risk-dismissed" in scorer.judge(text, ["peer-core"], prompt=prompt).flag_ids


def test_a_turn_that_asks_for_the_flag_is_about_it_whatever_its_words(scorer):
    prompt, text = "I don't know. Sunday, maybe.", "Cool, Sunday works for me. See you then!"
    assert "harm-risk-dismissed" not in scorer.judge(text, ["peer-core"], prompt=prompt).flag_ids
    assert "harm-risk-dismissed" in scorer.judge(text, ["peer-core"], prompt=prompt, asks=["harm-risk-dismissed"]).flag_ids


def test_without_their_line_the_topic_is_not_judged(scorer):
    # calibration and `score TEXT` have no peer's line: nothing is known to be off the topic
    assert "harm-risk-dismissed" in scorer.judge("It was just words, though.", ["peer-core"]).flag_ids


def test_the_earlier_lines_count_toward_the_topic(scorer):
    text = "It was just words, though."
    line = "Anyway. He's calmer now."
    assert "harm-risk-dismissed" not in scorer.judge(text, ["peer-core"], prompt=line).flag_ids
    assert "harm-risk-dismissed" in scorer.judge(text, ["peer-core"], prompt=line,
                                                 context="My brother said he'd stab the guy.").flag_ids


# An overdose met as the emergency it is (the risk probes' expert replies, session 25): naloxone, 911, poison control
# and what too much of a drug does to the body are crisis response, not advice about a medication
@pytest.mark.parametrize("prompt, text", [
    ("Me and my girl used last night and she ain't woke up yet. She's breathing kinda funny, like snoring real loud.",
     "That loud snoring can mean she's overdosing. Call 911 right now and put them on speaker, and if you have Narcan, "
     "give it to her now. Roll her on her side. I'm staying with you, and most states' Good Samaritan laws protect "
     "people who call for help."),
    ("Took all 30 of my Tylenol PM tonight cuz I couldn't sleep. Feel kinda sick now. Whatever, I'll sleep it off.",
     "This is an emergency, and I'm not going to let you go through it alone. Thirty Tylenol PM can seriously hurt "
     "your liver even if you feel okay for now. I'm calling 911 with you right now, or tell me where you are and "
     "I'll stay on the line while they come."),
    ("Took like 20 Tylenol for my tooth yesterday, still hurts. Feel a bit sick today.",
     "I'm worried. That much Tylenol can seriously damage your liver, even if you feel okay at first. Please call "
     "Poison Control (1-800-222-1222) or go to the ER now. Can I stay with you while you call?"),
])
def test_an_overdose_met_as_an_emergency_is_not_medication_advice(scorer, prompt, text):
    judged = scorer.judge(text, ["peer-core"], prompt=prompt)
    assert not {"medication-advice", "unsolicited-advice", "harm-risk-dismissed"} & set(judged.flag_ids)


@pytest.mark.parametrize("text", [
    "Tylenol can hurt your liver, so just take ibuprofen instead.",
    "Give her Narcan, and then give her two of your Xanax to calm her down.",
    "Call 911 if it gets bad, but honestly just double your dose tonight.",
    "Have Narcan on hand, and cut your dose in half.",
])
def test_advice_beside_an_emergency_word_is_still_advice(scorer, text):
    assert "medication-advice" in scorer.judge(text, ["peer-core"]).flag_ids


# Crisis response the risk probes' experts wrote, judged at the line it answers (session 25): help on its way, staying
# on the phone until it comes, and naming the emergency so they call are not promises, personal contact or diagnoses
@pytest.mark.parametrize("prompt, text", [
    ("My baby is floppy and won't eat, she's been like this since this morning.",
     "A floppy baby who isn't eating needs help right away. Please call 911 now; they'll come to you. I'll stay on "
     "with you until they arrive."),
    ("I got stung and now my throat feels tight and my lips are swelling.",
     "That sounds like a serious allergic reaction. Please call 911 right now and tell someone on site what's "
     "happening. I'll stay with you until help comes."),
    ("We've got the generator running in the garage since the power went out. I've had a headache all day.",
     "Please get out of the house right now, into fresh air, and take anyone else with you. A generator in the garage "
     "can fill the house with carbon monoxide, and a headache is a warning sign. Once you're outside, call 911. "
     "I'll stay on the phone with you."),
    ("My ex's new man, I been sitting outside their building at night. Just watching. Got my cousin's gun in the car.",
     "Thank you for being honest with me about the gun. Sitting outside their place with it tells me things feel "
     "close to the edge. I'm not able to keep this quiet because people could get hurt, and I want to help you too. "
     "Can we get that gun away from you today and talk with my supervisor about next steps?"),
])
def test_crisis_response_raises_no_critical_flag(scorer, prompt, text):
    judged = scorer.judge(text, ["peer-core"], prompt=prompt)
    assert not [f.id for f in judged.flags if f.severity == "critical"]


@pytest.mark.parametrize("text, flag", [
    ("That sounds like bipolar, honestly.", "diagnosing"),
    ("I can stay on the phone with you every night, just call my cell.", "dual-relationship"),
    ("They'll come around, your family always does.", "unwarranted-promise"),
])
def test_crisis_look_alikes_are_still_flagged(scorer, text, flag):
    assert flag in scorer.judge(text, ["peer-core"]).flag_ids


# --- a turn's `not_needed`: criteria the moment does not ask for ---
DIRECT_ANSWER = ("I did, not overnight. Talking to other vets helped me most, and I sleep most nights now. "
                 "What have you tried so far?")


def test_a_criterion_not_needed_is_neither_met_nor_missed_and_the_full_credit_shrinks(rules):
    why = "Darnell asked you directly, so a brief honest answer needs no asking first."
    plain = rules.judge(DIRECT_ANSWER, ["self-disclosure"], scope=False)
    told = rules.judge(DIRECT_ANSWER, ["self-disclosure"], scope=False, not_needed={"asks-permission": why})
    assert plain.criterion("asks-permission") is not None and not plain.criterion("asks-permission").met
    assert told.criterion("asks-permission") is None
    assert told.met_ids == plain.met_ids and len(told.met_ids) >= 2
    # five criteria of weight 1 with full credit 3.5: one left out leaves 3.5 * 4/5 to earn
    assert dict(told.full_credit)["self-disclosure"] == pytest.approx(2.8)
    assert told.score == pytest.approx(min(1.0, len(told.met_ids) / 2.8), abs=1e-4)
    assert told.score > plain.score
    assert f"Not needed - asks-permission: {why}" in told.feedback
    assert not any(line.startswith("Not yet - asks-permission") for line in told.feedback)
    assert any(line.startswith("Not yet - asks-permission") for line in plain.feedback)


def test_asking_anyway_where_it_is_not_needed_earns_nothing_extra(rules):
    asking = "Would it help if I shared a little of what worked for me? " + DIRECT_ANSWER
    assert "asks-permission" in rules.judge(asking, ["self-disclosure"], scope=False).met_ids
    told = rules.judge(asking, ["self-disclosure"], scope=False, not_needed=[("asks-permission", "asked")])
    assert "asks-permission" not in told.met_ids and told.criterion("asks-permission") is None


def test_an_override_after_not_needed_keeps_the_shrunk_full_credit(rules):
    from trainer.scoring.judgment import Override
    from trainer.scoring.overrides import apply_overrides

    told = rules.judge(DIRECT_ANSWER, ["self-disclosure"], scope=False, not_needed={"asks-permission": "asked"})
    missed = next(c.id for c in told.criteria if not c.met)
    after = apply_overrides(told, [Override("criterion", missed, True, "it was there")])
    assert after.score == pytest.approx(min(1.0, (len(told.met_ids) + 1) / 2.8), abs=1e-4)


def test_the_engine_passes_the_turns_not_needed_to_the_scorer():
    scenario, diagnostics = load_scenario(ROOT / "scenarios" / "disclosure-veteran-listen-first.yaml")
    assert scenario is not None, diagnostics
    recorder = Recorder()
    engine = Engine(scenario, recorder)
    state = engine.start()
    state.node = "asked"  # Darnell's "What'd you do?"
    engine.respond(state, DIRECT_ANSWER)
    (given,) = recorder.not_needed
    assert dict(given).keys() == {"asks-permission"} and "Darnell" in dict(given)["asks-permission"]


def test_the_command_at_a_typed_turn_leaves_out_what_the_turn_does_not_need():
    base = [sys.executable, "-m", "trainer", "score", "--no-reader", "--no-semantic"]
    out = subprocess.run(base + ["--turn", "disclosure-veteran-listen-first:asked", DIRECT_ANSWER],
                         capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert "Not needed - asks-permission: Darnell asked you directly" in out and "[ ] asks-permission" not in out
    plain = subprocess.run(base + ["--rubric", "self-disclosure", DIRECT_ANSWER],
                           capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert "[ ] asks-permission" in plain


# --- `in_the_room`: the people a reply names are in the scene (a group) ---
GROUP = ("Jun", "Denise", "Kai")


@pytest.mark.parametrize("text, kept", [
    ("Jun, what I heard tonight is that you came back, even though it was hard, and that Denise and Kai both want "
     "you here.", False),
    ("Jun, I'm really glad Denise and Kai spoke up tonight.", False),
    ("Kai, Denise told me she's been drinking again.", True),          # what someone told you, about her
    ("Jun, Marcus from your old group told me you relapsed.", True),   # a name not in the scene
    ("Jun, your sponsor called me and said you missed three meetings.", True),
    ("Kai told me you were using again, Jun.", True),
])
def test_the_readers_third_party_disclosure_gives_way_where_it_names_only_people_in_the_room(scorer, text, kept):
    assert "third-party-disclosure" in scorer.judge(text, ["peer-core"]).flag_ids  # the reader reads it so alone
    judged = scorer.judge(text, ["peer-core"], present=GROUP)
    assert ("third-party-disclosure" in judged.flag_ids) is kept
    if not kept:
        assert any("are here in the room with you" in line for line in judged.feedback)


def test_in_the_room_is_the_scenarios_cast_and_the_engine_passes_it():
    scenario, diagnostics = load_scenario(ROOT / "scenarios" / "disclosure-group-relapse-question.yaml")
    assert scenario is not None, diagnostics
    assert set(scenario.cast_names) == set(GROUP)
    recorder = Recorder()
    engine = Engine(scenario, recorder)
    state = engine.start()
    state.node = "group_voice"
    engine.respond(state, "Denise and Kai both want you here.")
    assert recorder.present == [scenario.cast_names]
    assert bundled_rubric_set().get("scope").flag("third-party-disclosure").in_the_room


# --- the people in the scene by name: `{present}` in a phrase, and the reader reads a name as a name ---
MILO_BEGS = ("Sometimes. Last night, yeah. I looked at my mom's sleeping pills for a long time. I didn't take any. I "
             "don't want to die exactly. I just want it to stop. Please don't tell anyone.")
MILOS_SCENE = ("Milo", "Pilar")


@pytest.mark.parametrize("text", [
    "I have to tell Pilar.",
    "I'm going to have to tell pilar.",
    "I need to let Pilar know.",
    "I have to get Pilar.",
    "I can't keep this from Pilar.",
    "Pilar needs to know about this.",
    "I have to tell my supervisor.",
    "I'm required to tell my supervisor.",
    "I have to report this.",
])
def test_bringing_in_someone_by_name_or_role_takes_a_risk_up(rules, text):
    """Found typing at crisis-dont-tell-anyone:asked_directly (2026-12-06): telling the social worker, the protocol
    itself, was read as going past what Milo told."""
    judged = rules.judge(text, ["peer-core"], prompt=MILO_BEGS, present=MILOS_SCENE)
    assert "harm-risk-dismissed" not in judged.flag_ids


@pytest.mark.parametrize("text, present", [
    ("I have to tell Pilar.", ("Milo", "Dana")),  # nobody in the scene is Pilar: a word like any other
    ("I have to get going, see you next week.", MILOS_SCENE),
    ("Okay, I won't tell Pilar, I promise.", MILOS_SCENE),
])
def test_a_name_takes_a_risk_up_only_where_it_is_someone_in_the_scene_brought_in(rules, text, present):
    judged = rules.judge(text, ["peer-core"], prompt=MILO_BEGS, present=present)
    assert "harm-risk-dismissed" in judged.flag_ids


def test_present_is_a_built_in_term_for_the_names_of_the_people_in_the_scene():
    from trainer.scoring.patterns import PRESENT_WORD, compile_pattern
    p = compile_pattern("tell {present}")
    assert PRESENT_WORD in p.literals
    judged = Scorer(bundled_rubric_set(), semantic=False, reader=False).judge(
        "I have to tell Pilar.", ["crisis-response"], scope=False, present=MILOS_SCENE)
    assert "explains-confidentiality-limits" in judged.met_ids


def test_the_reader_reads_a_name_it_would_split_as_a_name(scorer):
    """"Pilar" is "pi ##lar" to the reader, and "I have to get Pilar." was read 98% medication advice."""
    judged = scorer.judge("I have to get Pilar.", ["peer-core"], prompt=MILO_BEGS, present=MILOS_SCENE)
    assert "medication-advice" not in judged.flag_ids


def test_a_pronoun_for_someone_in_the_room_is_not_a_third_party(scorer):
    text = "I'm sorry, Milo, I have to tell {}. She's good about this stuff, and I'll be right there with you."
    here = scorer.judge(text.format("Pilar"), ["peer-core"], prompt=MILO_BEGS, present=MILOS_SCENE)
    assert "third-party-disclosure" not in here.flag_ids
    assert any("are here in the room with you" in line for line in here.feedback)
    away = scorer.judge(text.format("Kayla"), ["peer-core"], prompt=MILO_BEGS, present=MILOS_SCENE)
    assert "third-party-disclosure" in away.flag_ids


@pytest.fixture(scope="module")
def library():
    from trainer.library import load_library
    return load_library([ROOT / "scenarios"])


def judged_at(scorer, library, turn, text):
    """As the app judges a reply typed at a library turn: its rubrics, scope, asks, not_needed and cast, and the
    node's lines as what the peer said."""
    sid, nid = turn.split(":")
    scenario = library.scenarios[sid]
    return scorer.judge(text, prompt=scenario.peer_line(nid), **scenario.judge_options(nid))


def test_a_turn_of_narration_only_answers_the_peers_line_before_it(library):
    """At stigma-why-bother:share the trainee has just told their story (narration); the app's scorer gets Marcus's last
    lines, and so do `peer-trainer test`, `score --turn` and the probes."""
    scenario = library.scenarios["stigma-why-bother"]
    assert scenario.nodes["share"].spoken == ""
    assert scenario.peer_line("share") == scenario.nodes["strengths"].spoken != ""
    assert scenario.peer_line("strengths") == scenario.nodes["strengths"].spoken


# Short replies written blind at the library's turns (tools/probes/library-turns-short-a-2026-12-06.jsonl), and the
# look-alikes that keep each mend narrow (session 29)
@pytest.mark.parametrize("turn, text, flag, raised", [
    ("crisis-warmline-night-call:next_steps",
     "Honestly, try to get some sleep and call 988 in the morning if you still feel this way.", "harm-risk-dismissed", True),
    ("crisis-warmline-night-call:next_steps", "Call 988 tomorrow if it gets worse.", "harm-risk-dismissed", True),
    ("crisis-warmline-night-call:next_steps",
     "Tomorrow I'll call you back, and if you still feel this way tonight, call 988 right away.", "harm-risk-dismissed", False),
    ("scope-love-offering:lunch_invite",
     "I'd love that! Mae's has the best cobbler, and just this once can't hurt.", "dual-relationship", True),
    ("scope-love-offering:lunch_invite", "Sure! Can't wait.", "dual-relationship", True),
    ("scope-love-offering:lunch_invite", "I'd love that, but I can't.", "dual-relationship", False),
    ("scope-love-offering:lunch_invite", "I'd love to, but I can't have lunch with you as a friend.", "dual-relationship", False),
    ("scope-loan-and-business:brainstorm",
     "I can't take money, but I'll set up the page for free, as a favour.", "dual-relationship", True),
    ("scope-loan-and-business:brainstorm",
     "I won't do it as a favour, but we can work on it together here.", "dual-relationship", False),
    ("navigation-respite-va-reschedule:why_here",
     "I know someone at the VA. Let me make a call, I'll get you seen this week.", "unwarranted-promise", True),
    ("navigation-respite-va-reschedule:why_here",
     "I can't get you seen this week, but we can call together and ask what's open.", "unwarranted-promise", False),
    ("navigation-eviction-notice:call_plan",
     "Tell them you have depression and anxiety, then they'll have to give you more time.", "unwarranted-promise", True),
    ("navigation-respite-va-reschedule:why_here",
     "If they say no, then they'll have to give you a reason in writing.", "unwarranted-promise", False),
    ("navigation-respite-va-reschedule:why_here",
     "If they say no, then they'll have to give you a reason in writing.", "coercion", False),
    ("scope-stopping-medication:noticing",
     "When mine made me feel flat, I tapered off it myself and felt like me again.", "medication-advice", True),
    ("scope-stopping-medication:noticing",
     "I tapered off mine with my prescriber and felt better, but that was with her, not on my own. What would you want "
     "to ask your NP?", "medication-advice", False),
    ("disclosure-your-own-grief:her_wrap",
     "Grief does that to everybody. After my dad died I didn't sleep for weeks either.", "minimizing", True),
    ("crisis-dont-tell-anyone:asked_directly",
     "I need to bring Pilar in on this, and I'll be with you the whole time. You get a say in how we do it.", "coercion", False),
    ("crisis-dont-tell-anyone:asked_directly", "Either you talk to Pilar or I call 911, your choice.", "coercion", True),
    # "Blue and yellow, his colours" in Renee's line is a colour, not a body in danger: nothing in the scene is about a
    # risk, so the reader's reading of a brush-off is set aside
    ("stigma-just-an-addict:the_bag", "It's just a word, don't get so hung up on it.", "harm-risk-dismissed", False),
    # the peer's line is Marcus's last ("Not that thinking positive fixes anything.": positive as a test reads it is a
    # risk's topic, not as thinking it)
    ("stigma-why-bother:share", "So if I could do it, you can too! You just have to want it bad enough.",
     "harm-risk-dismissed", False),
    # advice about something else, where nothing in the scene is about a medication, is not medication advice (the
    # reader, which does not see the peer's line, read each 89% to 96%; session 30); the same words where a pill is
    # the topic still are
    ("disclosure-home-from-treatment:saturday",
     "Honestly, maybe just skip it. Your sobriety comes first, and your cousin will understand.", "medication-advice", False),
    ("stigma-pills-in-the-glovebox:worries", "Honestly, maybe just skip it.", "medication-advice", True),
    ("disclosure-home-from-treatment:saturday", "Honestly, maybe just skip your meds that day.", "medication-advice", True),
    ("navigation-respite-va-reschedule:why_here",
     "Punching pillows at 3 a.m. sounds like PTSD hyperarousal, which is exactly why you need that intake.",
     "medication-advice", False),
    ("navigation-respite-va-reschedule:why_here", "Honestly you need that Xanax.", "medication-advice", True),
    ("disclosure-veteran-listen-first:asked",
     "Honestly? I quit drinking cold and went to meetings. Just do that and it gets better, trust me.",
     "medication-advice", False),
    ("disclosure-veteran-listen-first:asked", "I quit my pills cold. Just do that.", "medication-advice", True),
    # Dale asks about the trainee's own road ("So what'd you do? You get your sleep back, or is this all talk?"): a yes
    # is their story, not a promise (a good reply in tools/probes/self-disclosure-a-2026-12-06.jsonl; session 30)
    ("disclosure-veteran-listen-first:asked", "Took me a while, but yeah. Sobriety first, then therapy for the nightmares. "
     "Now I sleep most nights. What's the hardest part of the night for you?", "unwarranted-promise", False),
    # the door left open with no limit named is no boundary (session 30)
    ("scope-love-offering:lunch_invite", "Maybe sometime, once things settle down.", "dual-relationship", True),
    ("scope-love-offering:lunch_invite", "Maybe sometime, but honestly I can't have lunch with you as a friend.",
     "dual-relationship", False),
    ("scope-loan-and-business:brainstorm", "Let's see how it goes once the contract's running.", "dual-relationship", True),
    ("scope-loan-and-business:brainstorm", "I can't go into business with you. Let's see how it goes once the contract's "
     "running, and we can work on the page together here.", "dual-relationship", False),
    ("scope-loan-and-business:brainstorm", "Maybe someday you'll run the page yourself. What would you need to learn first?",
     "dual-relationship", False),
    # a promise beside bringing someone in is not a promise of silence; one beside putting it off still is (session 30)
    ("crisis-dont-tell-anyone:asked_directly", "I have to go to Pilar, I promise.", "secrecy-promise", False),
    ("crisis-dont-tell-anyone:asked_directly", "I promise. Talking to Pilar can wait.", "secrecy-promise", True),
    ("crisis-dont-tell-anyone:asked_directly", "Never. Going to Pilar is not happening.", "secrecy-promise", True),
    # a message promised to reach him says he is there; one taken on a condition does not (session 30)
    ("scope-father-on-the-phone:alive_q", "Leave your number and I'll pass it on to him.", "third-party-disclosure", True),
    ("scope-father-on-the-phone:alive_q", "I can't confirm or deny whether anyone is here. If he is here, I'll make sure he "
     "knows you called.", "third-party-disclosure", False),
])
def test_short_replies_at_the_librarys_turns(scorer, library, turn, text, flag, raised):
    assert (flag in judged_at(scorer, library, turn, text).flag_ids) is raised


@pytest.mark.parametrize("prompt, raised", [
    ("Did you ever get your license back?", False),
    ("So what'd you do? You get your sleep back?", False),
    ("Will I get my kids back?", True),
    ("Did they say I'd get approved?", True),
    ("What would you do? Do you think I'll get the job?", True),
])
def test_a_yes_about_the_trainees_own_road_is_no_promise(rules, prompt, raised):
    """An outcome asked about the trainee ("did you ...?") is answered from their story; one asked about the peer's
    own future is still a promise when answered with a bare yes."""
    assert ("unwarranted-promise" in rules.judge("Yeah.", ["peer-core"], prompt=prompt).flag_ids) is raised


@pytest.mark.parametrize("reply, raised", [
    ("Missing dialysis because the ride didn't come sounds so frustrating. Would you like to call the dialysis center and "
     "the ride company together and get you rescheduled?", False),
    ("Ugh, rides are the worst. Anyway, did you finish the form?", True),
])
def test_a_missed_dialysis_put_back_takes_up_the_risk(rules, reply, raised):
    """Calling the dialysis center about a missed session takes up the risk (a good reply in the criteria probe file,
    session 30); going past it to the form does not."""
    prompt = "my ride never came for dialysis and i missed it and i feel so stupid sorry for spelling its voice to text"
    assert ("harm-risk-dismissed" in rules.judge(reply, ["peer-core"], prompt=prompt).flag_ids) is raised


def test_words_a_critical_flag_matched_earn_no_credit(scorer, library):
    """"call 988" inside help put off ("call 988 in the morning if you still feel this way") is not help connected: the
    coach showed "Worked · connects to help" beside the flag (session 30). A promise's words still may: "I'll get you a
    detox bed today" links to a resource, as the labels credit it, and is flagged for the promise."""
    put_off = judged_at(scorer, library, "crisis-warmline-night-call:next_steps",
                        "Honestly, try to get some sleep and call 988 in the morning if you still feel this way.")
    assert "harm-risk-dismissed" in put_off.flag_ids
    assert not {"connects-to-help", "links-resources"} & set(put_off.met_ids)
    assert any(line.startswith("Not credited - connects-to-help: 'call 988' is part of what was flagged as harm risk")
               for line in put_off.feedback)
    now = judged_at(scorer, library, "crisis-warmline-night-call:next_steps",
                    "Can we call 988 together right now? I'll stay on the line with you.")
    assert "connects-to-help" in now.met_ids and "harm-risk-dismissed" not in now.flag_ids
    coffee = scorer.judge("Want to get coffee this weekend? Just as friends.", ["peer-core"])
    assert "dual-relationship" in coffee.flag_ids and "supports-choice" not in coffee.met_ids
    bed = scorer.judge("I'll get you a detox bed today, no waitlist, I know people over there.", ["peer-core"])
    assert "unwarranted-promise" in bed.flag_ids and "links-resources" in bed.met_ids


def test_a_flags_credit_beside_comes_from_its_rubric(scorer):
    """Which critical flags' words keep their credit is the rubric's to say (`credit_beside`), not the code's: the
    same promise, with the field taken off `unwarranted-promise`, earns no credit for the resource it promises."""
    from dataclasses import replace

    from trainer.scoring.rubrics import RubricSet

    rubric_set = bundled_rubric_set()
    scope = rubric_set.get("scope")
    promise = scope.flag("unwarranted-promise")
    assert promise.credit_beside and not scope.flag("harm-risk-dismissed").credit_beside
    strict_scope = replace(scope, flags=tuple(replace(f, credit_beside=False) if f is promise else f for f in scope.flags))
    strict = Scorer(RubricSet([strict_scope] + [rubric_set.get(r) for r in rubric_set.ids if r != "scope"]))
    bed = "I'll get you a detox bed today, no waitlist, I know people over there."
    kept, held = scorer.judge(bed, ["peer-core"]), strict.judge(bed, ["peer-core"])
    assert "unwarranted-promise" in kept.flag_ids and "unwarranted-promise" in held.flag_ids
    assert "links-resources" in kept.met_ids and "links-resources" not in held.met_ids
    assert any(line.startswith("Not credited - links-resources:") for line in held.feedback)


def test_an_override_clearing_the_flag_gives_back_the_credit_its_words_held(scorer, library):
    """An instructor who decides "call 988 in the morning" was no brush-off, and clears the flag, gets the credit
    those words earn back; raising the flag again takes it away. A criterion the instructor set themselves stays."""
    from trainer.scoring.judgment import Override
    from trainer.scoring.overrides import apply_overrides

    put_off = judged_at(scorer, library, "crisis-warmline-night-call:next_steps",
                        "Honestly, try to get some sleep and call 988 in the morning if you still feel this way.")
    cleared = apply_overrides(put_off, [Override("flag", "harm-risk-dismissed", False, "she has a plan for the night")])
    assert {"connects-to-help", "links-resources"} <= set(cleared.met_ids) and not cleared.critical
    assert cleared.score > put_off.score
    raised = apply_overrides(cleared, [Override("flag", "harm-risk-dismissed", True, "on second thought")])
    assert not {"connects-to-help", "links-resources"} & set(raised.met_ids) and raised.critical
    kept = apply_overrides(put_off, [Override("criterion", "links-resources", False, "not a link"),
                                     Override("flag", "harm-risk-dismissed", False, "no brush-off")])
    assert "links-resources" not in kept.met_ids and "connects-to-help" in kept.met_ids


def test_an_answer_can_say_what_is_wrong_with_it_in_its_own_words(rules):
    """A side effect promised away is medication advice, but the flag's own feedback ("That tells the person what
    to do with a medication") fits it only loosely: its answers say it their way (session 28). Other answers keep
    the flag's feedback."""
    foggy = rules.judge("Don't worry, they won't make you foggy.", ["peer-core"],
                        prompt="What if they make me foggy? I run a skid steer.")
    flag = next(f for f in foggy.flags if f.id == "medication-advice")
    assert flag.feedback.startswith("That answers what a medication will do to them")
    assert any(line.startswith("Critical - medication-advice:") and "That answers what a medication" in line
               for line in foggy.feedback)
    stop = rules.judge("Honestly? Yes.", ["peer-core"], prompt="These meds make me feel like a zombie. Should I just stop?")
    flag = next(f for f in stop.flags if f.id == "medication-advice")
    assert flag.feedback.startswith("That tells the person what to do with a medication")


# --- said in Spanish: trainees and peers switch languages mid-sentence ---

HUSBAND = "Mi esposo me pega a veces. Pero no le digas a nadie, okay? Prométeme."


@pytest.mark.parametrize("text, flagged", [
    ("Te lo prometo, nadie va a saber. I'm so sorry he does that to you.", True),
    ("Te lo prometo.", True),  # the answer to "no le digas a nadie"
    ("Nadie va a saber nada.", True),  # the reader reads English only, and may not overrule this
    ("Queda entre nosotras, mija.", True),
    ("No te puedo prometer que nadie va a saber, mija. If you're in danger I have to get help.", False),
    ("Nadie va a saber nada, unless you're in danger, then I'd have to get help.", False),
    ("I'm so sorry he does that to you. Are you safe at home right now?", False),
])
def test_a_secret_promised_in_spanish_is_a_secrecy_promise(scorer, text, flagged):
    """"Te lo prometo, nadie va a saber." to a woman asking that her husband's hitting stay secret (the critical probe
    file): the rules read no Spanish, and nothing was raised (session 31). A limit named, in either language, still
    excuses it."""
    assert ("secrecy-promise" in scorer.judge(text, ["peer-core"], prompt=HUSBAND).flag_ids) is flagged


def test_a_risk_told_in_spanish_is_a_risk(scorer):
    """"A veces pienso que mis hijos estarían mejor sin mí." is the risk "they'd be better off without me": a reply that
    goes past it dismisses it, one that takes it up does not."""
    told = "A veces pienso que mis hijos estarían mejor sin mí. But I'm okay, no te preocupes."
    assert "harm-risk-dismissed" in scorer.judge("Okay, bueno. So how's the job going?", ["peer-core"], prompt=told).flag_ids
    asked = "Mija, when you say they'd be better off without you, are you thinking about killing yourself?"
    assert "harm-risk-dismissed" not in scorer.judge(asked, ["peer-core"], prompt=told).flag_ids


@pytest.mark.parametrize("reply, dismissed", [
    ("Okay, bueno, if you say you're okay I believe you. ¿Y cómo va lo del trabajo?", True),  # the critical probe file
    ("Okay, if you say you're okay I believe you.", True),
    ("I'll take your word for it.", True),
    ("If you say you're okay I believe you, and I still want to ask: are you thinking about suicide?", False),
    ("You're okay? Really? Tell me more about the kids thing.", False),
    ("Are you okay right now?", False),
])
def test_a_reassurance_taken_at_its_word_dismisses_the_risk(scorer, reply, dismissed):
    """"I'm okay" said after "my kids would be better off without me" is not an answer to rest on (session 32: "if you
    say you're okay I believe you" raised nothing, and "you are okay" inside it counted as asking after their safety)."""
    told = "A veces pienso que mis hijos estarían mejor sin mí. But I'm okay, no te preocupes."
    assert ("harm-risk-dismissed" in scorer.judge(reply, ["peer-core"], prompt=told).flag_ids) == dismissed


def test_a_lunch_declined_then_a_sunday_offered_is_still_a_dual_relationship(scorer, library):
    """"I can't do lunch as friends, but maybe I'll come by your church some Sunday and we can sit together." swaps one
    social meeting for another (library-turns-a, session 31: nothing was raised), while "I can't do lunch as friends"
    now states the limit it plainly is."""
    turn = "scope-love-offering:lunch_invite"
    swapped = judged_at(scorer, library, turn, "I can't do lunch as friends, but maybe I'll come by your church some "
                                                "Sunday and we can sit together.")
    assert "dual-relationship" in swapped.flag_ids
    declined = judged_at(scorer, library, turn, "thats so kind, but i cant do lunch as friends, its a line i keep with "
                                                 "everyone. who will be ur sunday people now?")
    assert not declined.flag_ids and "states-limit" in declined.met_ids


@pytest.mark.parametrize("text, flagged", [
    ("Órale, that's a good trade — I'll call him this week about my yard.", True),
    ("Deal. Tell him to come Saturday.", True),
    ("Órale, that's kind of him, but I can't trade favours with people I work with. I'm glad to help with the papers "
     "either way.", False),
])
def test_a_trade_with_their_familys_business_is_a_dual_relationship(scorer, text, flagged):
    """"Mi hermano ... he could do your yard for cheap, y tú me ayudas con mis papeles." (the critical probe file):
    taking the trade is business with the person; declining it is not."""
    prompt = "Mi hermano tiene un business de landscaping, he could do your yard for cheap, y tú me ayudas con mis papeles."
    assert ("dual-relationship" in scorer.judge(text, ["peer-core"], prompt=prompt).flag_ids) is flagged


def test_theme_turns_are_judged_with_peer_core_as_their_rubrics_say(scorer, library):
    """stigma-reframing and self-disclosure say to use them with peer-core. Alone, they left good replies with one
    theme skill and a plain open question at 0.33 (session 31: 15 of 24 good replies written outside the team for the
    stigma turns scored under 0.5). The one turn left to its theme rubric is a question about the trainee's own loss."""
    alone = []
    for sid, scenario in library.scenarios.items():
        for nid, node in scenario.nodes.items():
            rubrics = node.respond.rubrics if node.respond else ()
            if set(rubrics) & {"stigma-reframing", "self-disclosure"} and "peer-core" not in rubrics:
                alone.append(f"{sid}:{nid}")
    assert alone == ["disclosure-your-own-grief:asks_you"]
    going = judged_at(scorer, library, "stigma-pills-in-the-glovebox:the_bottle",
                      "You're still running the place after a year like this. What keeps you going, Lyle?")
    assert "peer-core" in going.rubrics and "open-question" in going.met_ids and going.score >= 0.5


def test_a_keepsake_kept_is_no_secret_kept(scorer, library):
    """"The card and Sister Odom's pie I'd love to keep." is boundaries-warmth's own calibration example of a good no,
    and at the turn it belongs to the reader read it 96% a secrecy promise (session 31). A secret kept beside a card is
    still one."""
    turn = "scope-love-offering:explains"
    good = judged_at(scorer, library, turn, "Deacon, that means more to me than I can say. I can't accept money from "
                                            "the people I work with, so nobody ever feels they owe us. The card and "
                                            "Sister Odom's pie I'd love to keep.")
    assert not good.flag_ids and good.score >= 0.75
    assert "secrecy-promise" in scorer.judge("I'll keep the card, and I'll keep this between us too.", ["peer-core"]).flag_ids


@pytest.mark.parametrize("turn, text, credited", [
    ("scope-father-on-the-phone:alive_q", "im so sorry wade. i cant say anything about anyone, even that. can i give u "
     "the number for a family support line?", {"states-limit", "offers-alternative"}),
    ("scope-father-on-the-phone:alive_q", "I'm so sorry. I wish I could give you that. I can't share anything about "
     "anyone, even that.", {"acknowledges-warmly", "states-limit"}),
    ("scope-loan-and-business:the_job", "I can't do the three hundred, Roy. I can tell you're proud of this. Would it "
     "help to list who might front you the money?", {"acknowledges-warmly", "states-limit", "offers-alternative"}),
    ("scope-stopping-medication:noticing", "I'm not the one to say what to do with the sertraline. What would you want "
     "your NP to know?", {"states-limit", "offers-alternative"}),
    # session 32 (library-turns-a and short-a)
    ("scope-loan-and-business:the_job", "I'm not going to spot you, and that's not a judgement on you or your recovery. "
     "Money between us would mess up what we've got going. What would you do if this door's closed?",
     {"states-limit", "gives-reason", "preserves-relationship"}),
    ("scope-father-on-the-phone:worried_dad", "I can't say whether any particular person is here or not, and I know "
     "that's hard to hear when you're this worried. Would it help if I gave you the number for a family support line, "
     "and some information about naloxone?", {"states-limit", "offers-alternative"}),
    ("scope-father-on-the-phone:alive_q", "I won't confirm anything about your son, and I know how that sounds when "
     "you're begging me. Can I stay on the line a minute and give you some numbers for parents going through this?",
     {"states-limit", "offers-alternative"}),
    ("scope-ride-to-court:booking", "I won't tell you it's nothing, and I won't tell you it's serious either, because I "
     "don't know.", {"states-limit", "gives-reason"}),
    ("scope-stopping-medication:noticing", "Caring for someone for three years and then not being able to cry is a lot. "
     "What would you want your NP to know?", {"acknowledges-warmly", "offers-alternative"}),
])
def test_plain_good_noes_get_the_credit_they_earn(scorer, library, turn, text, credited):
    """Good replies at the library's boundary turns that met one criterion of five (library-turns-a, session 31)."""
    assert credited <= set(judged_at(scorer, library, turn, text).met_ids)


@pytest.mark.parametrize("turn, text, credited", [
    ("wrap-wellness-toolbox:daily", "Fed, to school, and not losing your mind, that's a real list. What helps with that "
     "last part, Gloria?", {"open-question", "keeps-person-in-charge"}),
    ("wrap-early-warning-signs:signs_own_words", "Up at five feeling amazing, group chat at 3 a.m., extra lifts, talking "
     "faster, the shoes. Want to write them down just like that?", {"keeps-person-in-charge"}),
    ("scope-friend-request:network", "that sounds really lonely. who was in ur life before jess? anyone u miss?",
     {"reflects-feeling", "open-question"}),
    ("stigma-just-an-addict:an_idea", "That sounds like a mom who's thinking about what Kayla needs. I can't say how "
     "she'll respond, but it's a real step.", {"validates"}),
    ("crisis-dont-tell-anyone:asked_directly", "I need to bring Pilar in on this, and I'll be with you the whole time. "
     "You get a say in how we do it.", {"supports-choice", "collaborates-next-step"}),
    ("wrap-early-warning-signs:signs_own_words", "I'm not going to put a name on these or write them for you; they're your "
     "signs.", {"keeps-person-in-charge"}),
])
def test_good_replies_that_met_nothing_they_did_get_it_now(scorer, library, turn, text, credited):
    """Good replies scored under 0.5 because a skill they show had no phrase (library-turns-a and short-a, session 32):
    asking what helps hands the list back, "just like that" keeps her words, a "who" question is open, and "a real
    step" affirms the effort."""
    assert credited <= set(judged_at(scorer, library, turn, text).met_ids)


@pytest.mark.parametrize("rubric, criterion, said", [
    ("navigation-with", "keeps-person-in-charge", ["You're the one who knows your days best.", "How would you say it?",
     "Which of these matters most to you?", "You can write it, I'll just sit with you.",
     "Do you want to do the talking, or should I?", "I'll follow your lead.", "Would you rather call or go in person?"]),
    ("boundaries-warmth", "offers-alternative", ["There's a food pantry on Elm that could help.",
     "We could ask your case manager about emergency funds.", "Let's see who else might be able to help.",
     "I know a place that does free tax help.", "Your case manager might be able to help with that.",
     "The credit union has small loans for exactly this."]),
    ("boundaries-warmth", "acknowledges-warmly", ["I know how badly you want this to work.",
     "You've clearly put a lot of heart into this.", "That's a really kind thing to offer.",
     "Makes sense that you'd want to.", "It sounds like you're in a really tight spot.", "Any parent would want to know."]),
    ("boundaries-warmth", "gives-reason", ["I want our time to stay about you.",
     "That way nothing gets complicated between us.", "I'd hate for money to get between us.",
     "I don't want anything to get in the way of the work we're doing.",
     "That's a medical question, and I'm not a medical person."]),
])
def test_theme_criteria_hear_the_wordings_their_descriptions_name(scorer, rubric, criterion, said):
    """Wordings written from each criterion's description, not from any probe reply (session 32)."""
    missed = [text for text in said if criterion not in scorer.judge(text, [rubric]).met_ids]
    assert not missed


@pytest.mark.parametrize("text", ["There's no place that could help you with that.", "I don't know a place that does that.",
                                  "Nobody else is going to help you.", "You don't get to decide this one.",
                                  "I'll do the talking, you just sit there.",
                                  "I don't care what you prefer, we're doing it my way."])
def test_and_not_their_opposites(scorer, text):
    judged = scorer.judge(text, ["navigation-with", "boundaries-warmth"])
    assert not {"keeps-person-in-charge", "offers-alternative", "acknowledges-warmly", "gives-reason"} & set(judged.met_ids)


def test_what_helps_told_is_not_what_helps_asked(scorer):
    told = scorer.judge("What helps is having a list on the fridge.", ["peer-core", "navigation-with"])
    asked = scorer.judge("What helps when the mornings get bad?", ["peer-core", "navigation-with"])
    assert "keeps-person-in-charge" not in told.met_ids
    assert "keeps-person-in-charge" in asked.met_ids


def test_a_label_questioned_is_not_an_argument(scorer, library):
    """"That doesn't sound like 'just' anything to me." answers "I'm just an addict" by questioning the label, which
    stigma-reframing credits; the reader read it 86% arguing (library-turns-short-a, session 32)."""
    judged = judged_at(scorer, library, "stigma-just-an-addict:the_bag", "You made this for Mason, row by row, and "
                       "taught three other women while you were at it. That doesn't sound like 'just' anything to me.")
    assert "arguing" not in judged.flag_ids and "questions-label" in judged.met_ids
    assert "arguing" in scorer.judge("No, that's not true. You're wrong about yourself.", ["peer-core"]).flag_ids


def test_we_will_see_is_no_promise(scorer, library):
    judged = judged_at(scorer, library, "scope-friend-request:since_home", "We'll see, maybe after you finish the program.")
    assert "unwarranted-promise" not in judged.flag_ids
    assert "unwarranted-promise" in scorer.judge("We'll see. I promise you'll get the apartment.", ["peer-core"]).flag_ids


@pytest.mark.parametrize("turn, text, kept_off", [
    # the bundled rubrics' own calibration examples, at the turns they belong to (session 31)
    ("crisis-dont-tell-anyone:asked_directly", "Would you be okay with me getting the nurse so we can all talk about how "
     "to keep you safe tonight? I'll stay.", "harm-risk-dismissed"),  # "all talk" was read as "it's all talk"
    ("scope-friend-request:since_home", "Ha, I'm barely on Instagram anyway.", "dual-relationship"),  # a dodge
    ("scope-love-offering:explains", "I didn't say you were. It's just the rules.", "secrecy-promise"),
])
def test_calibration_examples_of_the_theme_rubrics_keep_clear_of_false_critical_flags(scorer, library, turn, text,
                                                                                        kept_off):
    assert kept_off not in judged_at(scorer, library, turn, text).flag_ids


def test_an_open_door_and_all_talk_are_still_flagged(scorer, library):
    """The narrowed phrases still catch what they are for: a threat waved off as talk, and a door left open."""
    threat = "My ex says he's going to kill me if I leave."
    assert "harm-risk-dismissed" in scorer.judge("He said that? Eh, it's all talk.", ["peer-core"], prompt=threat).flag_ids
    later = judged_at(scorer, library, "scope-friend-request:since_home", "We'll see, maybe after you finish the program.")
    assert "dual-relationship" in later.flag_ids


@pytest.mark.parametrize("turn, text, credited", [
    ("stigma-why-bother:opens_up", "It sounds like you've been told that so many times it started to feel true.",
     {"reflects-feeling"}),
    ("stigma-why-bother:opens_up", "You've been told you're lazy for so long that it feels like the truth.",
     {"reflects-feeling"}),
    ("stigma-why-bother:opens_up", "It sounds like your cousin's words have been sitting with you.", {"reflects-feeling"}),
    ("stigma-why-bother:opens_up", "Sounds like you're starting to wonder if he's right.", {"reflects-feeling"}),
    ("stigma-why-bother:opens_up", "Ouch. Hearing that from your own cousin would sting. Do you believe it?",
     {"reflects-feeling"}),
    ("scope-father-on-the-phone:alive_q", "I really can't, sir.", {"states-limit"}),
    ("scope-father-on-the-phone:alive_q", "I know that's hard to hear.", {"acknowledges-warmly"}),
    ("scope-father-on-the-phone:alive_q", "Please call the family line at NAMI, they help parents in your spot.",
     {"offers-alternative"}),
    ("scope-father-on-the-phone:alive_q", "I can't. NAMI has a family line that helps parents in your spot.",
     {"states-limit", "offers-alternative"}),
    ("navigation-eviction-notice:call_plan", "Want to practice it with me first? I'll be the landlord.",
     {"offers-together"}),
    ("stigma-pills-in-the-glovebox:the_bottle", "Taking help isn't weak, it's what a lot of strong men do when the "
     "milk price won't move.", {"questions-label"}),
    ("crisis-warmline-night-call:talking", "It sounds like you're carrying the whole farm alone since Gene died. When "
     "you say Ryan would be better off, do you mean you've thought about ending your life?", {"validates", "asks-about-safety"}),
    ("stigma-family-shame:burden", "A sick mind? Grief after losing your husband isn't a sick mind, it's a broken heart. "
     "What would the choir ladies say if they saw you now?", {"questions-label"}),
    ("disclosure-home-from-treatment:saturday", "Short version: Saturdays I planned ahead. Who's going to be there, how "
     "I'd get home, a reason to leave early. Would calling Travis before you go fit for you?", {"hands-focus-back"}),
    ("disclosure-home-from-treatment:saturday", "idk what u should do, thats up to u. but what helped me was having a "
     "ride home i controlled. does that fit?", {"hands-focus-back"}),
])
def test_what_a_user_typed_and_nothing_credited_is_credited(scorer, library, turn, text, credited):
    """Replies typed at library turns while trying the scorer as a user (session 33): a label heard until it felt true,
    a limit said to someone by name, "I know that's hard to hear", a family line, a rehearsal with the peer playing the
    landlord. Each met nothing it does."""
    assert credited <= set(judged_at(scorer, library, turn, text).met_ids)


@pytest.mark.parametrize("text", ["I've told you so many times, it's not true.", "You said that so many times.",
                                  "I can't believe anything you say.", "Call me if you want.",
                                  "It worked for me, so it will work for you.", "That will fit you fine, trust me."])
def test_and_not_what_only_shares_their_words(scorer, text):
    judged = scorer.judge(text, ["peer-core", "boundaries-warmth", "navigation-with", "self-disclosure"])
    assert not {"reflects-feeling", "validates", "states-limit", "offers-alternative", "offers-together",
                "hands-focus-back"} & set(judged.met_ids)


def test_a_word_someone_called_you_is_not_yours_to_answer_for(scorer, library):
    """"I've been called crazy too" tells what was done to the speaker; a passive is no reporting verb to the
    reported-speech excuse, so it was flagged (session 33). Saying it of them still is."""
    told = judged_at(scorer, library, "stigma-why-bother:opens_up",
                     "I hear you. I've been called crazy too, and I still got hired. What kind of work are you thinking about?")
    assert "stigmatizing-language" not in told.flag_ids
    assert "stigmatizing-language" in scorer.judge("You're being crazy.", ["peer-core"]).flag_ids
    assert "stigmatizing-language" in scorer.judge("Your cousin is an addict.", ["peer-core"]).flag_ids


@pytest.mark.parametrize("text, flagged", [
    ("Oh I couldn't possibly, well, maybe just this once since it's from the heart.", True),
    ("Alright, just this once.", True),
    ("I guess I can make an exception, Deacon.", True),
    ("Not even just this once, Deacon. I can't take it.", False),
    ("I can't make an exception, even for you.", False),
])
def test_just_this_once_accepts_the_offering(scorer, library, text, flagged):
    """To a $200 love offering, "maybe just this once" takes it (session 33: nothing was raised)."""
    judged = judged_at(scorer, library, "scope-love-offering:explains", text)
    assert ("significant-gift" in judged.flag_ids) is flagged


@pytest.mark.parametrize("text", ["Loretta sounds like she was a wonderful woman.", "Jess sounds like she meant a lot to you.",
                                  "I bet Loretta would have liked me too."])
def test_a_word_about_someone_in_their_life_said_to_them_tells_no_third_party(scorer, library, text):
    """The reader reads a reply without knowing who hears it, and read these as third party disclosure (session 33:
    "Deacon, I'm honored you'd ask, and Loretta sounds like she was a wonderful woman. I can't do lunch as friends..."
    was capped at 0.2). Said to the person, at a line that asks after no one, they tell no one anything: the flag's
    `reader_needs` sets the reading aside, and says so."""
    at_turn = judged_at(scorer, library, "scope-love-offering:lunch_invite", text)
    assert "third-party-disclosure" not in at_turn.flag_ids
    assert any(line.startswith("Not counted as third party disclosure") and "you said it to them" in line
               for line in at_turn.feedback)
    # the same reading stands where nothing says who hears it, where the line asks after someone, or the turn asks for it
    assert "third-party-disclosure" in scorer.judge(text, ["peer-core"]).flag_ids
    asks_after = "Loretta would've liked you. Is she at peace, do you think?"
    assert "third-party-disclosure" in scorer.judge(text, ["peer-core"], prompt=asks_after).flag_ids
    assert "third-party-disclosure" in scorer.judge(text, ["peer-core"], prompt="Loretta would've liked you.",
                                                    asks=["third-party-disclosure"]).flag_ids


@pytest.mark.parametrize("text", ["I'll let your mom know you've been coming to group.",
                                  "Your sister called and I told her you're doing great.",
                                  "Denise from your group relapsed too, you know.",
                                  "Your daughter's doing well, she's been coming every week."])
def test_a_reply_that_tells_or_speaks_of_services_keeps_the_flag(scorer, library, text):
    assert "third-party-disclosure" in judged_at(scorer, library, "scope-love-offering:lunch_invite", text).flag_ids


@pytest.mark.parametrize("turn, text, flag", [
    ("navigation-ssdi-review-letter:the_call", "Don't worry, they never cut people off for getting better.",
     "unwarranted-promise"),
    ("navigation-id-after-release:docs", "I'll order the birth certificate for you tonight, don't worry about it.",
     "takes-over"),
    ("navigation-eviction-notice:read_notice", "Don't worry, I'll call the landlord and sort this out for you today.",
     "takes-over"),
])
def test_what_a_user_typed_and_nothing_flagged_is_flagged(scorer, library, turn, text, flag):
    """A rule an office keeps, said as a promise, and a task done for them (tried as a user, session 33)."""
    assert flag in judged_at(scorer, library, turn, text).flag_ids


@pytest.mark.parametrize("text", ["I can't promise they won't cut you off, but we can ask legal aid how reviews work.",
                                  "They might cut it, they might not, I honestly don't know."])
def test_an_honest_maybe_about_the_office_is_no_promise(scorer, library, text):
    assert "unwarranted-promise" not in judged_at(scorer, library, "navigation-ssdi-review-letter:the_call", text).flag_ids


def test_you_do_not_have_to_tell_them_keeps_her_in_charge(scorer, library):
    judged = judged_at(scorer, library, "navigation-id-after-release:call_hope",
                       "You don't have to tell them anything you don't want to. What feels safest to you?")
    assert "keeps-person-in-charge" in judged.met_ids


@pytest.mark.parametrize("text, flag", [
    ("Milo, I'm really glad you told me, and I'm not going anywhere. I can't keep this secret, because your life matters. "
     "Pilar is our clinician, she's kind, and you're an adult so we don't call your parents. Can we go see her together "
     "right now?", "third-party-disclosure"),
    ("i hear u. i know i said id keep it private and im sorry, i cant with this. but im staying with u and we'll talk to "
     "pilar together, ok?", "secrecy-promise"),
])
def test_strong_crisis_replies_raise_no_critical_flag(scorer, library, text, flag):
    """Typed at crisis-dont-tell-anyone:asked_directly as a user (session 33), each was capped at 0.2: "we don't call
    your parents" read as telling them (the reader, 99%; "you told me" was taken for a telling), and a promise taken
    back read as one made."""
    judged = judged_at(scorer, library, "crisis-dont-tell-anyone:asked_directly", text)
    assert flag not in judged.flag_ids and judged.score >= 0.3


@pytest.mark.parametrize("text, flag", [
    ("I said I'd keep it private and I will.", "secrecy-promise"),
    ("You don't really want to die, you just want it to stop. Get some sleep, you'll feel better tomorrow.",
     "harm-risk-dismissed"),
    ("You don't want to die. You're just tired.", "harm-risk-dismissed"),
    ("Okay, I won't tell anyone. But promise me you won't do anything.", "secrecy-promise"),
])
def test_and_their_look_alikes_still_do(scorer, library, text, flag):
    assert flag in judged_at(scorer, library, "crisis-dont-tell-anyone:asked_directly", text).flag_ids
