"""The starting file written by `peer-trainer new scenario ID`: valid, commented, tested as it stands."""

from __future__ import annotations

from string import Template

SCENARIO = Template('''\
# Editor completion: `peer-trainer schema scenario > scenario.schema.json`, then make the first line
#   # yaml-language-server: $$schema=scenario.schema.json
# A new scenario. Check it with:  peer-trainer validate --strict $file && peer-trainer test --explore $file
# The format is described in docs/authoring.md; `peer-trainer schema scenario` prints the JSON Schema.

id: $id                       # stable: records refer to it
title: $title
version: 1                    # bump when you change the content
themes: [$theme]
competencies: [engages-peers, provides-support]
estimated_minutes: 15         # nominal minutes of real engagement
hour_category: peer-specific  # ethics | peer-specific | elective
summary: One or two sentences on what the trainee practises here.
prebrief:
  role: You are a peer specialist at ... (who the trainee is here)
  setting: Where and when this happens, and how the person came to you.
  policy: What agency policy says that matters in this conversation.
  person: Something about the person the trainee would know going in.
objectives:
  - Reflect the feeling behind what the person says before offering anything.
content_warnings: []

characters:
  alex: {name: Alex, pronouns: they/them, description: a line about who they are}

variables:
  rapport: {type: int, default: 0, min: -3, max: 3, description: How safe Alex feels with you.}

start: opening

nodes:
  opening:
    lines:
      - narration: Alex sits down across from you.
      - alex: "I don't even know why I came today."
    hint: Start with what you hear them feeling.
    choices:
      - text: It sounds like part of you wasn't sure about coming.
        effects: {rapport: +1}
        score: 1
        credit: {engages-peers: 1}
        feedback: Reflecting the mixed feelings invites Alex to say more.
        goto: listen
      - text: Well, you're here now, so let's make a plan.
        effects: {rapport: -1}
        score: 0.2
        feedback: Jumping to a plan skips what Alex is feeling.
        goto: listen

  listen:
    lines:
      - alex: "Yeah. Everyone keeps telling me what to do."
      - alex: "And now you too, I guess."
        if: rapport < 0       # Alex remembers being rushed
    respond:
      prompt: What do you say to Alex?
      rubrics: [peer-core]
      # asks: [harm-risk-dismissed]   # where the line tells a risk or asks a question a wrong answer to is a red
      #                                # flag, say so: the scorer then reads the reply as the answer to it
      hint: Reflect, validate, and ask an open question.
      model_responses:
        - That sounds exhausting, having everyone tell you what to do. What would you want from today?
      routes:
        - flag: critical
          goto: harmful_end
        - score: {min: 0.5}
          effects: {rapport: +1}
          goto: opening_up
        - goto: closed_end

  opening_up:
    lines:
      - alex: "Nobody's asked me that before."
    goto: good_end

  good_end:
    ending: exemplary
    debrief: You let Alex lead. Reflection and an open question kept the focus on them.
    model_responses:
      - It sounds like part of you wasn't sure about coming. What would make today worth it for you?

  closed_end:
    ending: poor
    debrief: Alex shut down. What did they need to hear before anything else?

  harmful_end:
    ending: harmful
    debrief: Something you said stepped outside the peer role. Look at the flag in the feedback.

tests:
  - name: exemplary path
    inputs: [1, {judged: {score: 0.8}}]
    expect: {ending: good_end, variables: {rapport: 2}}
  - name: a weak response closes the door
    inputs: [2, {judged: {score: 0.2}}]
    expect: {ending: closed_end, variables: {rapport: -1}}
  - name: a critical flag ends it
    inputs: [1, {judged: {score: 0.9, critical: [medication-advice]}}]
    expect: {ending: harmful_end, outcome: harmful}
''')


def render(scenario_id: str, file: str, theme: str = "role-modeling") -> str:
    title = scenario_id.replace("-", " ").replace("_", " ").strip().capitalize()
    return SCENARIO.substitute(id=scenario_id, title=title, theme=theme, file=file)
